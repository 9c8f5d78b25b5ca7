#include "reel/chunk/chunk_arrow.hpp"

#include <gtest/gtest.h>

#include "chunk/test_util_internal.hpp"
#include "reel/arrow/ipc.hpp"

namespace reel {
namespace {

const ComponentDescriptor kPos("Points3D", "positions", "reel.components.Position3D");
const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");

using test::f64;
using test::make_chunk;
using test::make_error;

ChunkPtr sample_chunk() {
  ChunkBuilder b("/world/points");
  RowId first = RowId::reserve(3);
  for (int i = 0; i < 3; ++i) {
    arrow::FixedSizeListBuilder fsl(std::make_unique<arrow::PrimitiveBuilder<float>>(), 3);
    for (int p = 0; p < i; ++p) {
      for (int k = 0; k < 3; ++k)
        fsl.child_as<arrow::PrimitiveBuilder<float>>().append(float(i * 10 + p));
      fsl.append_entry();
    }
    b.add_row(first.plus(uint64_t(i)),
              {{Timeline::sequence("frame"), i * 2}, {Timeline::timestamp("log_time"), 1000 + i}},
              {{kPos, fsl.finish()},
               {kScalar, i == 1 ? nullptr : arrow::make_primitive<double>({i * 1.5})}});
  }
  return *b.build();
}

TEST(ChunkArrowTest, RecordBatchFollowsTheDocumentedLayout) {
  auto chunk = sample_chunk();
  auto batch = chunk_to_record_batch(*chunk);
  ASSERT_TRUE(batch.ok());
  const auto& s = *batch->schema;
  EXPECT_EQ(*s.metadata_value("reel.entity_path"), "/world/points");
  EXPECT_EQ(*s.metadata_value("reel.chunk_id"), chunk->id().to_string());
  ASSERT_EQ(s.fields.size(), 5u);
  EXPECT_EQ(s.fields[0]->name, "reel.row_id");
  EXPECT_EQ(s.fields[0]->type->to_string(), "fixed_size_binary[16]");
  EXPECT_EQ(s.fields[1]->name, "frame");  // time columns ordered by name
  EXPECT_EQ(*arrow::find_metadata(s.fields[2]->metadata, "reel.time_type"), "timestamp");
  EXPECT_EQ(s.fields[3]->name, "Points3D:positions");
  EXPECT_EQ(s.fields[3]->type->to_string(), "list<item: fixed_size_list<item: float32>[3]>");
  EXPECT_EQ(*arrow::find_metadata(s.fields[4]->metadata, "reel.component_type"),
            "reel.components.Scalar");
  EXPECT_TRUE(batch->validate().ok());
  // Row ids are big-endian: the first byte is the time's most significant byte.
  const uint8_t* id0 = batch->columns[0]->buffers[1]->data();
  EXPECT_EQ(id0[0], uint8_t(chunk->row_id(0).time_ns >> 56));
}

TEST(ChunkArrowTest, RoundTripThroughIpcKeepsEverything) {
  auto chunk = sample_chunk();
  auto batch = chunk_to_record_batch(*chunk).value();
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(arrow::ipc::write_stream(batch, bytes).ok());
  auto owner = std::make_shared<std::vector<uint8_t>>(bytes);
  auto back_batch = arrow::ipc::read_stream(*owner, owner).value();
  auto back = chunk_from_record_batch(back_batch);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_TRUE((*back)->content_equals(*chunk)) << (*back)->to_string() << chunk->to_string();
  EXPECT_EQ((*back)->id(), chunk->id());
  EXPECT_TRUE((*back)->row_ids().is_consecutive());  // runs detected again
  EXPECT_FALSE((*back)->component(kPos)->list.is_unit());
  // Unit lists (one instance per row) are detected again from the offsets.
  auto unit = ListColumn::unit(arrow::make_primitive<double>({1, 2, 3}));
  auto c = Chunk::make(RowId::create(), "/u", RowIdColumn::consecutive(RowId::reserve(3), 3), {},
                       {{kScalar, unit}})
               .value();
  auto unit_bytes = std::make_shared<std::vector<uint8_t>>();
  ASSERT_TRUE(arrow::ipc::write_stream(chunk_to_record_batch(*c).value(), *unit_bytes).ok());
  auto unit_back =
      chunk_from_record_batch(arrow::ipc::read_stream(*unit_bytes, unit_bytes).value());
  ASSERT_TRUE(unit_back.ok());
  EXPECT_TRUE((*unit_back)->component(kScalar)->list.is_unit());
  EXPECT_TRUE((*unit_back)->content_equals(*c));
}

TEST(ChunkArrowTest, DecoderNamesWhatIsWrong) {
  auto batch = chunk_to_record_batch(*sample_chunk()).value();
  auto broken = std::make_shared<arrow::Schema>(*batch.schema);
  broken->metadata.clear();
  arrow::RecordBatch no_path = batch;
  no_path.schema = broken;
  auto r = chunk_from_record_batch(no_path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("reel.entity_path"), std::string::npos);

  auto bad_time = std::make_shared<arrow::Schema>(*batch.schema);
  arrow::RecordBatch wrong = batch;
  bad_time->fields[1] =
      arrow::field("frame", arrow::float64(), false, bad_time->fields[1]->metadata);
  wrong.schema = bad_time;
  wrong.columns[1] = arrow::make_primitive<double>({1, 2, 3});
  r = chunk_from_record_batch(wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("frame"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("int64"), std::string::npos) << r.status().message();
}

TEST(ChunkArrowTest, NamesThatAreNotUtf8AreRefusedNamingTheColumn) {
  auto batch = chunk_to_record_batch(*sample_chunk()).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (auto& [k, v] : schema->metadata) {
    if (k == "reel.entity_path") v = "/world/\xff";
  }
  arrow::RecordBatch bad_path = batch;
  bad_path.schema = schema;
  auto r = chunk_from_record_batch(bad_path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid UTF-8 at byte 7"), std::string::npos)
      << r.status().message();

  // A timeline (time column) named with a stray byte.
  schema = std::make_shared<arrow::Schema>(*batch.schema);
  schema->fields[1] = arrow::field("fr\xe2me", schema->fields[1]->type, schema->fields[1]->nullable,
                                   schema->fields[1]->metadata);
  arrow::RecordBatch bad_time = batch;
  bad_time.schema = schema;
  r = chunk_from_record_batch(bad_time);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("column name: invalid UTF-8 at byte 2"), std::string::npos)
      << r.status().message();

  // A component type in the field metadata.
  schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (auto& f : schema->fields) {
    const std::string* kind = arrow::find_metadata(f->metadata, "reel.kind");
    if (!kind || *kind != "component") continue;
    auto md = f->metadata;
    for (auto& [k, v] : md) {
      if (k == "reel.component_type") v = "reel.components.\xc0";
    }
    f = arrow::field(f->name, f->type, f->nullable, md);
    break;
  }
  arrow::RecordBatch bad_component = batch;
  bad_component.schema = schema;
  r = chunk_from_record_batch(bad_component);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("reel.component_type: invalid UTF-8"), std::string::npos)
      << r.status().message();
}

TEST(ChunkArrowTest, DecodingRefusesRowIdsOfTheWrongType) {
  auto batch = chunk_to_record_batch(*make_chunk({1, 2}, {1, 2}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  schema->fields[0] =
      arrow::field("reel.row_id", arrow::int64(), false, schema->fields[0]->metadata);
  batch.schema = schema;
  batch.columns[0] = arrow::make_primitive<int64_t>({1, 2});
  auto r = chunk_from_record_batch(batch);
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(make_error(r),
            "chunk of /world/e, column 'reel.row_id': row id column must be "
            "fixed_size_binary[16], got int64");
}

TEST(ChunkArrowTest, DecodingRefusesAComponentThatIsNotAList) {
  auto batch = chunk_to_record_batch(*make_chunk({1, 2}, {1, 2}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  const size_t k = batch.columns.size() - 1;
  schema->fields[k] =
      arrow::field("Scalars:scalars", arrow::float64(), true, schema->fields[k]->metadata);
  batch.schema = schema;
  batch.columns[k] = f64({1, 2});
  auto r = chunk_from_record_batch(batch);
  EXPECT_EQ(r.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(make_error(r),
            "chunk of /world/e, component 'Scalars:scalars': component column must be a list "
            "array, got float64");
}

TEST(ChunkArrowTest, DecodingComputesStatisticsInsteadOfTrustingMetadata) {
  auto batch = chunk_to_record_batch(*make_chunk({2, 1}, {5, 4}, {1, 2})).value();
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (auto& [key, value] : schema->metadata) {
    if (key == "reel.is_sorted") value = "true";
  }
  schema->fields[1] = arrow::field(
      "frame", arrow::int64(), false,
      {{"reel.kind", "time"}, {"reel.time_type", "sequence"}, {"reel.is_sorted", "true"}});
  batch.schema = schema;
  auto c = chunk_from_record_batch(batch).value();
  EXPECT_FALSE(c->is_sorted());
  EXPECT_FALSE(c->timeline("frame")->is_sorted());
  EXPECT_EQ(c->timeline("frame")->range(), (TimeRange{4, 5}));
}

}  // namespace
}  // namespace reel
