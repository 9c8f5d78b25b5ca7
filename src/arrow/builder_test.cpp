#include "reel/arrow/array.hpp"

#include <gtest/gtest.h>

namespace reel::arrow {
namespace {

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

}  // namespace
}  // namespace reel::arrow
