// TcpSink: the recording's message stream over a TCP socket to `reel serve`.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "reel/format/recording_file.hpp"
#include "reel/format/server_notice.hpp"
#include "reel/sdk/sink.hpp"
#include "sdk/error_handler_internal.hpp"
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

Clock::duration secs(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string secs_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

int64_t now_ticks() { return Clock::now().time_since_epoch().count(); }

}  // namespace

struct TcpSink::State {
  const std::string address;
  const HostPort target;
  const TcpSinkOptions options;
  const format::Encoder encoder;
  const int wake_fd;  // eventfd: wakes the sender thread from poll()

  std::mutex mutex;
  std::condition_variable wake;     // the sender: data, stop, a forced attempt
  std::condition_variable changed;  // send()/flush(): progress, connection state
  // Chunks not yet written whole, oldest first. While `front_in_flight`, the sender writes
  // the front one (it is never dropped then).
  struct Item {
    ChunkPtr chunk;
    uint64_t bytes;
  };
  std::deque<Item> buffer;
  uint64_t buffer_bytes = 0;
  bool front_in_flight = false;
  bool begun = false;
  bool stop = false;
  bool force_attempt = false;
  bool have_info = false;
  StoreInfo info;
  std::atomic<int> fd{-1};
  Clock::time_point next_attempt{};
  uint64_t attempts_started = 0;
  uint64_t last_failed_attempt = 0;  // its number (attempts count from 1)
  bool outage_reported = false;
  std::string last_notice;  // code of the last notice reported in this outage
  // Progress of the write in flight (Clock ticks): the server is stalled when it has read
  // nothing of it for max_block_secs.
  std::atomic<int64_t> last_progress{0};
  // Dropped since the last flush() report.
  uint64_t dropped_chunks = 0, dropped_rows = 0, dropped_bytes = 0;
  std::string drop_reason;
  bool drop_reported = false;  // the episode was reported through send()
  std::thread thread;

  State(std::string a, HostPort t, TcpSinkOptions o)
      : address(std::move(a)),
        target(std::move(t)),
        options(o),
        encoder([&] {
          format::WriterOptions w;
          w.compression = o.compression;
          w.write_footer = false;
          return w;
        }()),
        wake_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  ~State() {
    {
      std::lock_guard lock(mutex);
      stop = true;
      begun = true;
    }
    poke();
    if (thread.joinable()) thread.join();
    close_socket();
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void poke() {
    wake.notify_all();
    uint64_t one = 1;
    if (wake_fd >= 0) (void)!::write(wake_fd, &one, sizeof one);
  }

  void close_socket() {
    int f = fd.exchange(-1);
    if (f >= 0) ::close(f);
  }

  // Connected, writing, and the server has read nothing for max_block_secs (counted from
  // `since` at the earliest).
  bool stalled_locked(Clock::time_point since = {}) const {
    const auto progress = std::max(since, Clock::time_point(Clock::duration(last_progress.load())));
    return front_in_flight && fd.load() >= 0 &&
           Clock::now() - progress > secs(options.max_block_secs);
  }

  // ---- the socket (sender thread, or begin() before the thread runs)

  // Writes all of `bytes`, reading server notices meanwhile. An error means the connection
  // is gone (closed here).
  Status write_all(int s, std::span<const uint8_t> bytes, format::ServerNoticeDecoder& notices) {
    size_t done = 0;
    auto last = Clock::now();
    while (done < bytes.size()) {
      pollfd p[2] = {{s, POLLOUT | POLLIN, 0}, {wake_fd, POLLIN, 0}};
      int r = ::poll(p, 2, 100);
      if (r < 0 && errno != EINTR) return Status::IOError("poll: " + errno_text(errno));
      if (p[1].revents & POLLIN) {
        uint64_t v;
        (void)!::read(wake_fd, &v, sizeof v);
      }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) REEL_RETURN_NOT_OK(read_notices(s, notices));
      if (p[0].revents & POLLOUT) {
        ssize_t n =
            ::send(s, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          return Status::IOError(errno_text(errno));
        }
        if (n > 0) {
          done += size_t(n);
          last = Clock::now();
          last_progress.store(last.time_since_epoch().count());
          continue;
        }
      }
      if (Clock::now() - last > secs(options.send_timeout_secs)) {
        return Status::IOError("the server accepted no byte for " +
                               secs_text(options.send_timeout_secs) + " s");
      }
    }
    return Status::OK();
  }

