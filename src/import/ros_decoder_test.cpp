// CDR and ROS 1 decoding, on bytes laid out in the test by the rules of the formats (XCDR1:
// primitives aligned to their size, at most 8, relative to the end of the 4-byte encapsulation
// header; ROS 1: packed little-endian).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "reel/import/message_decoder.hpp"

namespace {

using namespace reel;
using namespace reel::import;

class Cdr {
 public:
  explicit Cdr(bool big_endian = false, bool header = true) : be_(big_endian) {
    if (header) b_ = {0, uint8_t(big_endian ? 0 : 1), 0, 0};
    origin_ = b_.size();
  }
  template <typename T>
  Cdr& put(T v, bool align = true) {
    if (align) {
      while ((b_.size() - origin_) % std::min<size_t>(sizeof(T), 8)) b_.push_back(0xEE);
    }
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    if (be_) std::reverse(raw, raw + sizeof(T));
    b_.insert(b_.end(), raw, raw + sizeof(T));
    return *this;
  }
  Cdr& bytes(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  std::vector<uint8_t> b_;

 private:
  bool be_;
  size_t origin_;
};

const char* kSchema =
    "uint8 a\n"
    "float64 b\n"
    "string s\n"
    "int16[] v\n"
    "float64[] empty\n"
    "uint8 after\n"
    "builtin_interfaces/Time t\n"
    "uint8[] data\n"
    "Sub[2] subs\n"
    "=====\n"
    "MSG: t/Sub\n"
    "bool ok\n"
    "uint32 n\n";

std::vector<uint8_t> message(bool be) {
  Cdr c(be);
  c.put<uint8_t>(7).put<double>(2.5).put<uint32_t>(3).bytes(std::string("hi\0", 3));
  c.put<uint32_t>(2).put<int16_t>(1).put<int16_t>(-2);
  c.put<uint32_t>(0);  // an empty float64[]: no alignment to 8 after its count
  c.put<uint8_t>(9);
  c.put<int32_t>(-3).put<uint32_t>(5);
  c.put<uint32_t>(3).bytes("xyz");
  c.put<uint8_t>(1).put<uint32_t>(10).put<uint8_t>(0).put<uint32_t>(20);
  return c.b_;
}

void check_row(const arrow::ArrayPtr& rows) {
  ASSERT_TRUE(arrow::validate(*rows).ok());
  ASSERT_EQ(rows->length, 1);
  arrow::StructArray r(rows);
  EXPECT_EQ(arrow::PrimitiveArray<uint8_t>(r.field("a")).value(0), 7);
  EXPECT_EQ(arrow::PrimitiveArray<double>(r.field("b")).value(0), 2.5);
  EXPECT_EQ(arrow::StringArray(r.field("s")).value(0), "hi");
  arrow::ListArray v(r.field("v"));
  ASSERT_EQ(v.value_length(0), 2);
  EXPECT_EQ(arrow::PrimitiveArray<int16_t>(v.values()).value(1), -2);
  EXPECT_EQ(arrow::ListArray(r.field("empty")).value_length(0), 0);
  EXPECT_EQ(arrow::PrimitiveArray<uint8_t>(r.field("after")).value(0), 9);
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(r.field("t")).value(0), -3000000000 + 5);
  EXPECT_EQ(arrow::BinaryArray(r.field("data")).value(0), "xyz");
  arrow::FixedSizeListArray subs(r.field("subs"));
  arrow::StructArray sub(subs.values());
  EXPECT_TRUE(arrow::BooleanArray(sub.field("ok")).value(0));
  EXPECT_FALSE(arrow::BooleanArray(sub.field("ok")).value(1));
  EXPECT_EQ(arrow::PrimitiveArray<uint32_t>(sub.field("n")).value(1), 20u);
}

std::unique_ptr<MessageDecoder> cdr_decoder(const char* text = kSchema) {
  auto schema = parse_ros2msg("t/msg/T", text);
  EXPECT_TRUE(schema.ok()) << schema.status().to_string();
  auto d = make_cdr_decoder(std::move(schema).value());
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return std::move(d).value();
}

TEST(CdrDecoder, LittleAndBigEndianAlignedFields) {
  auto d = cdr_decoder();
  EXPECT_EQ(d->type()->to_string().substr(0, 40), "struct<a: uint8, b: float64, s: utf8, v:");
  for (bool be : {false, true}) {
    ASSERT_TRUE(d->append(message(be)).ok()) << be;
    check_row(d->finish());
  }
}

TEST(CdrDecoder, ShortMessageNamesFieldAndOffsetAndAppendsNothing) {
  auto d = cdr_decoder();
  const auto full = message(false);
  ASSERT_TRUE(d->append(full).ok());
  // Cut inside subs[1].n: its 4 bytes start at byte 68 (64 after the header).
  const std::vector<uint8_t> cut(full.begin(), full.end() - 2);
  Status st = d->append(cut);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorrupt);
  EXPECT_NE(st.message().find("field 'subs[1].n' at byte 68 of the 70-byte message"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(d->num_rows(), 1);  // the failed message left nothing behind
  auto rows = d->finish();
  ASSERT_TRUE(arrow::validate(*rows).ok());
  EXPECT_EQ(rows->length, 1);
}

TEST(CdrDecoder, RefusesOtherEncapsulationsAndLyingCounts) {
  auto d = cdr_decoder("int32 x\nfloat64[] v\nstring<=3 s\nint8[<=2] b\n");
  EXPECT_EQ(d->append(std::vector<uint8_t>{0, 3, 0, 0, 1, 0, 0, 0}).code(),
            StatusCode::kNotImplemented);  // PL_CDR_LE
  EXPECT_EQ(d->append(std::vector<uint8_t>{0, 7, 0, 0}).code(), StatusCode::kNotImplemented);
  EXPECT_EQ(d->append(std::vector<uint8_t>{0, 1}).code(), StatusCode::kCorrupt);
  // A count of 2^32-1 doubles in a 16-byte message fails before any allocation.
  Cdr huge;
  huge.put<int32_t>(1).put<uint32_t>(0xFFFFFFFF);
  Status st = d->append(huge.b_);
  EXPECT_NE(st.message().find("field 'v'"), std::string::npos) << st.message();
  Cdr bounded;
  bounded.put<int32_t>(1).put<uint32_t>(0).put<uint32_t>(5).bytes(std::string("abcd\0", 5));
  st = d->append(bounded.b_);
  EXPECT_NE(st.message().find("exceeds its bound of 3"), std::string::npos) << st.message();
  EXPECT_EQ(d->num_rows(), 0);
}

TEST(CdrDecoder, WstringIsRefusedAtCompile) {
  auto schema = parse_ros2msg("t/msg/W", "wstring w\n");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(make_cdr_decoder(std::move(schema).value()).status().code(),
            StatusCode::kNotImplemented);
}

TEST(Ros1Decoder, PackedLittleEndianWithTimes) {
  auto schema = parse_ros1msg("t/R",
                              "Header header\nint16 a\nfloat64 b\nstring s\nduration d\n"
                              "float32[2] p\nbool[] flags\n");
  ASSERT_TRUE(schema.ok()) << schema.status().to_string();
  auto d = make_ros1_decoder(std::move(schema).value()).value();
  Cdr c(false, /*header=*/false);
  c.put<uint32_t>(4, false).put<uint32_t>(100, false).put<uint32_t>(7, false);  // seq, stamp
  c.put<uint32_t>(3, false).bytes("map");                                       // frame_id, no NUL
  c.put<int16_t>(-5, false).put<double>(0.125, false);
  c.put<uint32_t>(2, false).bytes("ok");
  c.put<int32_t>(-1, false).put<int32_t>(-500, false);
  c.put<float>(1.5f, false).put<float>(-2.f, false);
  c.put<uint32_t>(2, false).put<uint8_t>(1, false).put<uint8_t>(0, false);
  ASSERT_TRUE(d->append(c.b_).ok());
  arrow::StructArray r(d->finish());
  arrow::StructArray h(r.field("header"));
  EXPECT_EQ(arrow::PrimitiveArray<uint32_t>(h.field("seq")).value(0), 4u);
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(h.field("stamp")).value(0), 100000000007);
  EXPECT_EQ(arrow::StringArray(h.field("frame_id")).value(0), "map");
  EXPECT_EQ(arrow::PrimitiveArray<int16_t>(r.field("a")).value(0), -5);
  EXPECT_EQ(arrow::PrimitiveArray<double>(r.field("b")).value(0), 0.125);
  EXPECT_EQ(arrow::StringArray(r.field("s")).value(0), "ok");
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(r.field("d")).value(0), -1000000500);
  arrow::FixedSizeListArray p(r.field("p"));
  EXPECT_EQ(arrow::PrimitiveArray<float>(p.values()).value(1), -2.f);
  arrow::ListArray flags(r.field("flags"));
  EXPECT_TRUE(arrow::BooleanArray(flags.values()).value(0));
  EXPECT_EQ(r.field("header")->type->fields()[1]->metadata,
            (arrow::Metadata{{"reel:time", "timestamp_ns"}}));
}

