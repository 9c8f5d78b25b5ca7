// TcpSink: the recording's message stream over a TCP socket to `reel serve`.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/sink.hpp"
#include "sdk/tcp_sink_internal.hpp"

namespace reel {
namespace internal {

namespace {

using Clock = std::chrono::steady_clock;

struct HostPort {
  std::string host;
  std::string port;
};

Result<HostPort> parse_address(std::string_view address) {
  std::string_view a = address;
  if (a.substr(0, 6) == "tcp://") a.remove_prefix(6);
  HostPort hp;
  std::string_view port;
  if (!a.empty() && a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string_view::npos || close + 1 >= a.size() || a[close + 1] != ':') {
      return Status::Invalid("bad address '" + std::string(address) + "': expected [IPv6]:port");
    }
    hp.host = std::string(a.substr(1, close - 1));
    port = a.substr(close + 2);
  } else {
    auto colon = a.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::Invalid("bad address '" + std::string(address) +
                             "': expected host:port, e.g. 127.0.0.1:9876");
    }
    hp.host = std::string(a.substr(0, colon));
    port = a.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (hp.host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value == 0 || value > 65535) {
    return Status::Invalid("bad address '" + std::string(address) +
                           "': expected host:port with a port in 1..65535");
  }
  hp.port = std::string(port);
  return hp;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

struct TcpSink::State {
  std::string address;
  HostPort target;
  TcpSinkOptions options;
  format::Encoder encoder;
  int fd = -1;
  bool have_info = false;
  StoreInfo info;
  // Chunks not yet written (the server was unreachable or the connection broke).
  std::deque<std::pair<ChunkPtr, uint64_t>> kept;  // with its heap bytes
  uint64_t kept_bytes = 0;
  uint64_t dropped_chunks = 0;  // since the last report
  Clock::time_point next_attempt{};
  bool outage_reported = false;
  std::vector<uint8_t> scratch;

  State(std::string a, HostPort t, TcpSinkOptions o)
      : address(std::move(a)), target(std::move(t)), options(o), encoder([&] {
          format::WriterOptions w;
          w.compression = o.compression;
          w.write_footer = false;
          return w;
        }()) {}

  ~State() { close_socket(); }

  void close_socket() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  Status send_all(std::span<const uint8_t> bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      // MSG_NOSIGNAL: a server that went away is an error, not a SIGPIPE killing the program.
      ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) {
          return Status::IOError("sending to reel server at " + address + ": no progress for " +
                                 std::to_string(options.send_timeout_secs) + " s");
        }
        return Status::IOError("sending to reel server at " + address + ": " + errno_text(err));
      }
      done += size_t(n);
    }
    return Status::OK();
  }

