#include <bzlib.h>
#include <lz4frame.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_decompressBound
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "import/compression_internal.hpp"

namespace reel::import::internal {

namespace {

constexpr uint64_t kNoBound = std::numeric_limits<uint64_t>::max();

// Where decoded bytes go: a fixed span, or (for prefixes and bzip2) a buffer that grows as
// output is produced, up to `limit`.
class Output {
 public:
  Output(std::shared_ptr<arrow::Buffer> buffer, uint64_t limit, bool growable)
      : buffer_(std::move(buffer)), limit_(limit), growable_(growable) {}

  uint8_t* cursor() { return buffer_ ? buffer_->mutable_data() + pos_ : nullptr; }
  size_t room() const { return buffer_ ? buffer_->size() - pos_ : 0; }
  size_t pos() const { return pos_; }
  void advance(size_t n) { pos_ += n; }
  bool at_limit() const { return pos_ >= limit_; }
  // Makes room for more output; false when the limit is reached or memory is short.
  bool grow() {
    if (!growable_ || pos_ >= limit_) return false;
    const size_t cur = buffer_ ? buffer_->size() : 0;
    const size_t want = size_t(std::min<uint64_t>(limit_, std::max<uint64_t>(cur * 2, 1 << 16)));
    if (want <= cur) return false;
    auto next = arrow::Buffer::try_allocate_for_overwrite(want);
    if (!next.ok()) return false;
    if (pos_) std::memcpy((*next)->mutable_data(), buffer_->data(), pos_);
    buffer_ = std::move(next).value();
    return true;
  }
  std::shared_ptr<arrow::Buffer> take() {
    if (!buffer_) {
      auto empty = arrow::Buffer::try_allocate(0);
      return empty.ok() ? std::move(empty).value() : nullptr;
    }
    buffer_->set_size(pos_);
    return std::move(buffer_);
  }

 private:
  std::shared_ptr<arrow::Buffer> buffer_;
  uint64_t limit_;
  bool growable_;
  size_t pos_ = 0;
};

// Each decoder runs until the input is used up, the output is full, or the data is bad.
// Returns an empty string when every frame in `in` decoded completely, else the reason.
std::string run_lz4(std::span<const uint8_t> in, Output& out) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return "out of memory";
  std::string error;
  size_t at = 0;
  size_t hint = 1;  // 0 once a frame has ended
  while (at < in.size()) {
    // With no room left the decoder still reads end marks and checksums.
    if (out.room() == 0) out.grow();
    size_t dst = out.room();
    size_t src = in.size() - at;
    hint = LZ4F_decompress(ctx, out.cursor(), &dst, in.data() + at, &src, nullptr);
    if (LZ4F_isError(hint)) {
      error = std::string("LZ4 frame: ") + LZ4F_getErrorName(hint);
      break;
    }
    at += src;
    out.advance(dst);
    if (src == 0 && dst == 0) {
      if (out.room() == 0 && !out.grow()) {
        error = "decodes to more bytes than declared";
        break;
      }
    }
  }
  if (error.empty() && hint != 0) error = in.empty() ? "no LZ4 frame" : "LZ4 frame is incomplete";
  LZ4F_freeDecompressionContext(ctx);
  return error;
}

// One call for complete data: decodes straight into the output, every frame in turn.
std::string run_zstd_exact(std::span<const uint8_t> in, Output& out) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (!ctx) return "out of memory";
  const size_t n = ZSTD_decompressDCtx(ctx, out.cursor(), out.room(), in.data(), in.size());
  ZSTD_freeDCtx(ctx);
  if (ZSTD_isError(n)) return std::string("zstd: ") + ZSTD_getErrorName(n);
  out.advance(n);
  return {};
}

std::string run_zstd(std::span<const uint8_t> in, Output& out) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (!ctx) return "out of memory";
  // A frame may ask for a window of up to 2^31 bytes; refuse more than 32 MiB (zstd's own
  // default limit is 128 MiB; recorders use 8 MiB or less).
  ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, 25);
  std::string error;
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t hint = 1;
  while (src.pos < src.size) {
    if (out.room() == 0) out.grow();
    ZSTD_outBuffer dst{out.cursor(), out.room(), 0};
    const size_t before = src.pos;
    hint = ZSTD_decompressStream(ctx, &dst, &src);
    if (ZSTD_isError(hint)) {
      error = std::string("zstd: ") + ZSTD_getErrorName(hint);
      break;
    }
    out.advance(dst.pos);
    if (src.pos == before && dst.pos == 0) {
      if (out.room() == 0 && !out.grow()) {
        error = "decodes to more bytes than declared";
        break;
      }
    }
  }
  // Flush what the decoder still holds once the input is used up.
  while (error.empty() && hint != 0 && src.pos == src.size) {
    if (out.room() == 0 && !out.grow()) break;
    ZSTD_outBuffer dst{out.cursor(), out.room(), 0};
    hint = ZSTD_decompressStream(ctx, &dst, &src);
    if (ZSTD_isError(hint)) {
      error = std::string("zstd: ") + ZSTD_getErrorName(hint);
      break;
    }
    out.advance(dst.pos);
    if (dst.pos == 0) break;
  }
  if (error.empty() && hint != 0) error = in.empty() ? "no zstd frame" : "zstd frame is incomplete";
  ZSTD_freeDCtx(ctx);
  return error;
}

