// The push-based .rrd decoder: RRF2 stream headers, message framing, End + stream footer,
// concatenated streams, truncation and resynchronisation after corruption.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "format/rrd_internal.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format::rrd {

using internal::get_u32_le;
using internal::get_u64_le;

namespace {

enum class State { kStreamHeader, kMessage, kStreamFooter, kResync, kDone };

bool is_fourcc(const uint8_t* p) { return std::memcmp(p, internal::kFourcc, 4) == 0; }
bool is_old_fourcc(const uint8_t* p) {
  return std::memcmp(p, "RRF0", 4) == 0 || std::memcmp(p, "RRF1", 4) == 0;
}
bool is_stream_footer(const uint8_t* p) {
  return is_fourcc(p + 20) && std::memcmp(p + 24, internal::kFootIdentifier, 4) == 0;
}
// Version and option bytes a Rerun writer can produce (used to recognise stream headers
// while resynchronising).
bool plausible_stream_header(const uint8_t* p) {
  return is_fourcc(p) && p[8] <= 1 && p[9] == internal::kSerializerProtobuf && p[10] == 0 &&
         p[11] == 0;
}

}  // namespace

struct RrdDecoder::Impl {
  std::string source;
  DecoderOptions options;
  std::vector<uint8_t> buf;
  size_t head = 0;    // first unconsumed byte of buf
  uint64_t base = 0;  // input offset of buf[0]
  bool finished = false;
  State state = State::kStreamHeader;
  int64_t stream_index = -1;
  uint64_t stream_offset = 0;
  RerunVersion stream_version;
  bool warned_newer = false;
  std::map<std::pair<StoreKind, std::string>, std::string> application_ids;
  std::set<uint64_t> resync_offsets;
  // The End message just read, for checking the stream footer after it.
  uint64_t end_body_offset = 0;
  uint32_t end_body_checksum = 0;
  uint64_t end_body_bytes = 0;
  // Resynchronisation: where the corruption was, where scanning continues, and what to report.
  uint64_t corrupt_at = 0;
  uint64_t scan_from = 0;
  uint64_t resume_candidate = 0;  // the end of the bad message by its length (0: none)
  Status pending;                 // reported once a resync point is found (or at the end)
  bool truncation_if_nothing_follows = false;
  std::vector<std::string> warnings;
  size_t prepared = 0;  // bytes added by prepare(), not yet committed

  size_t avail() const { return buf.size() - head; }
  uint64_t pos() const { return base + head; }
  const uint8_t* at(uint64_t offset) const { return buf.data() + (offset - base); }
  uint64_t end_offset() const { return base + buf.size(); }

  void consume_to(uint64_t offset) {
    head = size_t(offset - base);
    if (head == buf.size()) {
      base += head;
      buf.clear();
      head = 0;
    } else if (head >= (1u << 20) && head * 2 >= buf.size()) {
      buf.erase(buf.begin(), buf.begin() + std::ptrdiff_t(head));
      base += head;
      head = 0;
    }
  }

  std::string where(uint64_t offset) const {
    return source + ": message at byte " + std::to_string(offset);
  }

  Status fatal(Status st) {
    state = State::kDone;
    return st;
  }

  // Starts scanning for the next message after a corruption at `offset`; `first_candidate`
  // (the end of the bad message by its length) is tried before the byte-by-byte scan.
  void begin_resync(uint64_t offset, Status error, bool truncation, uint64_t first_candidate) {
    corrupt_at = offset;
    pending = std::move(error);
    truncation_if_nothing_follows = truncation;
    scan_from = offset + 1;
    state = State::kResync;
    // Judged in resync(), once its bytes are there: the outcome must not depend on how the
    // input was split into pushes.
    resume_candidate = first_candidate > offset + 1 ? first_candidate : 0;
  }