  // One connection attempt (bounded by connect_timeout_secs), then the header and store info.
  Status open_connection() {
    close_socket();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &list);
    if (rc != 0) {
      return Status::IOError("cannot resolve reel server address " + address + ": " +
                             ::gai_strerror(rc));
    }
    std::string last_error = "no address";
    const int timeout_ms = int(options.connect_timeout_secs * 1000);
    for (addrinfo* ai = list; ai && fd < 0; ai = ai->ai_next) {
      int s =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
      if (s < 0) {
        last_error = errno_text(errno);
        continue;
      }
      int err = 0;
      if (::connect(s, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
          pollfd p{s, POLLOUT, 0};
          int r;
          do {
            r = ::poll(&p, 1, timeout_ms);
          } while (r < 0 && errno == EINTR);
          if (r == 0) {
            err = ETIMEDOUT;
          } else if (r < 0) {
            err = errno;
          } else {
            socklen_t len = sizeof err;
            if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
          }
        }
      }
      if (err != 0) {
        last_error = errno_text(err);
        ::close(s);
        continue;
      }
      // Back to blocking writes, bounded by a send timeout.
      ::fcntl(s, F_SETFL, ::fcntl(s, F_GETFL) & ~O_NONBLOCK);
      timeval tv{};
      tv.tv_sec = time_t(options.send_timeout_secs);
      tv.tv_usec = suseconds_t((options.send_timeout_secs - double(tv.tv_sec)) * 1e6);
      ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      int one = 1;
      ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd = s;
    }
    ::freeaddrinfo(list);
    if (fd < 0) {
      return Status::IOError("cannot connect to reel server at " + address + ": " + last_error +
                             " (is `reel serve` running?)");
    }
    scratch = format::Encoder::file_header();
    Status st;
    if (have_info) st = encoder.encode_store_info(info, scratch);
    if (st.ok()) st = send_all(scratch);
    if (!st.ok()) close_socket();
    return st;
  }

  void keep(std::pair<ChunkPtr, uint64_t> item, bool front) {
    kept_bytes += item.second;
    if (front) {
      kept.push_front(std::move(item));
    } else {
      kept.push_back(std::move(item));
    }
    while (kept_bytes > options.max_buffer_bytes && !kept.empty()) {
      kept_bytes -= kept.front().second;
      kept.pop_front();
      ++dropped_chunks;
    }
  }

  // Connected, or a Status saying why not (reported once per outage).
  Status ensure_connected(bool force) {
    if (fd >= 0) return Status::OK();
    const auto now = Clock::now();
    if (!force && now < next_attempt) return Status::OK();
    next_attempt = now + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(options.retry_secs));
    Status st = open_connection();
    if (st.ok()) {
      outage_reported = false;
      return st;
    }
    if (outage_reported) return Status::OK();
    outage_reported = true;
    return st.with_context("data is kept and the connection retried every " +
                           std::to_string(options.retry_secs) + " s");
  }

  // Lost connection: the reason, once.
  Status broken(const Status& st) {
    close_socket();
    next_attempt = Clock::now();  // try again at the next send
    outage_reported = true;
    return Status::IOError("lost connection to reel server at " + address + " (" + st.message() +
                           "); data is kept and the connection retried");
  }

  // Writes kept chunks while connected.
  Status drain() {
    while (fd >= 0 && !kept.empty()) {
      auto item = std::move(kept.front());
      kept.pop_front();
      kept_bytes -= item.second;
      scratch.clear();
      Status st = encoder.encode_chunk(*item.first, scratch);
      if (!st.ok()) {
        return st.with_context("encoding a chunk of " + item.first->entity_path().str() +
                               " for the reel server; chunk dropped");
      }
      st = send_all(scratch);
      if (!st.ok()) {
        keep(std::move(item), true);
        return broken(st);
      }
    }
    return Status::OK();
  }

  Status dropped_report() {
    if (dropped_chunks == 0) return Status::OK();
    Status st =
        Status::CapacityError("reel server at " + address + " unreachable: dropped the " +
                              std::to_string(dropped_chunks) + " oldest kept chunks (more than " +
                              std::to_string(options.max_buffer_bytes) + " bytes waiting)");
    dropped_chunks = 0;
    return st;
  }
};

TcpSink::TcpSink(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::shared_ptr<TcpSink>> TcpSink::connect(const std::string& address,
                                                  TcpSinkOptions options) {
  REEL_ASSIGN_OR_RETURN(HostPort target, parse_address(address));
  return std::make_shared<TcpSink>(std::make_unique<State>(address, std::move(target), options));
}

TcpSink::~TcpSink() {
  State& s = *state_;
  if (s.fd < 0 && s.kept.empty()) return;
  (void)s.ensure_connected(true);
  (void)s.drain();
  if (s.fd >= 0) {
    // End-of-stream marker: the server sees a clean end, not a cut connection.
    s.scratch.clear();
    format::Encoder::encode_end(0, s.scratch);
    (void)s.send_all(s.scratch);
    ::shutdown(s.fd, SHUT_WR);
  }
}

Status TcpSink::begin(const StoreInfo& info) {
  State& s = *state_;
  s.info = info;
  s.have_info = true;
  if (s.fd >= 0) {
    s.scratch.clear();
    REEL_RETURN_NOT_OK(s.encoder.encode_store_info(info, s.scratch));
    Status st = s.send_all(s.scratch);
    return st.ok() ? st : s.broken(st);
  }
  return s.ensure_connected(true);
}

Status TcpSink::send(std::span<const ChunkPtr> chunks) {
  State& s = *state_;
  for (const auto& c : chunks) s.keep({c, c->heap_size_bytes()}, false);
  Status st = s.ensure_connected(false);
  if (st.ok()) st = s.drain();
  Status dropped = s.dropped_report();
  return st.ok() ? dropped : st;
}

Status TcpSink::flush() {
  State& s = *state_;
  if (s.kept.empty()) return s.dropped_report();
  Status st = s.ensure_connected(false);
  if (st.ok()) st = s.drain();
  if (st.ok() && !s.kept.empty()) {
    st = Status::IOError("not connected to reel server at " + s.address + ": " +
                         std::to_string(s.kept.size()) + " chunks wait to be sent");
  }
  Status dropped = s.dropped_report();
  return st.ok() ? dropped : st;
}

const std::string& TcpSink::address() const { return state_->address; }

bool TcpSink::is_connected() const { return state_->fd >= 0; }

}  // namespace internal

Result<std::shared_ptr<Sink>> make_tcp_sink(const std::string& address, TcpSinkOptions options) {
  REEL_ASSIGN_OR_RETURN(auto sink, internal::TcpSink::connect(address, options));
  return std::shared_ptr<Sink>(std::move(sink));
}

}  // namespace reel
