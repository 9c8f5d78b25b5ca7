#include "reel/arrow/array.hpp"

#include <gtest/gtest.h>

namespace reel::arrow {
namespace {

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

}  // namespace
}  // namespace reel::arrow
