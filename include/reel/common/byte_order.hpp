// Little- and big-endian integer coding at unaligned addresses: the one place for it.
//
// File framing (.reel, .rrd, MCAP, ROS bags, CDR) is little-endian; row ids and network
// framing are big-endian. Each function reads or writes exactly sizeof(T) bytes at `p`,
// which need not be aligned.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace reel::bytes {

template <typename T>
inline T byteswap(T v) {
  static_assert(std::is_integral_v<T>);
  if constexpr (sizeof(T) == 1) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return T(__builtin_bswap16(uint16_t(v)));
  } else if constexpr (sizeof(T) == 4) {
    return T(__builtin_bswap32(uint32_t(v)));
  } else {
    static_assert(sizeof(T) == 8);
    return T(__builtin_bswap64(uint64_t(v)));
  }
}

template <typename T>
inline T load_le(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
  return v;
}
template <typename T>
inline T load_be(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = byteswap(v);
  return v;
}
template <typename T>
inline void store_le(void* p, T v) {
  if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
  std::memcpy(p, &v, sizeof v);
}
template <typename T>
inline void store_be(void* p, T v) {
  if constexpr (std::endian::native == std::endian::little) v = byteswap(v);
  std::memcpy(p, &v, sizeof v);
}

inline uint16_t get_u16(const uint8_t* p) { return load_le<uint16_t>(p); }
inline uint32_t get_u32(const uint8_t* p) { return load_le<uint32_t>(p); }
inline uint64_t get_u64(const uint8_t* p) { return load_le<uint64_t>(p); }
inline void put_u16(uint8_t* p, uint16_t v) { store_le(p, v); }
inline void put_u32(uint8_t* p, uint32_t v) { store_le(p, v); }
inline void put_u64(uint8_t* p, uint64_t v) { store_le(p, v); }

}  // namespace reel::bytes