  // Is there a message or stream header at `p`? 1 yes, 0 no, -1 needs more bytes.
  int candidate(uint64_t p) const {
    const uint64_t have = end_offset() - p;
    if (have >= 4 && is_fourcc(at(p))) {
      if (have < kStreamHeaderBytes) return finished ? 0 : -1;
      if (plausible_stream_header(at(p))) return 1;
    }
    if (have < kMessageHeaderBytes) return finished ? 0 : -1;
    const uint64_t kind = get_u64_le(at(p));
    const uint64_t len = get_u64_le(at(p) + 8);
    if (kind > 3 || len > options.max_message_bytes) return 0;
    if (options.total_bytes &&
        len > *options.total_bytes - std::min(*options.total_bytes, p + 16)) {
      return 0;
    }
    const bool hinted = resync_offsets.count(p) > 0;
    if (kind == 0) {
      // An End is only recognisable by the stream footer after it.
      if (have < kMessageHeaderBytes + len + kStreamFooterBytes) return finished ? 0 : -1;
      return is_stream_footer(at(p) + 16 + len) ? 1 : 0;
    }
    if (len == 0) return 0;
    if (have < kMessageHeaderBytes + len) return finished ? 0 : -1;
    if (hinted) return 1;
    return internal::body_plausible(MessageKind(kind), {at(p) + 16, size_t(len)}) ? 1 : 0;
  }

  Result<std::optional<Message>> step(bool& progressed);
  Result<std::optional<Message>> read_stream_header(bool& progressed);
  Result<std::optional<Message>> read_message(bool& progressed);
  Result<std::optional<Message>> read_stream_footer(bool& progressed);
  Result<std::optional<Message>> resync(bool& progressed);
};

Result<std::optional<Message>> RrdDecoder::Impl::read_stream_header(bool& progressed) {
  const uint64_t p = pos();
  const bool first = stream_index < 0;
  if (avail() == 0) {
    if (!finished) return std::optional<Message>();
    if (first) return fatal(Status::Corrupt(source + " is empty: not an .rrd stream"));
    state = State::kDone;
    return std::optional<Message>();
  }
  if (avail() >= 4 && !is_fourcc(at(p))) {
    if (is_old_fourcc(at(p))) {
      return fatal(Status::NotImplemented(
          source + ": the stream at byte " + std::to_string(p) + " uses the " +
          std::string(reinterpret_cast<const char*>(at(p)), 4) +
          " framing of Rerun before 0.23; reel reads .rrd streams from Rerun " +
          kOldestReadableVersion.to_string() + " on (convert it with a newer Rerun first)"));
    }
    if (first) {
      return fatal(Status::Corrupt(source + " is not an .rrd stream: bad magic at byte 0"));
    }
    begin_resync(p, Status::Corrupt(where(p) + ": neither a stream header nor a message"), false,
                 0);
    progressed = true;
    return std::optional<Message>();
  }
  if (avail() < kStreamHeaderBytes) {
    if (!finished) return std::optional<Message>();
    warnings.push_back(source + " is truncated inside the stream header at byte " +
                       std::to_string(p));
    state = State::kDone;
    return std::optional<Message>();
  }
  const uint8_t* h = at(p);
  std::array<uint8_t, 4> vb{h[4], h[5], h[6], h[7]};
  // Rerun wrote 0.0.0.0 into every stream until 0.2.
  RerunVersion version = vb == std::array<uint8_t, 4>{0, 0, 0, 0} ? RerunVersion{0, 2, 0, 0}
                                                                  : RerunVersion::from_bytes(vb);
  if (version.major == 0 && version.minor < kOldestReadableVersion.minor) {
    return fatal(Status::NotImplemented(
        source + ": the stream at byte " + std::to_string(p) + " was written by Rerun " +
        version.to_string() + ", older than the oldest .rrd encoding reel reads (Rerun " +
        kOldestReadableVersion.to_string() + "); convert it with a newer Rerun first"));
  }
  const std::string at_header = source + ": stream header at byte " + std::to_string(p);
  if (h[8] > 1) {
    return fatal(Status::Corrupt(at_header + ": unknown compression " + std::to_string(h[8])));
  }
  if (h[9] == 1) {
    return fatal(Status::NotImplemented(at_header +
                                        ": MsgPack serialization (Rerun before 0.23) is not read"));
  }
  if (h[9] != internal::kSerializerProtobuf) {
    return fatal(Status::Corrupt(at_header + ": unknown serializer " + std::to_string(h[9])));
  }
  if (h[10] != 0 || h[11] != 0) {
    return fatal(Status::Corrupt(at_header + ": reserved option bytes are not zero"));
  }
  const bool newer =
      std::make_tuple(version.major, version.minor, version.patch) >
      std::make_tuple(kWrittenVersion.major, kWrittenVersion.minor, kWrittenVersion.patch);
  if (newer && !warned_newer) {
    warned_newer = true;
    warnings.push_back(source + ": written by Rerun " + version.to_string() +
                       ", newer than the encoding reel follows (" + kWrittenVersion.to_string() +
                       "): data it added may be missing or dropped");
  }
  ++stream_index;
  stream_offset = p;
  stream_version = version;
  consume_to(p + kStreamHeaderBytes);
  state = State::kMessage;
  progressed = true;
  return std::optional<Message>();
}

