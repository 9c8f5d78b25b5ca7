// Buffer: an immutable, shared, 64-byte aligned block of bytes.
//
// Ownership is shared (`BufferPtr`); arrays and chunk slices reference buffers without
// copying. A buffer either owns its allocation (reel's allocator, 64-byte aligned and padded
// to a multiple of 64 bytes with zeros, as the Arrow spec recommends) or wraps foreign memory
// kept alive by an owner handle (a numpy array, a decoded file block). Buffers are immutable
// once shared; `MutableBuffer` is the growable form builders write into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "reel/status.hpp"

namespace reel::arrow {

inline constexpr size_t kAlignment = 64;
inline constexpr size_t round_up_64(size_t n) { return (n + 63) & ~size_t{63}; }

class Buffer;
using BufferPtr = std::shared_ptr<const Buffer>;

class Buffer {
 public:
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // A zero-initialized, owned buffer of `size` bytes. Aborts only if the system allocator
  // does (as operator new does); use `try_allocate` for sizes that come from untrusted input.
  static std::shared_ptr<Buffer> allocate(size_t size);
  static Result<std::shared_ptr<Buffer>> try_allocate(size_t size);
  // Like try_allocate, but only the padding past `size` is zeroed: for buffers the caller
  // overwrites entirely (reads, decompression).
  static Result<std::shared_ptr<Buffer>> try_allocate_for_overwrite(size_t size);
  // An owned copy of `size` bytes at `data`.
  static std::shared_ptr<Buffer> copy_of(const void* data, size_t size);
  // Foreign memory: `data` stays valid as long as `owner` lives. Not copied.
  static BufferPtr wrap(const void* data, size_t size, std::shared_ptr<const void> owner);
  // A view of bytes [offset, offset+size) of `parent`, sharing its memory.
  static BufferPtr slice(const BufferPtr& parent, size_t offset, size_t size);

  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }  // only before the buffer is shared
  size_t size() const { return size_; }
  // Bytes this buffer holds on the heap: the allocation for owned buffers, 0 for slices and
  // foreign memory (the parent or owner is accounted for separately).
  size_t capacity() const { return owns_ ? capacity_ : 0; }
  // The buffer that owns the memory (itself, the slice's parent, or null for foreign memory).
  const Buffer* owner() const { return owns_ ? this : parent_.get(); }
  // Bytes of heap memory behind this buffer, for memory accounting: the owning allocation,
  // or the foreign block's size. Count each `memory_key()` once.
  size_t memory_bytes() const;
  const void* memory_key() const;

  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }
  template <typename T>
  T* mutable_data_as() {
    return reinterpret_cast<T*>(data_);
  }
  template <typename T>
  std::span<const T> span_as() const {
    return {data_as<T>(), size_ / sizeof(T)};
  }

  // Shrinks the logical size (never the allocation); used when a builder over-reserved.
  void set_size(size_t size) { size_ = size; }

  struct Private;  // construction tag

  Buffer(Private, uint8_t* data, size_t size, size_t capacity, bool owns, BufferPtr parent,
         std::shared_ptr<const void> foreign_owner);

 private:
  uint8_t* data_;
  size_t size_;
  size_t capacity_;
  bool owns_;
  BufferPtr parent_;
  std::shared_ptr<const void> foreign_owner_;
};

// A growable byte buffer with amortized appends; `finish()` hands the bytes over as a Buffer
// without copying (the allocation keeps its 64-byte alignment).
class MutableBuffer {
 public:
  MutableBuffer() = default;
  explicit MutableBuffer(size_t reserve) { this->reserve(reserve); }
  MutableBuffer(MutableBuffer&& other) noexcept;
  MutableBuffer& operator=(MutableBuffer&& other) noexcept;
  MutableBuffer(const MutableBuffer&) = delete;
  MutableBuffer& operator=(const MutableBuffer&) = delete;
  ~MutableBuffer();

  void reserve(size_t capacity);
  void resize(size_t size);  // new bytes are zero
  void clear() { size_ = 0; }
  void append(const void* bytes, size_t n) {
    if (n == 0) return;
    if (size_ + n > capacity_) grow(size_ + n);
    std::memcpy(data_ + size_, bytes, n);
    size_ += n;
  }
  template <typename T>
  void append_value(const T& v) {
    if (size_ + sizeof(T) > capacity_) grow(size_ + sizeof(T));
    std::memcpy(data_ + size_, &v, sizeof(T));
    size_ += sizeof(T);
  }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  template <typename T>
  T* data_as() {
    return reinterpret_cast<T*>(data_);
  }
  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }

  // The bytes as an immutable buffer. With `shrink`, an allocation much larger than the
  // content is copied into an exact-size one so that long-lived data holds no slack.
  BufferPtr finish(bool shrink = true);

 private:
  void grow(size_t min_capacity);
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Validity and boolean bitmaps: bit i of byte i/8, least significant bit first.
namespace bit_util {
inline bool get_bit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void set_bit(uint8_t* bits, int64_t i) { bits[i >> 3] |= uint8_t(1u << (i & 7)); }
inline void clear_bit(uint8_t* bits, int64_t i) { bits[i >> 3] &= uint8_t(~(1u << (i & 7))); }
inline void set_bit_to(uint8_t* bits, int64_t i, bool v) {
  v ? set_bit(bits, i) : clear_bit(bits, i);
}
inline int64_t bytes_for_bits(int64_t n) { return (n + 7) / 8; }
// Number of set bits in [offset, offset+length).
int64_t count_set_bits(const uint8_t* bits, int64_t offset, int64_t length);
// Copies `length` bits from src[src_offset..] to dst[dst_offset..].
void copy_bits(const uint8_t* src, int64_t src_offset, int64_t length, uint8_t* dst,
               int64_t dst_offset);
}  // namespace bit_util

}  // namespace reel::arrow
