#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "query/dataframe_internal.hpp"
#include "query/dataframe_test_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::dataframe {
namespace {

using test_support::DataframeTest;

TEST_F(DataframeTest, WritersProduceCsvJsonAndArrow) {
  log("/a", 1, 1.5);
  log("/b,c", 2, 2.0);
  log("/s", std::nullopt, 42.0);
  std::ostringstream csv, json, arrow_out;
  ASSERT_EQ(write_table(view(), OutputFormat::kCsv, csv).value(), 2);
  EXPECT_EQ(csv.str(),
            "frame,/a:Scalars:scalars,\"/b\\,c:Scalars:scalars\",/s:Scalars:scalars\n"
            "1,1.5,,42.0\n"
            "2,,2.0,42.0\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kJson, json).value(), 2);
  EXPECT_EQ(json.str(),
            "{\"/a:Scalars:scalars\":1.5,\"/b\\\\,c:Scalars:scalars\":null,\"/"
            "s:Scalars:scalars\":42.0,\"frame\":1}\n"
            "{\"/a:Scalars:scalars\":null,\"/b\\\\,c:Scalars:scalars\":2.0,\"/"
            "s:Scalars:scalars\":42.0,\"frame\":2}\n");
  ASSERT_EQ(write_table(view(), OutputFormat::kArrow, arrow_out).value(), 2);
  auto bytes = std::make_shared<std::string>(arrow_out.str());
  arrow::ipc::StreamReader reader({reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()},
                                  bytes);
  auto batch = reader.next();
  ASSERT_TRUE(batch.ok() && *batch) << batch.status().to_string();
  auto expected = view().read_all().value();
  ASSERT_EQ(expected.size(), 1u);
  for (size_t c = 0; c < expected[0].columns.size(); ++c) {
    EXPECT_TRUE(arrow::array_equals(expected[0].columns[c], (*batch)->columns[c])) << c;
  }
}

// Times as text: exact values worked out by hand (checked with Python's datetime).
TEST(TimeText, TimestampsAreIso8601WithNineFractionalDigits) {
  using arrow::TimeUnit;
  using internal::timestamp_text;
  EXPECT_EQ(timestamp_text(1700000000000000001, TimeUnit::kNano, true),
            "2023-11-14T22:13:20.000000001Z");
  EXPECT_EQ(timestamp_text(0, TimeUnit::kNano, true), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(timestamp_text(-1, TimeUnit::kNano, true), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(timestamp_text(951782400, TimeUnit::kSecond, true), "2000-02-29T00:00:00.000000000Z");
  EXPECT_EQ(timestamp_text(-9460800000, TimeUnit::kSecond, true), "1670-03-14T00:00:00.000000000Z");
  EXPECT_EQ(timestamp_text(253402300799123, TimeUnit::kMilli, true),
            "9999-12-31T23:59:59.123000000Z");
  EXPECT_EQ(timestamp_text(1500001, TimeUnit::kMicro, false), "1970-01-01T00:00:01.500001000");
  EXPECT_EQ(timestamp_text(INT64_MIN + 1, TimeUnit::kNano, true), "1677-09-21T00:12:43.145224193Z");
  EXPECT_EQ(timestamp_text(INT64_MAX, TimeUnit::kNano, true), "2262-04-11T23:47:16.854775807Z");
}

TEST(TimeText, DurationsAreSecondsWithNineFractionalDigits) {
  using arrow::TimeUnit;
  using internal::seconds_text;
  EXPECT_EQ(seconds_text(1500000000, TimeUnit::kNano), "1.500000000");
  EXPECT_EQ(seconds_text(1, TimeUnit::kNano), "0.000000001");
  EXPECT_EQ(seconds_text(0, TimeUnit::kNano), "0.000000000");
  EXPECT_EQ(seconds_text(-1, TimeUnit::kNano), "-0.000000001");
  EXPECT_EQ(seconds_text(-1500000000, TimeUnit::kNano), "-1.500000000");
  EXPECT_EQ(seconds_text(-2000000000, TimeUnit::kNano), "-2.000000000");
  EXPECT_EQ(seconds_text(-250, TimeUnit::kMilli), "-0.250000000");
  EXPECT_EQ(seconds_text(3, TimeUnit::kSecond), "3.000000000");
  EXPECT_EQ(seconds_text(7, TimeUnit::kMicro), "0.000007000");
  EXPECT_EQ(seconds_text(INT64_MIN, TimeUnit::kNano), "-9223372036.854775808");
  EXPECT_EQ(seconds_text(INT64_MAX, TimeUnit::kNano), "9223372036.854775807");
}

// A store with a timestamp and a duration timeline, each row on both.
class TypedTimesTest : public DataframeTest {
 protected:
  void log_at(TimeInt ts, TimeInt dur, double value) {
    ChunkBuilder b("/a");
    b.add_row(RowId::create(), {{Timeline::timestamp("t"), ts}, {Timeline::duration("d"), dur}},
              {{test_support::kScalar, arrow::make_primitive<double>({value})}});
    ASSERT_TRUE(store_->insert(*b.build()).ok());
  }
  std::string write(const char* index, OutputFormat format, bool raw = false) {
    std::ostringstream out;
    auto rows = write_table(view(index), format, out, {.raw_times = raw});
    EXPECT_TRUE(rows.ok()) << rows.status().to_string();
    return out.str();
  }
};

TEST_F(TypedTimesTest, IndexColumnsAreTypedByTheirTimeline) {
  log_at(1700000000000000001, -1500000000, 1.0);
  log("/s", 3, 2.0);  // a sequence timeline "frame"
  auto t = view("t").schema();
  EXPECT_EQ(t[0].type->to_string(), "timestamp[ns, UTC]");
  EXPECT_EQ(view("t").index_type(), TimeType::kTimestamp);
  EXPECT_EQ(view("d").schema()[0].type->to_string(), "duration[ns]");
  EXPECT_EQ(view("frame").schema()[0].type->to_string(), "int64");
  auto batches = view("t").read_all().value();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].schema->fields[0]->type->to_string(), "timestamp[ns, UTC]");
  EXPECT_EQ(batches[0].columns[0]->type->to_string(), "timestamp[ns, UTC]");
  EXPECT_EQ(batches[0].columns[0]->values<int64_t>()[0], 1700000000000000001);
  EXPECT_EQ(view("d").read_all().value()[0].columns[0]->type->to_string(), "duration[ns]");
}

TEST_F(TypedTimesTest, CsvAndJsonWriteIsoTimestampsAndSecondsUnlessRaw) {
  log_at(1700000000000000001, -1500000000, 1.0);
  log_at(1700000000500000000, 250000000, 2.5);
  EXPECT_EQ(write("t", OutputFormat::kCsv),
            "t,/a:Scalars:scalars\n"
            "2023-11-14T22:13:20.000000001Z,1.0\n"
            "2023-11-14T22:13:20.500000000Z,2.5\n");
  EXPECT_EQ(write("d", OutputFormat::kCsv),
            "d,/a:Scalars:scalars\n"
            "-1.500000000,1.0\n"
            "0.250000000,2.5\n");
  EXPECT_EQ(write("t", OutputFormat::kJson),
            "{\"/a:Scalars:scalars\":1.0,\"t\":\"2023-11-14T22:13:20.000000001Z\"}\n"
            "{\"/a:Scalars:scalars\":2.5,\"t\":\"2023-11-14T22:13:20.500000000Z\"}\n");
  EXPECT_EQ(write("d", OutputFormat::kJson),
            "{\"/a:Scalars:scalars\":1.0,\"d\":-1.500000000}\n"
            "{\"/a:Scalars:scalars\":2.5,\"d\":0.250000000}\n");
  EXPECT_EQ(write("t", OutputFormat::kCsv, true),
            "t,/a:Scalars:scalars\n"
            "1700000000000000001,1.0\n"
            "1700000000500000000,2.5\n");
  EXPECT_EQ(write("d", OutputFormat::kJson, true),
            "{\"/a:Scalars:scalars\":1.0,\"d\":-1500000000}\n"
            "{\"/a:Scalars:scalars\":2.5,\"d\":250000000}\n");
  EXPECT_EQ(write("t", OutputFormat::kTable),
            "t                              | /a:Scalars:scalars\n"
            "-------------------------------+-------------------\n"
            "2023-11-14T22:13:20.000000001Z | 1.0\n"
            "2023-11-14T22:13:20.500000000Z | 2.5\n");
}

TEST_F(TypedTimesTest, ArrowStreamKeepsTimeTypesUnlessRaw) {
  log_at(1700000000000000001, -1500000000, 1.0);
  for (bool raw : {false, true}) {
    auto bytes = std::make_shared<std::string>(write("t", OutputFormat::kArrow, raw));
    arrow::ipc::StreamReader reader(
        {reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()}, bytes);
    auto batch = reader.next();
    ASSERT_TRUE(batch.ok() && *batch) << batch.status().to_string();
    const char* type = raw ? "int64" : "timestamp[ns, UTC]";
    EXPECT_EQ(reader.schema().value()->fields[0]->type->to_string(), type);
    EXPECT_EQ((*batch)->columns[0]->type->to_string(), type);
    EXPECT_EQ((*batch)->columns[0]->values<int64_t>()[0], 1700000000000000001);
  }
}

}  // namespace
}  // namespace reel::dataframe