Result<std::optional<Message>> RrdDecoder::Impl::read_message(bool& progressed) {
  const uint64_t p = pos();
  if (avail() < kMessageHeaderBytes) {
    // A new stream may follow a stream that never wrote its End (`cat` of killed recordings).
    if (avail() >= 4 && is_fourcc(at(p))) {
      state = State::kStreamHeader;
      progressed = true;
      return std::optional<Message>();
    }
    if (!finished) return std::optional<Message>();
    if (avail() == 0) {
      warnings.push_back(source + " ends at byte " + std::to_string(p) +
                         " without an End message: the writer did not finish (killed, or still "
                         "writing); every complete message was read");
    } else {
      warnings.push_back(source + " is truncated: incomplete message header at byte " +
                         std::to_string(p) + "; every complete message before it was read");
    }
    state = State::kDone;
    return std::optional<Message>();
  }
  if (is_fourcc(at(p))) {
    state = State::kStreamHeader;
    progressed = true;
    return std::optional<Message>();
  }
  const uint64_t kind = get_u64_le(at(p));
  const uint64_t len = get_u64_le(at(p) + 8);
  progressed = true;
  if (kind > 3) {
    begin_resync(p, Status::Corrupt(where(p) + ": unknown message kind " + std::to_string(kind)),
                 false, 0);
    return std::optional<Message>();
  }
  if (len > options.max_message_bytes) {
    begin_resync(
        p,
        Status::Corrupt(where(p) + ": length " + std::to_string(len) + " is over the limit of " +
                        std::to_string(options.max_message_bytes) + " bytes"),
        false, 0);
    return std::optional<Message>();
  }
  const uint64_t need = kMessageHeaderBytes + len;
  const bool beyond_total =
      options.total_bytes && need > *options.total_bytes - std::min(*options.total_bytes, p);
  if (beyond_total || (finished && avail() < need)) {
    const uint64_t total = options.total_bytes.value_or(end_offset());
    begin_resync(
        p,
        Status::Corrupt(where(p) + ": length " + std::to_string(len) +
                        " runs past the end of the input (" + std::to_string(total) + " bytes)"),
        true, 0);
    return std::optional<Message>();
  }
  if (avail() < need) {
    progressed = false;
    return std::optional<Message>();
  }
  Message m;
  m.kind = MessageKind(kind);
  m.offset = p;
  m.body_bytes = len;
  m.stream_index = uint64_t(stream_index);
  m.stream_offset = stream_offset;
  m.stream_version = stream_version;
  const std::span<const uint8_t> body(at(p) + kMessageHeaderBytes, size_t(len));
  Status st = internal::decode_body(m.kind, body, options.max_message_bytes, where(p), m);
  if (!st.ok()) {
    begin_resync(p, st, false, p + need);
    return std::optional<Message>();
  }
  if (m.kind == MessageKind::kSetStoreInfo) {
    application_ids[{m.store_id.kind, m.store_id.recording_id}] = m.store_id.application_id;
  } else if (m.store_id.application_id.empty() && !m.store_id.recording_id.empty()) {
    auto it = application_ids.find({m.store_id.kind, m.store_id.recording_id});
    if (it != application_ids.end()) {
      m.store_id.application_id = it->second;
      if (m.kind == MessageKind::kArrowMsg) m.arrow.store_id.application_id = it->second;
      if (m.kind == MessageKind::kBlueprintActivationCommand) {
        m.activation.blueprint_id.application_id = it->second;
      }
    }
  }
  if (m.kind == MessageKind::kEnd) {
    m.store_id = {StoreKind::kUnspecified, "", ""};
    end_body_offset = p + kMessageHeaderBytes;
    end_body_bytes = len;
    end_body_checksum = internal::footer_checksum(body);
    state = State::kStreamFooter;
  }
  consume_to(p + need);
  return std::optional<Message>(std::move(m));
}

