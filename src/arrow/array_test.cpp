#include "reel/arrow/array.hpp"

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

TEST(ArrayTest, PrimitiveBuilderWithNulls) {
  PrimitiveBuilder<int32_t> b;
  b.append(1);
  b.append_null();
  b.append(3);
  auto a = b.finish();
  ASSERT_TRUE(validate(*a).ok());
  EXPECT_EQ(a->length, 3);
  EXPECT_EQ(a->null_count, 1);
  PrimitiveArray<int32_t> v(a);
  EXPECT_EQ(v.value(0), 1);
  EXPECT_TRUE(v.is_null(1));
  EXPECT_EQ(v.value(2), 3);
  EXPECT_EQ(array_to_string(*a), "[1, null, 3]");
}

TEST(ArrayTest, NoValidityBitmapWithoutNulls) {
  auto a = make_primitive<double>({1.0, 2.0});
  EXPECT_EQ(a->buffers[0], nullptr);
  EXPECT_EQ(a->null_count, 0);
}

TEST(ArrayTest, SliceIsZeroCopyAndRecountsNulls) {
  PrimitiveBuilder<int64_t> b;
  for (int i = 0; i < 100; ++i) (i % 10 == 0) ? b.append_null() : b.append(i);
  auto a = b.finish();
  auto s = a->slice(5, 20);
  EXPECT_EQ(s->buffers[1], a->buffers[1]);
  EXPECT_EQ(s->length, 20);
  EXPECT_EQ(s->null_count, 2);  // 10 and 20
  EXPECT_EQ(PrimitiveArray<int64_t>(s).value(0), 5);
  EXPECT_TRUE(validate(*s).ok());
}

TEST(ArrayTest, StringsAndEquality) {
  auto a = make_strings({"a", "bc", ""});
  auto b = make_strings({"x", "a", "bc", "", "y"})->slice(1, 3);
  ASSERT_TRUE(validate(*a).ok());
  EXPECT_TRUE(array_equals(a, b));
  EXPECT_FALSE(array_equals(a, make_strings({"a", "bc", "d"})));
  EXPECT_EQ(BinaryArray(b).value(1), "bc");
}

TEST(ArrayTest, InvalidUtf8IsRejected) {
  BinaryBuilder b(utf8());
  b.append(std::string_view("\xC3\x28", 2));
  auto st = validate(*b.finish());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("UTF-8"), std::string::npos);
  BinaryBuilder ok(utf8());
  ok.append("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_TRUE(validate(*ok.finish()).ok());
}

TEST(ArrayTest, ListOfFixedSizeList) {
  auto positions = make_builder(list(fixed_size_list(float32(), 3)));
  auto& lb = static_cast<ListBuilder&>(*positions);
  auto& fsl = lb.child_as<FixedSizeListBuilder>();
  auto& f = fsl.child_as<PrimitiveBuilder<float>>();
  for (int row = 0; row < 3; ++row) {
    if (row == 1) {
      lb.append_null();
      continue;
    }
    for (int p = 0; p <= row; ++p) {
      f.append(float(p));
      f.append(1);
      f.append(2);
      fsl.append_entry();
    }
    lb.append_entry();
  }
  auto a = positions->finish();
  ASSERT_TRUE(validate(*a).ok()) << validate(*a).to_string();
  ListArray l(a);
  EXPECT_EQ(l.value_length(0), 1);
  EXPECT_EQ(l.value_length(1), 0);
  EXPECT_EQ(l.value_length(2), 3);
  EXPECT_TRUE(l.is_null(1));
  EXPECT_EQ(array_to_string(*a), "[[[0, 1, 2]], null, [[0, 1, 2], [1, 1, 2], [2, 1, 2]]]");
}

TEST(ArrayTest, ConcatenateSlicedListsRebasesOffsets) {
  auto l1 = make_list(std::vector<int32_t>{0, 2, 3}, make_primitive<int32_t>({1, 2, 3})).value();
  auto l2 = make_list(std::vector<int32_t>{0, 1, 1, 4}, make_primitive<int32_t>({4, 5, 6, 7}))
                .value()
                ->slice(1, 2);
  std::vector<ArrayPtr> parts = {l1, l2};
  auto c = concatenate(parts).value();
  ASSERT_TRUE(validate(*c).ok());
  EXPECT_EQ(array_to_string(*c), "[[1, 2], [3], [], [5, 6, 7]]");
}

TEST(ArrayTest, ConcatenateKeepsNulls) {
  PrimitiveBuilder<uint16_t> b;
  b.append(1);
  b.append_null();
  auto a = b.finish();
  std::vector<ArrayPtr> parts = {make_primitive<uint16_t>({7}), a, a->slice(1, 1)};
  auto c = concatenate(parts).value();
  EXPECT_EQ(array_to_string(*c), "[7, 1, null, null]");
  EXPECT_EQ(c->null_count, 2);
}

TEST(ArrayTest, ConcatenateRejectsMixedTypes) {
  std::vector<ArrayPtr> parts = {make_primitive<int32_t>({1}), make_primitive<int64_t>({1})};
  auto r = concatenate(parts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
}

TEST(ArrayTest, TakeStructAndStrings) {
  auto s = make_struct({field("id", uint16()), field("label", utf8())},
                       {make_primitive<uint16_t>({1, 2, 3}), make_strings({"a", "b", "c"})})
               .value();
  std::vector<int64_t> idx = {2, 0, 2};
  auto t = take(*s, idx).value();
  ASSERT_TRUE(validate(*t).ok());
  EXPECT_EQ(array_to_string(*t), "[{id: [3], label: [\"c\"]}, {id: [1], label: [\"a\"]}, {id: [3], label: [\"c\"]}]");
  std::vector<int64_t> bad = {3};
  EXPECT_EQ(take(*s, bad).status().code(), StatusCode::kIndexError);
}

TEST(ArrayTest, SlicedStructFieldsFollowTheOffset) {
  auto s = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 2, 3})}).value();
  StructArray sl(s->slice(1, 2));
  EXPECT_EQ(array_to_string(*sl.field("x")), "[2, 3]");
  EXPECT_EQ(sl.field("nope"), nullptr);
}