TEST(MessageDecoder, InvalidUtf8IsReplaced) {
  auto d = cdr_decoder("string s\n");
  Cdr c;
  c.put<uint32_t>(4).bytes(
      std::string("a\xff"
                  "b\0",
                  4));
  ASSERT_TRUE(d->append(c.b_).ok());
  auto rows = d->finish();
  ASSERT_TRUE(arrow::validate(*rows, true).ok());
  EXPECT_EQ(arrow::StringArray(arrow::StructArray(rows).field("s")).value(0),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(MessageDecoder, BatchesFillByRowsAndBytes) {
  auto schema = parse_ros2msg("t/msg/B", "uint8[] data\n");
  DecoderOptions options;
  options.batch_rows = 3;
  options.batch_bytes = 100;
  auto d = make_cdr_decoder(std::move(schema).value(), options).value();
  Cdr small;
  small.put<uint32_t>(1).bytes("x");
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(d->append(small.b_).ok());
  EXPECT_FALSE(d->batch_full());
  ASSERT_TRUE(d->append(small.b_).ok());
  EXPECT_TRUE(d->batch_full());
  EXPECT_EQ(d->finish()->length, 3);
  Cdr big;
  big.put<uint32_t>(120).bytes(std::string(120, 'z'));
  ASSERT_TRUE(d->append(big.b_).ok());
  EXPECT_TRUE(d->batch_full());
  EXPECT_EQ(d->buffered_bytes(), big.b_.size());
}

}  // namespace