  // Reads what the server sent: notices are reported; the end of the stream is an error.
  Status read_notices(int s, format::ServerNoticeDecoder& notices) {
    uint8_t buf[4096];
    for (;;) {
      ssize_t n = ::recv(s, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::OK();
        return Status::IOError(errno_text(errno));
      }
      if (n == 0) return Status::IOError("the server closed the connection");
      notices.append({buf, size_t(n)});
      for (;;) {
        auto next = notices.next();
        if (!next.ok()) {
          return next.status().with_context("reading what the server sent");
        }
        if (!*next) break;
        const format::ServerNotice& notice = **next;
        bool report;
        {
          std::lock_guard lock(mutex);
          report = notice.code != last_notice;
          last_notice = notice.code;
        }
        if (report) {
          internal::report_error(Status::IOError(
              "reel server at " + address + ": " + notice.message + " [" + notice.code + "]" +
              (notice.closing ? "; data is kept and the connection retried" : "")));
        }
        if (notice.closing) {
          return Status::IOError("the server closed the connection (" + notice.code + ")");
        }
      }
    }
  }

  Status await_acceptance(int s) {
    const auto until = Clock::now() + secs(std::min(options.connect_timeout_secs, 0.5));
    format::ServerNoticeDecoder d;
    uint8_t buf[512];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) return Status::OK();
      pollfd p{s, POLLIN, 0};
      if (::poll(&p, 1, int(left.count())) <= 0) continue;
      // Peeked, not read: read_notices() decodes the notice again (and reports a refusal).
      ssize_t n = ::recv(s, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
      if (n <= 0) return Status::IOError("the server closed the connection");
      d = format::ServerNoticeDecoder();
      d.append({buf, size_t(n)});
      auto next = d.next();
      if (!next.ok()) return Status::OK();  // not a notice: not ours to judge here
      if (!*next) continue;                 // a notice not yet whole
      if ((*next)->code == "accepted") {
        (void)!::recv(s, buf, size_t(n) - d.buffered(), MSG_DONTWAIT);  // consumed
        return Status::OK();
      }
      format::ServerNoticeDecoder reporter;
      return read_notices(s, reporter);  // reports it; closing notices are an error
    }
  }

  // One connection attempt (bounded by connect_timeout_secs), then the header and store info.
  Result<int> open_connection() {
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
    int fd_new = -1;
    for (addrinfo* ai = list; ai && fd_new < 0; ai = ai->ai_next) {
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
      int one = 1;
      ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_new = s;  // stays non-blocking: writes poll, so notices are read meanwhile
    }
    ::freeaddrinfo(list);
    if (fd_new < 0) {
      return Status::IOError("cannot connect to reel server at " + address + ": " + last_error +
                             " (is `reel serve` running?)");
    }
    std::vector<uint8_t> bytes = format::Encoder::file_header();
    StoreInfo i;
    bool with_info;
    {
      std::lock_guard lock(mutex);
      with_info = have_info;
      i = info;
    }
    Status st;
    if (with_info) st = encoder.encode_store_info(i, bytes);
    format::ServerNoticeDecoder notices;
    if (st.ok()) st = write_all(fd_new, bytes, notices);
    // A reel server says "accepted" (or why not) when the client has a slot: wait a little
    // for it, so that a refusal is known before chunks are written into a closing socket.
    // Without an answer (an older server, a plain listener) the stream goes on.
    if (st.ok()) st = await_acceptance(fd_new);
    if (!st.ok()) {
      ::close(fd_new);
      return Status::IOError("cannot connect to reel server at " + address + ": " + st.message());
    }
    return fd_new;
  }

  // ---- the sender thread

  void run() {
    std::unique_lock lock(mutex);
    wake.wait(lock, [&] { return begun; });
    format::ServerNoticeDecoder notices;
    std::vector<uint8_t> scratch;
    bool final_attempt_made = false;
    for (;;) {
      if (fd.load() < 0) {
        if (buffer.empty() && !force_attempt) {
          if (stop) break;
          wake.wait(lock);
          continue;
        }
        if (stop && final_attempt_made) break;
        const auto now = Clock::now();
        if (!force_attempt && !stop && now < next_attempt) {
          wake.wait_until(lock, next_attempt);
          continue;
        }
        force_attempt = false;
        if (stop) final_attempt_made = true;
        const uint64_t attempt = ++attempts_started;
        lock.unlock();
        Result<int> opened = open_connection();
        Status report;
        lock.lock();
        next_attempt = Clock::now() + secs(options.retry_secs);
        if (opened.ok()) {
          fd.store(*opened);
          notices = format::ServerNoticeDecoder();
          outage_reported = false;
        } else {
          last_failed_attempt = attempt;
          if (!outage_reported) {
            outage_reported = true;
            report = opened.status().with_context(
                "data is kept and the connection retried every " +
                secs_text(options.retry_secs) + " s");
          }
        }
        changed.notify_all();
        if (!report.ok()) {
          lock.unlock();
          internal::report_error(report);
          lock.lock();
        }
        continue;
      }
      const int s = fd.load();
      if (buffer.empty()) {
        if (stop) {
          scratch.clear();
          format::Encoder::encode_end(0, scratch);
          lock.unlock();
          // End-of-stream marker: the server sees a clean end, not a cut connection.
          (void)write_all(s, scratch, notices);
          ::shutdown(s, SHUT_WR);
          lock.lock();
          break;
        }
        // Idle: watch the socket (a notice, the server closing) until data comes.
        lock.unlock();
        pollfd p[2] = {{s, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        (void)::poll(p, 2, 1000);
        if (p[1].revents & POLLIN) {
          uint64_t v;
          (void)!::read(wake_fd, &v, sizeof v);
        }
        Status st;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) st = read_notices(s, notices);
        lock.lock();
        if (!st.ok()) lost(lock, st);
        continue;
      }
      Item item = buffer.front();
      front_in_flight = true;
      last_progress.store(now_ticks());
      lock.unlock();
      scratch.clear();
      Status st = encoder.encode_chunk(*item.chunk, scratch);
      if (!st.ok()) {
        lock.lock();
        front_in_flight = false;
        pop_front_locked();
        lock.unlock();
        internal::report_error(st.with_context("encoding a chunk of " +
                                               item.chunk->entity_path().str() +
                                               " for the reel server; chunk dropped"));
        lock.lock();
        continue;
      }
      st = write_all(s, scratch, notices);
      lock.lock();
      front_in_flight = false;
      if (st.ok()) {
        pop_front_locked();
        last_notice.clear();
        if (dropped_chunks == 0) drop_reported = false;
      } else {
        lost(lock, st);  // the chunk stays first: sent again on the next connection
      }
    }
    changed.notify_all();
  }

  void pop_front_locked() {
    buffer_bytes -= buffer.front().bytes;
    buffer.pop_front();
    changed.notify_all();
  }

  // The connection broke: closed, reported, retried at once.
  void lost(std::unique_lock<std::mutex>& lock, const Status& why) {
    close_socket();
    next_attempt = Clock::now();
    outage_reported = true;
    changed.notify_all();
    lock.unlock();
    internal::report_error(Status::IOError("lost connection to reel server at " + address + " (" +
                                           why.message() +
                                           "); data is kept and the connection retried"));
    lock.lock();
  }

  // ---- producer side (the stream's batcher thread)

  // Drops the oldest chunk that is not being written; false if there is none.
  bool drop_oldest_locked(const std::string& reason) {
    size_t i = front_in_flight ? 1 : 0;
    if (i >= buffer.size()) return false;
    const Item& victim = buffer[i];
    ++dropped_chunks;
    dropped_rows += uint64_t(victim.chunk->num_rows());
    dropped_bytes += victim.bytes;
    drop_reason = reason;
    buffer_bytes -= victim.bytes;
    buffer.erase(buffer.begin() + std::ptrdiff_t(i));
    return true;
  }

  std::string drop_text() const {
    return "data loss: dropped the " + std::to_string(dropped_chunks) + " oldest chunks (" +
           std::to_string(dropped_rows) + " rows, " + std::to_string(dropped_bytes) +
           " bytes) for reel server at " + address + ": " + drop_reason + ", and more than " +
           std::to_string(options.max_buffer_bytes) + " bytes waited";
  }

  Status put(std::span<const ChunkPtr> chunks) {
    std::unique_lock lock(mutex);
    const auto deadline = Clock::now() + secs(options.max_block_secs);
    for (const auto& c : chunks) {
      const uint64_t bytes = c->heap_size_bytes();
      while (buffer_bytes + bytes > options.max_buffer_bytes) {
        std::string reason;
        if (fd.load() < 0) {
          reason = "the server is unreachable";
        } else if (stalled_locked()) {
          reason = "the server read nothing for " + secs_text(options.max_block_secs) + " s";
        } else if (Clock::now() < deadline) {
          // Connected and reading: wait for room (backpressure), a bounded time. The sender
          // learns of the chunks put so far first.
          poke();
          changed.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(
                                                                         100)));
          continue;
        } else {
          reason = "the server did not take the data within " +
                   secs_text(options.max_block_secs) + " s";
        }
        if (!drop_oldest_locked(reason)) break;
      }
      buffer_bytes += bytes;
      buffer.push_back({c, bytes});
    }
    Status st;
    if (dropped_chunks > 0 && !drop_reported) {
      drop_reported = true;
      st = Status::CapacityError(drop_text() + " (counted; flush() reports the total)");
    }
    lock.unlock();
    poke();
    return st;
  }

  Status flush() {
    std::unique_lock lock(mutex);
    // Only an attempt that starts after this call counts as "the server is unreachable".
    const uint64_t first_attempt = attempts_started + 1;
    const auto start = Clock::now();
    if (!buffer.empty() && fd.load() < 0) {
      force_attempt = true;
      lock.unlock();
      poke();
      lock.lock();
    }
    // Polled: "stalled" becomes true with time, not with a notification.
    while (!(buffer.empty() || stop || (fd.load() < 0 && last_failed_attempt >= first_attempt) ||
             stalled_locked(start))) {
      changed.wait_for(lock, std::chrono::milliseconds(100));
    }
    Status st;
    if (!buffer.empty()) {
      st = fd.load() < 0
               ? Status::IOError("not connected to reel server at " + address + ": " +
                                 std::to_string(buffer.size()) + " chunks wait to be sent")
               : Status::IOError("reel server at " + address + " read nothing for " +
                                 secs_text(options.max_block_secs) + " s: " +
                                 std::to_string(buffer.size()) + " chunks wait to be sent");
    }
    if (dropped_chunks > 0) {
      st = Status::CapacityError(drop_text());
      dropped_chunks = dropped_rows = dropped_bytes = 0;
      drop_reported = false;
    }
    return st;
  }
};

