// Fields of Arrow types reel does not represent are passed over, the others read exactly.
// The stream comes from apache-arrow for JavaScript (tests/rerun_viewer/
// write_unsupported_columns.mjs wrote tests/data/arrow_js_unsupported_columns.arrows).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "reel/arrow/ipc.hpp"

#ifndef REEL_SOURCE_DIR
#error "REEL_SOURCE_DIR must name the source tree"
#endif

namespace reel::arrow {
namespace {

std::shared_ptr<std::vector<uint8_t>> fixture() {
  std::ifstream in(std::string(REEL_SOURCE_DIR) + "/tests/data/arrow_js_unsupported_columns.arrows",
                   std::ios::binary);
  auto bytes = std::make_shared<std::vector<uint8_t>>(std::istreambuf_iterator<char>(in),
                                                      std::istreambuf_iterator<char>());
  EXPECT_GT(bytes->size(), 1000u);
  return bytes;
}

TEST(IpcSkipUnsupported, WithoutTheOptionTheStreamFailsNamingTheFirstField) {
  auto bytes = fixture();
  auto batch = ipc::read_stream(*bytes, bytes);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kNotImplemented);
  EXPECT_EQ(batch.status().message(), "field 'dict' is dictionary-encoded");
}

TEST(IpcSkipUnsupported, SupportedColumnsBetweenSkippedOnesReadExactly) {
  auto bytes = fixture();
  std::vector<ipc::SkippedField> skipped;
  auto batch = ipc::read_stream(*bytes, bytes, &skipped);
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  ASSERT_EQ(batch->num_rows, 4);
  const Schema& schema = *batch->schema;
  std::vector<std::string> names;
  for (const auto& f : schema.fields) names.push_back(f->name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "vals", "flags", "pair", "ts"}));
  EXPECT_EQ(schema.metadata, (Metadata{{"fixture", "unsupported_columns"}}));
  EXPECT_EQ(schema.fields[1]->metadata, (Metadata{{"k", "name"}}));

  PrimitiveArray<int32_t> id(batch->columns[0]);
  EXPECT_EQ(id.value(0), 1);
  EXPECT_EQ(id.value(1), 2);
  EXPECT_TRUE(id.is_null(2));
  EXPECT_EQ(id.value(3), 4);

  BinaryArray name(batch->columns[1]);
  EXPECT_EQ(name.value(0), "a");
  EXPECT_EQ(name.value(1), "bc");
  EXPECT_TRUE(name.is_null(2));
  EXPECT_EQ(name.value(3), "def");

  ASSERT_EQ(batch->columns[2]->type->to_string(), "list<item: float64>");
  ListArray vals(batch->columns[2]);
  PrimitiveArray<double> items(vals.values());
  EXPECT_EQ(vals.value_length(0), 1);
  EXPECT_EQ(items.value(vals.value_offset(0)), 1.5);
  EXPECT_EQ(vals.value_length(1), 0);
  EXPECT_TRUE(vals.is_null(2));
  ASSERT_EQ(vals.value_length(3), 2);
  EXPECT_EQ(items.value(vals.value_offset(3)), 2.5);
  EXPECT_EQ(items.value(vals.value_offset(3) + 1), 3.5);

  BooleanArray flags(batch->columns[3]);
  EXPECT_TRUE(flags.value(0));
  EXPECT_FALSE(flags.value(1));
  EXPECT_TRUE(flags.is_null(2));
  EXPECT_TRUE(flags.value(3));

  ASSERT_EQ(batch->columns[4]->type->to_string(), "fixed_size_list<item: int32>[2]");
  FixedSizeListArray pair(batch->columns[4]);
  PrimitiveArray<int32_t> pair_items(pair.values());
  EXPECT_EQ(pair_items.value(pair.value_offset(0)), 1);
  EXPECT_EQ(pair_items.value(pair.value_offset(1) + 1), 4);
  EXPECT_TRUE(pair.is_null(2));
  EXPECT_EQ(pair_items.value(pair.value_offset(3)), 7);
  EXPECT_EQ(pair_items.value(pair.value_offset(3) + 1), 8);

  ASSERT_EQ(batch->columns[5]->type->to_string(), "timestamp[ns]");
  PrimitiveArray<int64_t> ts(batch->columns[5]);
  EXPECT_EQ(ts.value(0), 0);
  EXPECT_EQ(ts.value(1), 1);
  EXPECT_EQ(ts.value(2), 1700000000000000000);
  EXPECT_TRUE(ts.is_null(3));

  struct Expected {
    size_t index;
    std::string name, type, reason;
  };
  const std::vector<Expected> expected = {
      {1, "dict", "dictionary<values=utf8, indices=int8>", "field 'dict' is dictionary-encoded"},
      {3, "big", "large_utf8", "field 'big' has Arrow type LargeUtf8, which reel does not read"},
      {5, "day", "date32[day]", "field 'day' has Arrow type Date, which reel does not read"},
      {6, "dec", "decimal128(10, 2)",
       "field 'dec' has Arrow type Decimal, which reel does not read"},
      {8, "m", "map<entries: struct<key: utf8, value: int32>>",
       "field 'm' has Arrow type Map, which reel does not read"},
      {9, "u", "sparse_union<0 n: int32, 1 s: utf8>",
       "field 'u' is a sparse union, which reel does not read"},
      {10, "blobs", "list<item: large_binary>",
       "field 'blobs'.item has Arrow type LargeBinary, which reel does not read"},
      {11, "tagged", "struct<s: int16, d: dictionary<values=utf8, indices=int8>>",
       "field 'tagged'.d is dictionary-encoded"},
  };
  ASSERT_EQ(skipped.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(skipped[i].index, expected[i].index) << i;
    EXPECT_EQ(skipped[i].name, expected[i].name) << i;
    EXPECT_EQ(skipped[i].type, expected[i].type) << i;
    EXPECT_EQ(skipped[i].reason, expected[i].reason) << i;
    EXPECT_EQ(skipped[i].metadata, (Metadata{{"k", expected[i].name}})) << i;
  }
}

TEST(IpcSkipUnsupported, StreamReaderReportsTheSkippedFieldsWithTheSchema) {
  auto bytes = fixture();
  ipc::StreamReader reader(*bytes, bytes, ipc::ReadOptions{.skip_unsupported_fields = true});
  auto schema = reader.schema();
  ASSERT_TRUE(schema.ok()) << schema.status().to_string();
  EXPECT_EQ((*schema)->fields.size(), 6u);
  EXPECT_EQ(reader.skipped_fields().size(), 8u);
  auto batch = reader.next();  // the dictionary batches before it are passed over
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  ASSERT_TRUE(batch->has_value());
  auto end = reader.next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(IpcSkipUnsupported, ACutBodyIsStillCorruptNotMisread) {
  auto bytes = fixture();
  // Every prefix before the end marker fails; none crashes or reads past its end.
  for (size_t n = 0; n + 8 < bytes->size(); n += 7) {  // the last 8: the end marker
    auto cut = std::make_shared<std::vector<uint8_t>>(bytes->begin(), bytes->begin() + long(n));
    std::vector<ipc::SkippedField> skipped;
    auto batch = ipc::read_stream(*cut, cut, &skipped);
    EXPECT_FALSE(batch.ok()) << n;
  }
}

}  // namespace
}  // namespace reel::arrow
