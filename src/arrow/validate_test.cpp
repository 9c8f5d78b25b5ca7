#include "reel/arrow/array.hpp"

#include <gtest/gtest.h>

namespace reel::arrow {
namespace {

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
  auto f64 = ArrayData::make(float64(), 1152921504606847000, 0, {nullptr, tiny});  // * 8 wraps
  EXPECT_FALSE(validate(*f64).ok());
  auto strings = ArrayData::make(utf8(), 4394105861430050819, 0,  // (n + 1) * 4 overflows
                                 {nullptr, tiny, tiny});
  EXPECT_FALSE(validate(*strings).ok());
  auto bools = ArrayData::make(boolean(), INT64_MAX, 1, {tiny, tiny}, {}, 8);
  EXPECT_FALSE(validate(*bools).ok());
  auto lists = ArrayData::make(fixed_size_list(field("item", float32()), 3), INT64_MAX / 2, 0,
                               {nullptr}, {make_primitive<float>({1, 2, 3})});
  EXPECT_FALSE(validate(*lists).ok());
  auto structs = ArrayData::make(struct_({field("a", int8())}), INT64_MAX, 0, {nullptr},
                                 {make_primitive<int8_t>({1})}, 1);
  EXPECT_FALSE(validate(*structs).ok());
}

}  // namespace
}  // namespace reel::arrow