TcpSink::TcpSink(std::unique_ptr<State> state) : state_(std::move(state)) {
  State* s = state_.get();
  s->thread = std::thread([s] { s->run(); });
}

Result<std::shared_ptr<TcpSink>> TcpSink::connect(const std::string& address,
                                                  TcpSinkOptions options) {
  REEL_ASSIGN_OR_RETURN(HostPort target, parse_address(address));
  return std::make_shared<TcpSink>(std::make_unique<State>(address, std::move(target), options));
}

// The state's destructor delivers what is buffered (bounded by the timeouts) and the end marker.
TcpSink::~TcpSink() = default;

Status TcpSink::begin(const StoreInfo& info) {
  State& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    s.info = info;
    s.have_info = true;
    if (s.begun) return Status::OK();
  }
  // The first attempt, before the sender thread runs (so a reachable server is connected
  // when the sink is attached).
  Result<int> opened = s.open_connection();
  Status st;
  {
    std::lock_guard lock(s.mutex);
    s.begun = true;
    s.next_attempt = Clock::now() + secs(s.options.retry_secs);
    if (opened.ok()) {
      ++s.attempts_started;
      s.fd.store(*opened);
    } else {
      s.last_failed_attempt = ++s.attempts_started;
      s.outage_reported = true;
      st = opened.status().with_context("data is kept and the connection retried every " +
                                        secs_text(s.options.retry_secs) + " s");
    }
  }
  s.poke();
  return st;
}

Status TcpSink::send(std::span<const ChunkPtr> chunks) { return state_->put(chunks); }

Status TcpSink::flush() { return state_->flush(); }

const std::string& TcpSink::address() const { return state_->address; }

bool TcpSink::is_connected() const { return state_->fd.load() >= 0; }

}  // namespace internal

double TcpSinkOptions::default_max_block_secs() {
  const char* text = std::getenv("REEL_MAX_BLOCK_SECS");
  if (text && *text) {
    char* end = nullptr;
    double v = std::strtod(text, &end);
    if (end != text && *end == '\0' && v >= 0) return v;
    std::fprintf(stderr, "reel: ignoring REEL_MAX_BLOCK_SECS='%s': expected a non-negative number\n",
                 text);
  }
  return 10.0;
}

Result<std::shared_ptr<Sink>> make_tcp_sink(const std::string& address, TcpSinkOptions options) {
  REEL_ASSIGN_OR_RETURN(auto sink, internal::TcpSink::connect(address, options));
  return std::shared_ptr<Sink>(std::move(sink));
}

}  // namespace reel
