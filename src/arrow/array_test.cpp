#include "reel/arrow/array.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace reel::arrow {
namespace {

TEST(ArrayDataTest, MakeBuildsAnArrayInOneExpression) {
  auto values = make_primitive<int32_t>({1, 2, 3});
  auto offsets = Buffer::copy_of(std::vector<int32_t>{0, 1, 3}.data(), 12);
  auto l = ArrayData::make(list(int32()), 2, 0, {nullptr, offsets}, {values});
  ASSERT_TRUE(validate(*l).ok()) << validate(*l).to_string();
  EXPECT_EQ(array_to_string(*l), "[[1], [2, 3]]");
  auto sliced = ArrayData::make(int32(), 2, 0, {nullptr, values->buffers[1]}, {}, 1);
  EXPECT_EQ(array_to_string(*sliced), "[2, 3]");
  auto nulls = ArrayData::make(null(), 5, 5, {});
  EXPECT_TRUE(validate(*nulls).ok());
}

TEST(ArrayDataDeathTest, MakeAbortsOnAShapeTheTypeDoesNotHave) {
  auto values = make_primitive<int32_t>({1});
  EXPECT_DEATH(ArrayData::make(int32(), 1, 0, {nullptr}), "int32 has 2 buffers and 0 children");
  EXPECT_DEATH(ArrayData::make(list(int32()), 1, 0, {nullptr, values->buffers[1]}),
               "list<item: int32> has 2 buffers and 1 children, not 2 and 0");
  EXPECT_DEATH(ArrayData::make(struct_({field("a", int32())}), 1, 0, {nullptr}),
               "has 1 buffers and 1 children");
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

TEST(ArrayTest, SlicedStructFieldsFollowTheOffset) {
  auto s = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 2, 3})}).value();
  StructArray sl(s->slice(1, 2));
  EXPECT_EQ(array_to_string(*sl.field("x")), "[2, 3]");
  EXPECT_EQ(sl.field("nope"), nullptr);
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

}  // namespace
}  // namespace reel::arrow
