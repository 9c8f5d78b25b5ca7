#include "reel/arrow/array.hpp"

#include <gtest/gtest.h>

namespace reel::arrow {
namespace {

TEST(ArrayTest, StringsAndEquality) {
  auto a = make_strings({"a", "bc", ""});
  auto b = make_strings({"x", "a", "bc", "", "y"})->slice(1, 3);
  ASSERT_TRUE(validate(*a).ok());
  EXPECT_TRUE(array_equals(a, b));
  EXPECT_FALSE(array_equals(a, make_strings({"a", "bc", "d"})));
  EXPECT_EQ(BinaryArray(b).value(1), "bc");
}

// Found by ipc_fuzz (a timeout): a list<struct<>> row whose offsets claim 2^31 - 1 instances
// needs no memory for them (a struct without fields has no buffers), and array_equals
// compared them one by one. Arrays without nulls now compare children column-wise.
TEST(ArrayTest, EqualityOfMemorylessValuesIsNotPerRow) {
  auto empty_struct = ArrayData::make(struct_({}), INT32_MAX, 0, {nullptr});
  ASSERT_TRUE(validate(*empty_struct).ok());
  auto lists = make_list(std::vector<int32_t>{0, INT32_MAX}, empty_struct);
  ASSERT_TRUE(lists.ok()) << lists.status().to_string();
  EXPECT_TRUE(array_equals(*lists, *lists));
  auto nulls = make_null_array(null(), INT64_MAX / 2);
  EXPECT_TRUE(array_equals(nulls, nulls));
  auto child = ArrayData::make(struct_({}), int64_t(1) << 40, 0, {nullptr});
  auto fsl = ArrayData::make(fixed_size_list(field("item", struct_({})), 1 << 20), 1 << 20, 0,
                             {nullptr}, {child});
  ASSERT_TRUE(validate(*fsl).ok());
  EXPECT_TRUE(array_equals(fsl, fsl));
  // Values that differ are still told apart.
  auto a = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 2})}).value();
  auto b = make_struct({field("x", int32())}, {make_primitive<int32_t>({1, 3})}).value();
  EXPECT_FALSE(array_equals(a, b));
  EXPECT_TRUE(array_equals(a->slice(0, 1), b->slice(0, 1)));
}

}  // namespace
}  // namespace reel::arrow