Result<std::optional<Message>> RrdDecoder::Impl::read_stream_footer(bool& progressed) {
  const uint64_t p = pos();
  if (avail() == 0 && finished) {
    state = State::kDone;  // an End with nothing after it: valid
    return std::optional<Message>();
  }
  if (avail() >= kStreamFooterBytes && is_stream_footer(at(p))) {
    const uint8_t* f = at(p);
    const uint64_t footer_offset = get_u64_le(f);
    const uint64_t footer_bytes = get_u64_le(f + 8);
    const uint32_t checksum = get_u32_le(f + 16);
    const uint32_t count = get_u32_le(f + 28);
    const std::string here = source + ": stream footer at byte " + std::to_string(p);
    if (count != 1) {
      warnings.push_back(here + " points at " + std::to_string(count) +
                         " footers; only the one before it was read");
    } else if (footer_offset != end_body_offset - stream_offset || footer_bytes != end_body_bytes) {
      warnings.push_back(here + " does not point at the End message before it");
    } else if (checksum != end_body_checksum) {
      warnings.push_back(here + ": the footer's xxh32 checksum does not match");
    }
    consume_to(p + kStreamFooterBytes);
    state = State::kStreamHeader;
    progressed = true;
    return std::optional<Message>();
  }
  if (avail() >= 4 && is_fourcc(at(p))) {  // a stream header: the footer was left out
    state = State::kStreamHeader;
    progressed = true;
    return std::optional<Message>();
  }
  if (avail() < kStreamFooterBytes && !finished) return std::optional<Message>();
  if (avail() < kStreamFooterBytes) {
    warnings.push_back(source + " is truncated inside the stream footer at byte " +
                       std::to_string(p));
    state = State::kDone;
    return std::optional<Message>();
  }
  begin_resync(p,
               Status::Corrupt(source + ": bytes at " + std::to_string(p) +
                               " after an End message are neither a stream footer nor a stream "
                               "header"),
               false, 0);
  progressed = true;
  return std::optional<Message>();
}