std::string run_bz2(std::span<const uint8_t> in, Output& out) {
  bz_stream s;
  std::memset(&s, 0, sizeof s);
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) return "out of memory";
  std::string error;
  s.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
  s.avail_in = unsigned(std::min<size_t>(in.size(), std::numeric_limits<unsigned>::max()));
  bool ended = false;
  while (true) {
    if (out.room() == 0 && !out.grow()) {
      error = "decodes to more bytes than declared";
      break;
    }
    const unsigned room =
        unsigned(std::min<size_t>(out.room(), std::numeric_limits<unsigned>::max()));
    s.next_out = reinterpret_cast<char*>(out.cursor());
    s.avail_out = room;
    const unsigned in_before = s.avail_in;
    const int rc = BZ2_bzDecompress(&s);
    out.advance(room - s.avail_out);
    if (rc == BZ_STREAM_END) {
      ended = true;
      break;
    }
    if (rc != BZ_OK) {
      error = "bzip2: error " + std::to_string(rc);
      break;
    }
    if (s.avail_in == 0 && in_before == 0 && s.avail_out == room) break;  // no progress
    if (s.avail_in == 0 && s.avail_out != 0) break;  // input used up, stream unfinished
  }
  if (error.empty() && !ended) error = "bzip2 stream is incomplete";
  if (error.empty() && s.avail_in != 0) error = "bytes after the end of the bzip2 stream";
  BZ2_bzDecompressEnd(&s);
  return error;
}

std::string run(Codec codec, std::span<const uint8_t> in, Output& out, bool exact) {
  switch (codec) {
    case Codec::kNone: {
      size_t at = 0;
      while (at < in.size()) {
        if (out.room() == 0 && !out.grow()) return "decodes to more bytes than declared";
        const size_t k = std::min(out.room(), in.size() - at);
        std::memcpy(out.cursor(), in.data() + at, k);
        out.advance(k);
        at += k;
      }
      return {};
    }
    case Codec::kLz4:
      return run_lz4(in, out);
    case Codec::kZstd:
      return exact ? run_zstd_exact(in, out) : run_zstd(in, out);
    case Codec::kBz2:
      return run_bz2(in, out);
  }
  return "unknown codec";
}

}  // namespace

std::optional<Codec> codec_from_name(std::string_view name) {
  if (name.empty() || name == "none") return Codec::kNone;
  if (name == "lz4") return Codec::kLz4;
  if (name == "zstd") return Codec::kZstd;
  if (name == "bz2") return Codec::kBz2;
  return std::nullopt;
}

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd";
    case Codec::kBz2:
      return "bz2";
  }
  return "?";
}

uint64_t decompressed_bound(Codec codec, std::span<const uint8_t> in) {
  switch (codec) {
    case Codec::kNone:
      return in.size();
    case Codec::kLz4:
      // An LZ4 sequence yields at most 255 bytes per input byte (match-length bytes of 255);
      // frame headers and checksums only make the real ratio smaller.
      return (uint64_t(in.size()) + 16) * 256;
    case Codec::kZstd: {
      const unsigned long long b = ZSTD_decompressBound(in.data(), in.size());
      return b == ZSTD_CONTENTSIZE_ERROR ? 0 : uint64_t(b);
    }
    case Codec::kBz2:
      return kNoBound;
  }
  return 0;
}

Result<std::shared_ptr<arrow::Buffer>> reusable_buffer(std::shared_ptr<arrow::Buffer>& slot,
                                                       size_t size) {
  if (slot && slot.use_count() == 1 && slot->capacity() >= size) {
    slot->set_size(size);
    return slot;
  }
  REEL_ASSIGN_OR_RETURN(slot, arrow::Buffer::try_allocate_for_overwrite(size));
  return slot;
}

Result<std::shared_ptr<arrow::Buffer>> decompress(Codec codec, std::span<const uint8_t> in,
                                                  uint64_t declared_size,
                                                  std::shared_ptr<arrow::Buffer> reuse) {
  const uint64_t bound = decompressed_bound(codec, in);
  if (declared_size > bound) {
    return Status::Corrupt(std::to_string(in.size()) + " bytes of " + codec_name(codec) +
                           " data cannot decode to the declared " + std::to_string(declared_size) +
                           " bytes");
  }
  if (declared_size > (uint64_t(1) << 62)) return Status::CapacityError("declared size too large");
  std::shared_ptr<arrow::Buffer> first;
  const bool grows = bound == kNoBound;
  // bzip2 has no bound: start small and grow with the output, so a lying size field costs
  // only as much memory as the data really decodes to.
  const uint64_t initial =
      grows ? std::min<uint64_t>(declared_size, uint64_t(in.size()) * 16 + (1 << 20))
            : declared_size;
  REEL_ASSIGN_OR_RETURN(first, reusable_buffer(reuse, size_t(initial)));
  Output out(std::move(first), declared_size, grows);
  std::string error = run(codec, in, out, !grows);
  if (error.empty() && out.pos() != declared_size) {
    error = "decodes to " + std::to_string(out.pos()) + " bytes, not the declared " +
            std::to_string(declared_size);
  }
  if (!error.empty()) return Status::Corrupt(std::string(codec_name(codec)) + ": " + error);
  return out.take();
}

std::shared_ptr<arrow::Buffer> decompress_prefix(Codec codec, std::span<const uint8_t> in,
                                                 uint64_t max_out) {
  Output out(nullptr, max_out, true);
  (void)run(codec, in, out, false);
  return out.take();
}

}  // namespace reel::import::internal