TEST(ArrayTest, ValidateCatchesBadOffsets) {
  auto ok = make_list(std::vector<int32_t>{0, 2}, make_primitive<int32_t>({1, 2}));
  ASSERT_TRUE(ok.ok());
  auto bad = make_list(std::vector<int32_t>{0, 3}, make_primitive<int32_t>({1, 2}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("out of bounds"), std::string::npos);
  auto dec = make_list(std::vector<int32_t>{0, 2, 1}, make_primitive<int32_t>({1, 2}));
  ASSERT_FALSE(dec.ok());
}

// Found by recording_reader_fuzz and ipc_fuzz: lengths from an IPC field node (any int64)
// overflowed the buffer sizes validate() computes from them (UBSan: signed integer overflow
// in `(offset + length) * width`), so a tiny buffer could pass as large enough. The lengths
// are the fuzzers'.
TEST(ArrayTest, ValidateRejectsLengthsWhoseSizesOverflow) {
  auto tiny = Buffer::allocate(64);
  auto with_length = [&](TypePtr type, int64_t length, int64_t offset = 0) {
    auto a = std::make_shared<ArrayData>();
    a->type = std::move(type);
    a->length = length;
    a->offset = offset;
    return a;
  };
  auto f64 = with_length(float64(), 1152921504606847000);  // * 8 wraps to a small size
  f64->buffers = {nullptr, tiny};
  EXPECT_FALSE(validate(*f64).ok());
  auto strings = with_length(utf8(), 4394105861430050819);  // (n + 1) * 4 overflows
  strings->buffers = {nullptr, tiny, tiny};
  EXPECT_FALSE(validate(*strings).ok());
  auto bools = with_length(boolean(), INT64_MAX, 8);
  bools->buffers = {tiny, tiny};
  bools->null_count = 1;
  EXPECT_FALSE(validate(*bools).ok());
  auto lists = with_length(fixed_size_list(field("item", float32()), 3), INT64_MAX / 2);
  lists->buffers = {nullptr};
  lists->children = {make_primitive<float>({1, 2, 3})};
  EXPECT_FALSE(validate(*lists).ok());
  auto structs = with_length(struct_({field("a", int8())}), INT64_MAX, 1);
  structs->buffers = {nullptr};
  structs->children = {make_primitive<int8_t>({1})};
  EXPECT_FALSE(validate(*structs).ok());
}

// Found by ipc_fuzz (a timeout): a list<struct<>> row whose offsets claim 2^31 - 1 instances
// needs no memory for them (a struct without fields has no buffers), and array_equals
// compared them one by one. Arrays without nulls now compare children column-wise.
TEST(ArrayTest, EqualityOfMemorylessValuesIsNotPerRow) {
  auto empty_struct = std::make_shared<ArrayData>();
  empty_struct->type = struct_({});
  empty_struct->length = INT32_MAX;
  empty_struct->buffers = {nullptr};
  ASSERT_TRUE(validate(*empty_struct).ok());
  auto lists = make_list(std::vector<int32_t>{0, INT32_MAX}, empty_struct);
  ASSERT_TRUE(lists.ok()) << lists.status().to_string();
  EXPECT_TRUE(array_equals(*lists, *lists));
  auto nulls = make_null_array(null(), INT64_MAX / 2);
  EXPECT_TRUE(array_equals(nulls, nulls));
  auto fsl = std::make_shared<ArrayData>();
  fsl->type = fixed_size_list(field("item", struct_({})), 1 << 20);
  fsl->length = 1 << 20;
  fsl->buffers = {nullptr};
  auto child = std::make_shared<ArrayData>(*empty_struct);
  child->length = int64_t(1) << 40;
  fsl->children = {child};
  ASSERT_TRUE(validate(*fsl).ok());
  EXPECT_TRUE(array_equals(fsl, fsl));
  // Values that differ are still told apart.
  auto a = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 2})}).value();
  auto b = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 3})}).value();
  EXPECT_FALSE(array_equals(a, b));
  EXPECT_TRUE(array_equals(a->slice(0, 1), b->slice(0, 1)));
}

TEST(ArrayTest, MemoryCountsSharedBuffersOnce) {
  auto a = make_primitive<int64_t>(std::vector<int64_t>(1000, 1));
  auto s = make_struct({field("a", int64()), field("b", int64())}, {a, a}).value();
  EXPECT_EQ(s->memory_bytes(), a->memory_bytes());
  EXPECT_GE(a->memory_bytes(), 8000u);
}

TEST(ArrayTest, NullArrayOfNestedType) {
  auto n = make_null_array(list(float32()), 4);
  ASSERT_TRUE(validate(*n).ok());
  EXPECT_EQ(n->null_count, 4);
  EXPECT_EQ(array_to_string(*n), "[null, null, null, null]");
}

TEST(TypeTest, EqualityAndToString) {
  EXPECT_TRUE(type_equals(list(float32()), list(float32())));
  EXPECT_FALSE(type_equals(list(float32()), list(float64())));
  EXPECT_EQ(fixed_size_list(float32(), 3)->to_string(), "fixed_size_list<item: float32>[3]");
  EXPECT_EQ(fixed_size_list(float32(), 3)->flat_width(), 12);
  EXPECT_EQ(list(uint8())->flat_width(), 0);
}

}  // namespace
}  // namespace reel::arrow
