#include "reel/arrow/buffer.hpp"

#include <gtest/gtest.h>

namespace reel::arrow {
namespace {

TEST(BufferTest, AllocationsAre64ByteAlignedAndPadded) {
  auto b = Buffer::allocate(10);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % 64, 0u);
  EXPECT_EQ(b->size(), 10u);
  EXPECT_EQ(b->capacity(), 64u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(b->data()[i], 0);
}

TEST(BufferTest, SlicesShareMemoryAndAccountToTheirParent) {
  auto b = Buffer::allocate(1000);
  b->mutable_data()[500] = 7;
  BufferPtr parent = b;
  auto s = Buffer::slice(parent, 500, 10);
  EXPECT_EQ(s->data()[0], 7);
  EXPECT_EQ(s->memory_key(), parent->memory_key());
  EXPECT_EQ(s->capacity(), 0u);
  auto s2 = Buffer::slice(s, 1, 100);  // clamped to the slice
  EXPECT_EQ(s2->size(), 9u);
  EXPECT_EQ(s2->memory_key(), parent->memory_key());
}

TEST(BufferTest, MutableBufferFinishShrinksSlack) {
  MutableBuffer m;
  m.reserve(1 << 20);
  m.append_value<int64_t>(42);
  auto b = m.finish();
  EXPECT_EQ(b->size(), 8u);
  EXPECT_LE(b->memory_bytes(), 64u);
  EXPECT_EQ(b->data_as<int64_t>()[0], 42);
}

TEST(BitUtilTest, CountAndCopyBits) {
  uint8_t bits[16] = {};
  for (int i = 0; i < 128; i += 3) bit_util::set_bit(bits, i);
  EXPECT_EQ(bit_util::count_set_bits(bits, 0, 128), 43);
  EXPECT_EQ(bit_util::count_set_bits(bits, 1, 6), 2);  // bits 3 and 6
  uint8_t dst[16] = {};
  bit_util::copy_bits(bits, 3, 100, dst, 5);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(bit_util::get_bit(dst, 5 + i), bit_util::get_bit(bits, 3 + i)) << i;
  }
}

}  // namespace
}  // namespace reel::arrow
