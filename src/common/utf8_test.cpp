#include "reel/common/utf8.hpp"

#include <gtest/gtest.h>

namespace reel::utf8 {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid(""));
  EXPECT_TRUE(is_valid("/world/robot/lidar"));
  EXPECT_TRUE(is_valid("h\xC3\xA9llo \xE2\x98\xAE \xF0\x9F\xA4\x96"));  // é ☮ 🤖
  EXPECT_TRUE(is_valid("\xEF\xBF\xBD"));                                // U+FFFD
  EXPECT_TRUE(is_valid("\xF4\x8F\xBF\xBF"));                            // U+10FFFF
}

TEST(Utf8Test, NamesTheFirstIllFormedByte) {
  EXPECT_EQ(first_invalid("ab\xFF"
                          "cd"),
            2u);
  EXPECT_EQ(first_invalid("\x80"), 0u);              // a lone continuation byte
  EXPECT_EQ(first_invalid("abcdefgh\xC3"), 8u);      // cut after 8 ASCII bytes
  EXPECT_EQ(first_invalid("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(first_invalid("\xE0\x80\xAF"), 0u);      // overlong, 3 bytes
  EXPECT_EQ(first_invalid("x\xED\xA0\x80"), 1u);     // a surrogate (U+D800)
  EXPECT_EQ(first_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(first_invalid("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(first_invalid("ok \xE2\x98"), 3u);  // truncated sequence
}

TEST(Utf8Test, DescribesAndReplaces) {
  EXPECT_EQ(describe_invalid("a\xFFz\"", 1), "invalid UTF-8 at byte 1 of \"a\\xffz\\x22\"");
  EXPECT_EQ(replace_invalid("a\xFF"
                            "b\xE2\x98"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(replace_invalid("h\xC3\xA9"), "h\xC3\xA9");
}

}  // namespace
}  // namespace reel::utf8
