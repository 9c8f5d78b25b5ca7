#include "reel/arrow/type.hpp"

#include <gtest/gtest.h>

#include "reel/arrow/array.hpp"

namespace reel::arrow {
namespace {

TEST(TypeTest, EqualityAndToString) {
  EXPECT_TRUE(type_equals(list(float32()), list(float32())));
  EXPECT_FALSE(type_equals(list(float32()), list(float64())));
  EXPECT_EQ(fixed_size_list(float32(), 3)->to_string(), "fixed_size_list<item: float32>[3]");
  EXPECT_EQ(fixed_size_list(float32(), 3)->flat_width(), 12);
  EXPECT_EQ(list(uint8())->flat_width(), 0);
}

}  // namespace
}  // namespace reel::arrow
