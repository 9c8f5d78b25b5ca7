// reel chunk <-> Rerun sorbet batch: the metadata and types Rerun 0.33 reads, every converted
// layout written out as Rerun's type, and round trips that give the chunk back exactly.
#include "reel/format/rrd_chunk.hpp"

#include <gtest/gtest.h>

#include "reel/arrow/ipc.hpp"
#include "reel/types/archetypes.hpp"
#include "reel/types/component_batch.hpp"

namespace reel::format::rrd {
namespace {

template <typename T>
ChunkBuilder::Cell cell(const ComponentDescriptor& d, std::vector<T> values) {
  return {d, ComponentBatch::from<T>(d, std::span<const T>(values)).to_arrow()};
}

const arrow::Field* field_named(const arrow::RecordBatch& b, std::string_view name) {
  int i = b.schema->field_index(name);
  return i < 0 ? nullptr : b.schema->fields[size_t(i)].get();
}

std::string meta(const arrow::Field& f, const char* key) {
  const std::string* v = arrow::find_metadata(f.metadata, key);
  return v ? *v : "<none>";
}

// Every converted layout in one chunk, on the three kinds of timeline.
ChunkPtr converted_chunk() {
  ChunkBuilder b("/world/cam");
  std::vector<uint8_t> pixels = {1, 2, 3, 4, 5, 6};
  std::vector<float> tensor = {1, 2, 3, 4, 5, 6};
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G'};
  RowId first = RowId::reserve(3);
  std::vector<ChunkBuilder::TimePoint> t0 = {
      {Timeline::sequence("frame"), 0},
      {Timeline::duration("sim"), 1500},
      {Timeline::timestamp("log_time"), 1700000000000000000}};
  b.add_row(
      first, t0,
      {cell(Image::descriptor_buffer(), std::vector<ImageBuffer>{ImageBuffer(pixels)}),
       cell(Image::descriptor_format(),
            std::vector<ImageFormat>{{2, 1, ColorModel::kRGB, ChannelDatatype::kU8}}),
       cell(EncodedImage::descriptor_blob(), std::vector<Blob>{Blob(png)}),
       cell(Tensor::descriptor_data(),
            std::vector<TensorData>{{{2, 3},
                                     ChannelDatatype::kF32,
                                     Bytes(std::span<const uint8_t>(
                                         reinterpret_cast<const uint8_t*>(tensor.data()), 24)),
                                     {}}}),
       cell(SeriesPoints::descriptor_markers(),
            std::vector<MarkerShape>{MarkerShape::kDiamond, MarkerShape::kCircle}),
       cell(LineStrips3D::descriptor_strips(),
            std::vector<LineStrip3D>{{{{0, 0, 0}, {1, 0, 0}}}, {}}),
       cell(AnnotationContext::descriptor_context(),
            std::vector<AnnotationInfo>{{1, "wheel", Color(255, 0, 0)},
                                        {2, "", Color(0, 0, 255)}})});
  auto t1 = t0;
  for (auto& t : t1) t.time += 1;
  b.add_row(
      first.plus(1), t1,
      {cell(
           Tensor::descriptor_data(),
           std::vector<TensorData>{
               {{3}, ChannelDatatype::kU8, Bytes(std::span<const uint8_t>(pixels.data(), 3)), {}}}),
       {Image::descriptor_buffer(), nullptr}});
  auto t2 = t1;
  for (auto& t : t2) t.time += 1;
  b.add_row(first.plus(2), t2,
            {cell(AnnotationContext::descriptor_context(),
                  std::vector<AnnotationInfo>{{7, "seven", Color(1, 2, 3)}})});
  return *b.build();
}

TEST(RrdChunk, SchemaCarriesRerunMetadata) {
  auto chunk = converted_chunk();
  auto batch = chunk_to_rerun_batch(*chunk);
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  EXPECT_EQ(*batch->schema->metadata_value("sorbet:version"), "0.1.3");
  EXPECT_EQ(*batch->schema->metadata_value("rerun:entity_path"), "/world/cam");
  const std::string id = *batch->schema->metadata_value("rerun:id");
  ASSERT_EQ(id.size(), 38u);
  EXPECT_EQ(id.substr(0, 6), "chunk_");

  const arrow::Field& row = *batch->schema->fields[0];
  EXPECT_EQ(row.name, "rerun.controls.RowId");
  EXPECT_FALSE(row.nullable);
  EXPECT_EQ(row.type->to_string(), "fixed_size_binary[16]");
  EXPECT_EQ(meta(row, "rerun:kind"), "control");
  EXPECT_EQ(meta(row, "ARROW:extension:name"), "rerun.datatypes.TUID");
  EXPECT_EQ(meta(row, "ARROW:extension:metadata"), "{\"namespace\":\"row\"}");
  EXPECT_EQ(meta(row, "rerun:is_sorted"), "true");

  struct Index {
    const char* name;
    const char* type;
  } indexes[] = {{"frame", "int64"}, {"sim", "duration[ns]"}, {"log_time", "timestamp[ns]"}};
  for (const auto& ix : indexes) {
    const arrow::Field* f = field_named(*batch, ix.name);
    ASSERT_NE(f, nullptr) << ix.name;
    EXPECT_EQ(f->type->to_string(), ix.type);
    EXPECT_TRUE(f->nullable);
    EXPECT_EQ(meta(*f, "rerun:kind"), "index");
    EXPECT_EQ(meta(*f, "rerun:index_name"), ix.name);
    EXPECT_EQ(meta(*f, "rerun:is_sorted"), "true");
  }

  // Rerun's names and Rerun's layouts (rerun_types_0.33.md).
  struct Column {
    const char* name;
    const char* archetype;
    const char* component_type;
    const char* value_type;
  } columns[] = {
      {"Image:buffer", "rerun.archetypes.Image", "rerun.components.ImageBuffer",
       "list<item: uint8>"},
      {"Image:format", "rerun.archetypes.Image", "rerun.components.ImageFormat",
       "struct<width: uint32, height: uint32, pixel_format: uint8, color_model: uint8, "
       "channel_datatype: uint8>"},
      {"EncodedImage:blob", "rerun.archetypes.EncodedImage", "rerun.components.Blob",
       "list<item: uint8>"},
      {"SeriesPoints:markers", "rerun.archetypes.SeriesPoints", "rerun.components.MarkerShape",
       "uint8"},
      {"LineStrips3D:strips", "rerun.archetypes.LineStrips3D", "rerun.components.LineStrip3D",
       "list<item: fixed_size_list<item: float32>[3]>"},
  };
  for (const auto& c : columns) {
    const arrow::Field* f = field_named(*batch, c.name);
    ASSERT_NE(f, nullptr) << c.name;
    EXPECT_EQ(meta(*f, "rerun:kind"), "data");
    EXPECT_EQ(meta(*f, "rerun:component"), c.name);
    EXPECT_EQ(meta(*f, "rerun:archetype"), c.archetype);
    EXPECT_EQ(meta(*f, "rerun:component_type"), c.component_type);
    EXPECT_EQ(f->type->value_type()->to_string(), c.value_type) << c.name;
  }
  // Non-null items where Rerun says so.
  EXPECT_FALSE(field_named(*batch, "Image:buffer")->type->value_type()->fields()[0]->nullable);
  EXPECT_FALSE(
      field_named(*batch, "LineStrips3D:strips")->type->value_type()->fields()[0]->nullable);
  // Tensor buffers are a dense union; Rerun codes for the channel datatype and marker shape.
  const arrow::Field* tensor = field_named(*batch, "Tensor:data");
  ASSERT_NE(tensor, nullptr);
  const auto& tfields = tensor->type->value_type()->fields();
  ASSERT_EQ(tfields.size(), 3u);
  EXPECT_EQ(tfields[0]->name, "shape");
  EXPECT_EQ(tfields[1]->name, "names");
  EXPECT_EQ(tfields[2]->name, "buffer");
  EXPECT_EQ(tfields[2]->type->id(), arrow::TypeId::kDenseUnion);
  EXPECT_EQ(tfields[2]->type->fields()[10]->name, "F32");
  const int ti = batch->schema->field_index("Tensor:data");
  EXPECT_EQ(arrow::array_to_string(*batch->columns[size_t(ti)]),
            // (struct members print their first value only)
            "[[{shape: [[2, ... 1 more]], names: [null], buffer: [F32=[[1, ... 5 more]]]}], "
            "[{shape: [[3]], names: [null], buffer: [U8=[[1, ... 2 more]]]}], null]");
  const int fi = batch->schema->field_index("Image:format");
  EXPECT_EQ(arrow::array_to_string(*batch->columns[size_t(fi)]),
            "[[{width: [2], height: [1], pixel_format: [null], color_model: [2], "
            "channel_datatype: [6]}], null, null]");
  const int mi = batch->schema->field_index("SeriesPoints:markers");
  EXPECT_EQ(arrow::array_to_string(*batch->columns[size_t(mi)]), "[[2, 1], null, null]");
  const int ai = batch->schema->field_index("AnnotationContext:context");
  ASSERT_GE(ai, 0);
  EXPECT_EQ(batch->columns[size_t(ai)]->type->value_type()->to_string(),
            "list<item: struct<class_id: uint16, class_description: struct<info: struct<id: "
            "uint16, label: utf8, color: uint32>, keypoint_annotations: list<item: struct<id: "
            "uint16, label: utf8, color: uint32>>, keypoint_connections: list<item: "
            "struct<keypoint0: uint16, keypoint1: uint16>>>>>");
  // Each row one AnnotationContext instance holding the row's class descriptions.
  EXPECT_EQ(arrow::ListArray(batch->columns[size_t(ai)]).value_length(0), 1);
  EXPECT_EQ(arrow::ListArray(batch->columns[size_t(ai)]).value_length(2), 1);
}

TEST(RrdChunk, RoundTripThroughIpcGivesTheChunkBack) {
  for (auto chunk : {converted_chunk(), converted_chunk()->slice(1, 2)}) {
    Warnings warnings;
    auto bytes = encode_rerun_chunk(*chunk, &warnings);
    ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
    EXPECT_TRUE(warnings.empty()) << warnings[0];
    ArrowMsg msg;
    msg.payload = arrow::Buffer::copy_of(bytes->data(), bytes->size());
    auto back = decode_rerun_chunk(msg, &warnings);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_TRUE(warnings.empty()) << warnings[0];
    EXPECT_EQ((*back)->id(), chunk->id());
    EXPECT_TRUE((*back)->content_equals(*chunk)) << (*back)->to_string() << chunk->to_string();
    for (const auto& t : (*back)->timelines()) {
      EXPECT_EQ(t.timeline(), chunk->timeline(t.name())->timeline());
    }
  }
}

TEST(RrdChunk, UnknownComponentsAndReelOnlyArchetypesRoundTrip) {
  ChunkBuilder b("/x");
  const ComponentDescriptor rerun_only("rerun.archetypes.Future", "thing",
                                       "rerun.components.Thing");
  const ComponentDescriptor loose("", "custom", "my.Custom");
  b.add_row(
      RowId::create(), {},
      {{rerun_only, arrow::make_primitive<int32_t>({1, 2})}, {loose, arrow::make_strings({"a"})}});
  auto chunk = *b.build();
  auto batch = chunk_to_rerun_batch(*chunk);
  ASSERT_TRUE(batch.ok());
  const arrow::Field* f = field_named(*batch, "Future:thing");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(meta(*f, "rerun:archetype"), "rerun.archetypes.Future");
  EXPECT_EQ(meta(*f, "rerun:component_type"), "rerun.components.Thing");
  const arrow::Field* g = field_named(*batch, "custom");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(meta(*g, "rerun:archetype"), "<none>");
  auto back = chunk_from_rerun_batch(*batch);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_TRUE((*back)->content_equals(*chunk));
  EXPECT_TRUE((*back)->is_static());
}

TEST(RrdChunk, KnownComponentOfAnotherTypeIsKeptWithAWarning) {
  ChunkBuilder b("/p");
  b.add_row(RowId::create(), {{Timeline::sequence("s"), 1}},
            {{Points3D::descriptor_positions(), arrow::make_primitive<double>({1.0})}});
  auto chunk = *b.build();
  // Written by hand with Rerun's names: a Position3D column of float64 (not Rerun's type).
  auto batch = chunk_to_rerun_batch(*chunk);
  ASSERT_TRUE(batch.ok());
  Warnings warnings;
  auto back = chunk_from_rerun_batch(*batch, &warnings);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("chunk of /p, column 'Points3D:positions': kept in Rerun's layout"),
            std::string::npos)
      << warnings[0];
  ASSERT_EQ((*back)->components().size(), 1u);
  EXPECT_EQ((*back)->components()[0].descriptor.component_type(), "rerun.components.Position3D");
}

TEST(RrdChunk, IndexOfAnotherUnitIsDroppedWithAWarning) {
  ChunkBuilder b("/p");
  b.add_row(RowId::create(), {{Timeline::sequence("s"), 1}}, {});
  auto batch = *chunk_to_rerun_batch(**b.build());
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  auto ms = arrow::timestamp(arrow::TimeUnit::kMilli);
  schema->fields[1] = arrow::field("s", ms, true, schema->fields[1]->metadata);
  batch.columns[1] = arrow::ArrayData::make(ms, 1, 0, batch.columns[1]->buffers);
  batch.schema = schema;
  Warnings warnings;
  auto back = chunk_from_rerun_batch(batch, &warnings);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "chunk of /p, column 's': index of type timestamp[ms] dropped");
  EXPECT_TRUE((*back)->is_static());
}

}  // namespace
}  // namespace reel::format::rrd
