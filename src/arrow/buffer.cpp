#include "reel/arrow/buffer.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <new>
#include <string>

namespace reel::arrow {

struct Buffer::Private {};

namespace {

uint8_t* aligned_alloc_zeroed(size_t capacity) {
  if (capacity == 0) return nullptr;
  void* p = std::aligned_alloc(kAlignment, capacity);
  if (p) std::memset(p, 0, capacity);
  return static_cast<uint8_t*>(p);
}

}  // namespace

Buffer::Buffer(Private, uint8_t* data, size_t size, size_t capacity, bool owns, BufferPtr parent,
               std::shared_ptr<const void> foreign_owner)
    : data_(data),
      size_(size),
      capacity_(capacity),
      owns_(owns),
      parent_(std::move(parent)),
      foreign_owner_(std::move(foreign_owner)) {}

Buffer::~Buffer() {
  if (owns_) std::free(data_);
}

Result<std::shared_ptr<Buffer>> Buffer::try_allocate(size_t size) {
  size_t capacity = round_up_64(size);
  uint8_t* data = aligned_alloc_zeroed(capacity);
  if (capacity != 0 && data == nullptr) {
    return Status::CapacityError("cannot allocate " + std::to_string(size) + " bytes");
  }
  return std::make_shared<Buffer>(Private{}, data, size, capacity, true, nullptr, nullptr);
}

Result<std::shared_ptr<Buffer>> Buffer::try_allocate_for_overwrite(size_t size) {
  if (size > (size_t{1} << 62))
    return Status::CapacityError("cannot allocate " + std::to_string(size) + " bytes");
  const size_t capacity = round_up_64(size);
  auto* p = capacity ? static_cast<uint8_t*>(std::aligned_alloc(kAlignment, capacity)) : nullptr;
  if (capacity && !p) {
    return Status::CapacityError("cannot allocate " + std::to_string(size) + " bytes");
  }
  if (capacity > size) std::memset(p + size, 0, capacity - size);
  return std::make_shared<Buffer>(Private{}, p, size, capacity, true, nullptr, nullptr);
}

std::shared_ptr<Buffer> Buffer::allocate(size_t size) {
  auto r = try_allocate(size);
  if (!r.ok()) throw std::bad_alloc();
  return std::move(r).value();
}

std::shared_ptr<Buffer> Buffer::copy_of(const void* data, size_t size) {
  // Not zero-filled first: the copy overwrites it, only the padding is cleared.
  auto b = try_allocate_for_overwrite(size);
  if (!b.ok()) throw std::bad_alloc();
  if (size) std::memcpy((*b)->mutable_data(), data, size);
  return std::move(b).value();
}

BufferPtr Buffer::wrap(const void* data, size_t size, std::shared_ptr<const void> owner) {
  return std::make_shared<const Buffer>(Private{},
                                        const_cast<uint8_t*>(static_cast<const uint8_t*>(data)),
                                        size, size, false, nullptr, std::move(owner));
}

BufferPtr Buffer::slice(const BufferPtr& parent, size_t offset, size_t size) {
  offset = std::min(offset, parent->size());
  size = std::min(size, parent->size() - offset);
  // Keep the root as parent so chains of slices do not nest.
  BufferPtr root = parent;
  if (!parent->owns_ && parent->parent_) root = parent->parent_;
  return std::make_shared<const Buffer>(Private{}, const_cast<uint8_t*>(parent->data() + offset),
                                        size, 0, false, root, parent->foreign_owner_);
}

size_t Buffer::memory_bytes() const {
  if (owns_) return capacity_;
  if (parent_) return parent_->memory_bytes();
  return size_;  // foreign memory: its visible size
}

const void* Buffer::memory_key() const {
  if (owns_) return this;
  if (parent_) return parent_->memory_key();
  return foreign_owner_ ? foreign_owner_.get() : static_cast<const void*>(this);
}

// ---------------------------------------------------------------------------------------

MutableBuffer::MutableBuffer(MutableBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

MutableBuffer& MutableBuffer::operator=(MutableBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

MutableBuffer::~MutableBuffer() { std::free(data_); }

void MutableBuffer::grow(size_t min_capacity) {
  reserve(std::max(min_capacity, std::max<size_t>(capacity_ * 2, 256)));
}

void MutableBuffer::reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  capacity = round_up_64(capacity);
  void* p = std::aligned_alloc(kAlignment, capacity);
  if (!p) throw std::bad_alloc();
  if (size_) std::memcpy(p, data_, size_);
  std::free(data_);
  data_ = static_cast<uint8_t*>(p);
  capacity_ = capacity;
}

void MutableBuffer::resize(size_t size) {
  if (size > capacity_) reserve(size);
  if (size > size_) std::memset(data_ + size_, 0, size - size_);
  size_ = size;
}

BufferPtr MutableBuffer::finish(bool shrink) {
  size_t padded = round_up_64(size_);
  if (shrink && capacity_ > padded + padded / 8 + 64) {
    auto b = Buffer::copy_of(data_, size_);
    clear();
    return b;
  }
  // Zero the padding so the bytes past `size` are deterministic (IPC writes them).
  if (capacity_ > size_) std::memset(data_ + size_, 0, capacity_ - size_);
  auto b = std::make_shared<const Buffer>(Buffer::Private{}, data_, size_, capacity_, true, nullptr,
                                          nullptr);
  data_ = nullptr;
  size_ = capacity_ = 0;
  return b;
}

namespace bit_util {

int64_t count_set_bits(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t count = 0;
  int64_t i = offset;
  const int64_t end = offset + length;
  while (i < end && (i & 63) != 0) count += get_bit(bits, i++);
  while (i + 64 <= end) {
    uint64_t word;
    std::memcpy(&word, bits + (i >> 3), 8);
    count += std::popcount(word);
    i += 64;
  }
  while (i < end) count += get_bit(bits, i++);
  return count;
}

void copy_bits(const uint8_t* src, int64_t src_offset, int64_t length, uint8_t* dst,
               int64_t dst_offset) {
  if ((src_offset & 7) == 0 && (dst_offset & 7) == 0) {
    int64_t whole = length / 8;
    if (whole > 0) std::memcpy(dst + dst_offset / 8, src + src_offset / 8, size_t(whole));
    for (int64_t i = whole * 8; i < length; ++i) {
      set_bit_to(dst, dst_offset + i, get_bit(src, src_offset + i));
    }
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    set_bit_to(dst, dst_offset + i, get_bit(src, src_offset + i));
  }
}

}  // namespace bit_util
}  // namespace reel::arrow
