#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "import/compression_internal.hpp"
#include "import/stream_input_internal.hpp"

namespace reel::import::internal {

uint32_t crc32(uint32_t crc, const uint8_t* p, size_t n) {
  while (n > 0) {
    const uInt k = uInt(std::min<size_t>(n, std::numeric_limits<uInt>::max()));
    crc = uint32_t(::crc32(crc, p, k));
    p += k;
    n -= k;
  }
  return crc;
}

std::optional<uint64_t> StreamInput::remaining() const {
  const auto size = source_->size();
  if (!size) return std::nullopt;
  return *size > offset_ ? *size - offset_ : 0;
}

void StreamInput::add_crc(const uint8_t* p, size_t n) {
  if (crc_on_) crc_ = crc32(crc_, p, n);
}

Result<size_t> StreamInput::read(uint8_t* out, size_t n) {
  REEL_ASSIGN_OR_RETURN(size_t got, source_->read(out, n));
  add_crc(out, got);
  offset_ += got;
  return got;
}

Result<std::shared_ptr<arrow::Buffer>> StreamInput::read_buffer(
    uint64_t n, std::shared_ptr<arrow::Buffer>& slot) {
  const auto left = remaining();
  if (left) {
    const uint64_t k = std::min(n, *left);
    REEL_ASSIGN_OR_RETURN(auto buffer, reusable_buffer(slot, size_t(k)));
    REEL_ASSIGN_OR_RETURN(size_t got, read(buffer->mutable_data(), size_t(k)));
    buffer->set_size(got);
    return buffer;
  }
  // Unknown size (a pipe): grow with the bytes that arrive.
  constexpr uint64_t kStep = uint64_t(16) << 20;
  REEL_ASSIGN_OR_RETURN(auto buffer, reusable_buffer(slot, size_t(std::min(n, kStep))));
  size_t have = 0;
  while (have < n) {
    if (have == buffer->size()) {
      const uint64_t want = std::min<uint64_t>(n, uint64_t(buffer->size()) * 2);
      REEL_ASSIGN_OR_RETURN(auto bigger, arrow::Buffer::try_allocate_for_overwrite(size_t(want)));
      std::memcpy(bigger->mutable_data(), buffer->data(), have);
      buffer = std::move(bigger);
      slot = buffer;
    }
    REEL_ASSIGN_OR_RETURN(size_t got, read(buffer->mutable_data() + have, buffer->size() - have));
    if (got == 0) break;
    have += got;
  }
  buffer->set_size(have);
  return buffer;
}

Result<uint64_t> StreamInput::skip(uint64_t n) {
  if (!crc_on_) {
    REEL_ASSIGN_OR_RETURN(uint64_t k, source_->skip(n));
    offset_ += k;
    return k;
  }
  uint8_t scratch[1 << 14];
  uint64_t done = 0;
  while (done < n) {
    REEL_ASSIGN_OR_RETURN(size_t got,
                          read(scratch, size_t(std::min<uint64_t>(n - done, sizeof scratch))));
    if (got == 0) break;
    done += got;
  }
  return done;
}

}  // namespace reel::import::internal
