#include <gtest/gtest.h>

#include <string>

#include "reel/arrow/array.hpp"

namespace reel::arrow {
namespace {

TEST(PrintTest, EveryTypeHasAForm) {
  BooleanBuilder bools;
  bools.append(true);
  bools.append_null();
  bools.append(false);
  EXPECT_EQ(array_to_string(*bools.finish()), "[true, null, false]");
  EXPECT_EQ(array_to_string(*make_primitive<int8_t>({-1, 2})), "[-1, 2]");
  EXPECT_EQ(array_to_string(*make_primitive<uint64_t>({18446744073709551615ull})),
            "[18446744073709551615]");
  EXPECT_EQ(array_to_string(*make_primitive<float>({0.5f, 1e20f})), "[0.5, 1e+20]");
  EXPECT_EQ(array_to_string(*make_primitive<double>({-2.25, 1.0 / 3})), "[-2.25, 0.333333]");
  EXPECT_EQ(array_to_string(*make_strings({"a b", ""})), "[\"a b\", \"\"]");
  EXPECT_EQ(array_to_string(*make_strings({"abc", ""}, binary())), "[<3 bytes>, <0 bytes>]");
  auto fsl = make_fixed_size_list(make_primitive<int16_t>({1, 2, 3, 4}), 2).value();
  EXPECT_EQ(array_to_string(*fsl), "[[1, 2], [3, 4]]");
  auto s = make_struct({field("x", int32()), field("y", utf8())},
                       {make_primitive<int32_t>({1, 2}), make_strings({"p", "q"})})
               .value();
  EXPECT_EQ(array_to_string(*s), "[{x: [1], y: [\"p\"]}, {x: [2], y: [\"q\"]}]");
  // Types without a printed form.
  FixedSizeBinaryBuilder fsb(2);
  fsb.append("ab");
  EXPECT_EQ(array_to_string(*fsb.finish()), "[?]");
}

TEST(PrintTest, LongArraysAreCutAtMaxValues) {
  auto a = make_primitive<int32_t>({1, 2, 3, 4, 5});
  EXPECT_EQ(array_to_string(*a, 2), "[1, 2, ... 3 more]");
  EXPECT_EQ(array_to_string(*a->slice(3, 2)), "[4, 5]");
  auto l = make_list(std::vector<int32_t>{0, 3, 5}, a).value();
  EXPECT_EQ(array_to_string(*l, 2), "[[1, 2, ... 1 more], [4, 5]]");
}

}  // namespace
}  // namespace reel::arrow