Result<std::optional<Message>> RrdDecoder::Impl::resync(bool& progressed) {
  if (resume_candidate != 0) {
    const int c =
        resume_candidate < end_offset() ? candidate(resume_candidate) : (finished ? 0 : -1);
    if (c < 0) return std::optional<Message>();
    if (c == 1) scan_from = resume_candidate;
    resume_candidate = 0;
  }
  uint64_t p = std::max(scan_from, pos());
  for (; p < end_offset(); ++p) {
    const int c = candidate(p);
    if (c < 0) {  // wait for more bytes to judge this position
      scan_from = p;
      return std::optional<Message>();
    }
    if (c == 1) break;
  }
  if (p >= end_offset() && !finished) {
    scan_from = p;
    consume_to(std::min<uint64_t>(p, end_offset()));  // nothing before p can start a message
    return std::optional<Message>();
  }
  progressed = true;
  if (p >= end_offset()) {  // nothing plausible up to the end of the input
    consume_to(end_offset());
    state = State::kDone;
    if (truncation_if_nothing_follows) {
      warnings.push_back(source + " is truncated: the message at byte " +
                         std::to_string(corrupt_at) +
                         " is incomplete; every complete message before it was read");
      return std::optional<Message>();
    }
    return pending.with_context("no message follows to the end of the input (" +
                                std::to_string(end_offset()) + " bytes)");
  }
  consume_to(p);
  state = (avail() >= 4 && is_fourcc(at(p))) ? State::kStreamHeader : State::kMessage;
  warnings.push_back(source + ": skipped " + std::to_string(p - corrupt_at) +
                     " bytes after the corrupt message at byte " + std::to_string(corrupt_at) +
                     ", resuming at byte " + std::to_string(p));
  return pending.with_context("resuming at byte " + std::to_string(p));
}

Result<std::optional<Message>> RrdDecoder::Impl::step(bool& progressed) {
  switch (state) {
    case State::kStreamHeader:
      return read_stream_header(progressed);
    case State::kMessage:
      return read_message(progressed);
    case State::kStreamFooter:
      return read_stream_footer(progressed);
    case State::kResync:
      return resync(progressed);
    case State::kDone:
      break;
  }
  return std::optional<Message>();
}

RrdDecoder::RrdDecoder(std::string source, DecoderOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->source = std::move(source);
  impl_->options = options;
}
RrdDecoder::~RrdDecoder() = default;

void RrdDecoder::push(std::span<const uint8_t> bytes) {
  if (impl_->finished || bytes.empty()) return;
  impl_->buf.insert(impl_->buf.end(), bytes.begin(), bytes.end());
}

std::span<uint8_t> RrdDecoder::prepare(size_t n) {
  Impl& d = *impl_;
  if (d.head > 0 && d.head * 2 >= d.buf.size()) {
    d.buf.erase(d.buf.begin(), d.buf.begin() + std::ptrdiff_t(d.head));
    d.base += d.head;
    d.head = 0;
  }
  const size_t old = d.buf.size();
  d.buf.resize(old + n);
  d.prepared = n;
  return {d.buf.data() + old, n};
}

void RrdDecoder::commit(size_t n) {
  // prepare() grew the buffer by its n; keep what was written.
  Impl& d = *impl_;
  d.buf.resize(d.buf.size() - (d.prepared - std::min(n, d.prepared)));
  d.prepared = 0;
}

void RrdDecoder::finish() { impl_->finished = true; }

bool RrdDecoder::at_end() const { return impl_->state == State::kDone; }

size_t RrdDecoder::bytes_wanted() const {
  const Impl& d = *impl_;
  if (d.state == State::kMessage && d.avail() >= kMessageHeaderBytes) {
    const uint64_t need = kMessageHeaderBytes + get_u64_le(d.at(d.pos()) + 8);
    if (need > d.avail() && need <= d.options.max_message_bytes + kMessageHeaderBytes) {
      return size_t(need - d.avail());
    }
  }
  return 0;
}

void RrdDecoder::add_resync_offsets(std::span<const uint64_t> offsets) {
  impl_->resync_offsets.insert(offsets.begin(), offsets.end());
}

Result<std::optional<Message>> RrdDecoder::next() {
  while (true) {
    bool progressed = false;
    auto r = impl_->step(progressed);
    if (!r.ok() || *r || !progressed) return r;
  }
}

const std::vector<std::string>& RrdDecoder::warnings() const { return impl_->warnings; }
uint64_t RrdDecoder::bytes_consumed() const { return impl_->pos(); }
const std::string& RrdDecoder::source() const { return impl_->source; }

}  // namespace reel::format::rrd
