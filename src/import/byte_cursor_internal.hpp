// Little-endian reads from a span with bounds checks: every read fails (returns false) rather
// than go past the end. Used to parse MCAP and ROS bag records.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "reel/common/byte_order.hpp"

namespace reel::import::internal {

using bytes::load_le;

class ByteCursor {
 public:
  ByteCursor() = default;
  explicit ByteCursor(std::span<const uint8_t> bytes) : p_(bytes.data()), n_(bytes.size()) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return n_ - pos_; }
  bool at_end() const { return pos_ == n_; }
  const uint8_t* here() const { return p_ + pos_; }

  template <typename T>
  bool read(T& out) {
    if (remaining() < sizeof(T)) return false;
    out = load_le<T>(p_ + pos_);
    pos_ += sizeof(T);
    return true;
  }
  bool skip(uint64_t n) {
    if (n > remaining()) return false;
    pos_ += size_t(n);
    return true;
  }
  bool bytes(uint64_t n, std::span<const uint8_t>& out) {
    if (n > remaining()) return false;
    out = {p_ + pos_, size_t(n)};
    pos_ += size_t(n);
    return true;
  }
  // A uint32 byte length, then that many bytes.
  bool string32(std::string& out) {
    uint32_t n;
    std::span<const uint8_t> b;
    if (!read(n) || !bytes(n, b)) return false;
    out.assign(reinterpret_cast<const char*>(b.data()), b.size());
    return true;
  }
  bool bytes32(std::span<const uint8_t>& out) {
    uint32_t n;
    return read(n) && bytes(n, out);
  }
  bool bytes64(std::span<const uint8_t>& out) {
    uint64_t n;
    return read(n) && bytes(n, out);
  }

 private:
  const uint8_t* p_ = nullptr;
  size_t n_ = 0;
  size_t pos_ = 0;
};

template <typename B>  // arrow::Buffer
inline std::span<const uint8_t> bytes_of(const B& b) {
  return {b.data(), b.size()};
}

inline std::string_view as_chars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace reel::import::internal
