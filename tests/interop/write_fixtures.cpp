// Writes chunk payloads (Arrow IPC streams) covering every component type, plus the values an
// independent reader must find in them (expected.json). check_chunks.mjs reads both with
// apache-arrow for JavaScript.
//
// Usage: reel_interop_fixtures OUTPUT_DIR
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reel/arrow/ipc.hpp"
#include "reel/chunk/chunk_arrow.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/types/archetypes.hpp"

using nlohmann::json;
using namespace reel;

namespace {

// The type as check_chunks.mjs renders apache-arrow types (child field names left out).
std::string render(const arrow::DataType& t) {
  using arrow::TypeId;
  switch (t.id()) {
    case TypeId::kList:
      return "list<" + render(*t.value_type()) + ">";
    case TypeId::kFixedSizeList:
      return "fixed_size_list<" + render(*t.value_type()) + ">[" + std::to_string(t.list_size()) +
             "]";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < t.fields().size(); ++i) {
        s += (i ? ", " : "") + t.fields()[i]->name + ": " + render(*t.fields()[i]->type);
      }
      return s + ">";
    }
    case TypeId::kFixedSizeBinary:
      return "fixed_size_binary[" + std::to_string(t.byte_width()) + "]";
    case TypeId::kBool:
      return "bool";
    default:
      return t.to_string();
  }
}

// One value of an array as JSON: numbers, strings, byte arrays, arrays, objects.
json value_json(const arrow::ArrayData& a, int64_t i) {
  using arrow::TypeId;
  if (a.is_null(i)) return nullptr;
  switch (a.type->id()) {
    case TypeId::kBool:
      return arrow::bit_util::get_bit(a.buffers[1]->data(), a.offset + i);
    case TypeId::kInt8:
      return a.values<int8_t>()[i];
    case TypeId::kInt16:
      return a.values<int16_t>()[i];
    case TypeId::kInt32:
      return a.values<int32_t>()[i];
    case TypeId::kInt64:
      return std::to_string(a.values<int64_t>()[i]);
    case TypeId::kUInt8:
      return a.values<uint8_t>()[i];
    case TypeId::kUInt16:
      return a.values<uint16_t>()[i];
    case TypeId::kUInt32:
      return a.values<uint32_t>()[i];
    case TypeId::kUInt64:
      return std::to_string(a.values<uint64_t>()[i]);
    case TypeId::kFloat32:
      return double(a.values<float>()[i]);
    case TypeId::kFloat64:
      return a.values<double>()[i];
    case TypeId::kUtf8:
      return std::string(arrow::BinaryArray(std::make_shared<arrow::ArrayData>(a)).value(i));
    case TypeId::kBinary: {
      auto v = arrow::BinaryArray(std::make_shared<arrow::ArrayData>(a)).value(i);
      std::vector<int> bytes;
      for (char c : v) bytes.push_back(int(static_cast<unsigned char>(c)));
      return json(bytes);
    }
    case TypeId::kList: {
      const int32_t* o = a.values<int32_t>(1);
      json out = json::array();
      for (int32_t k = o[i]; k < o[i + 1]; ++k) out.push_back(value_json(*a.children[0], k));
      return out;
    }
    case TypeId::kFixedSizeList: {
      const int64_t ls = a.type->list_size();
      json out = json::array();
      for (int64_t k = 0; k < ls; ++k)
        out.push_back(value_json(*a.children[0], (a.offset + i) * ls + k));
      return out;
    }
    case TypeId::kStruct: {
      json out = json::object();
      for (size_t f = 0; f < a.children.size(); ++f) {
        out[a.type->fields()[f]->name] = value_json(*a.children[f], a.offset + i);
      }
      return out;
    }
    default:
      return "?";
  }
}

json expected_for(const Chunk& chunk) {
  json j;
  j["entity_path"] = chunk.entity_path().str();
  j["chunk_id"] = chunk.id().to_string();
  j["num_rows"] = chunk.num_rows();
  json ids = json::array();
  for (int64_t i = 0; i < chunk.num_rows(); ++i) ids.push_back(chunk.row_id(i).to_string());
  j["row_ids"] = ids;
  json times = json::array();
  for (const auto& t : chunk.timelines()) {
    json values = json::array();
    for (int64_t i = 0; i < t.length(); ++i) values.push_back(std::to_string(t[i]));
    times.push_back({{"name", t.name()},
                     {"time_type", time_type_name(t.timeline().type())},
                     {"values", values}});
  }
  j["timelines"] = times;
  json comps = json::array();
  for (const auto& c : chunk.components()) {
    auto list = c.list.to_arrow();
    json rows = json::array();
    for (int64_t i = 0; i < list->length; ++i) rows.push_back(value_json(*list, i));
    comps.push_back({{"name", c.descriptor.identifier()},
                     {"archetype", c.descriptor.archetype()},
                     {"archetype_field", c.descriptor.field()},
                     {"component_type", c.descriptor.component_type()},
                     {"type", render(*list->type)},
                     {"rows", rows}});
  }
  j["components"] = comps;
  return j;
}

template <typename T>
ChunkBuilder::Cell cell(const ComponentDescriptor& d, std::vector<T> values) {
  return {d, ComponentBatch::from<T>(d, std::span<const T>(values)).to_arrow()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::pair<std::string, ChunkPtr>> fixtures;

  // Scalars on two timelines, one null row, consecutive row ids (stored as one run).
  {
    ChunkBuilder b("/plots/sin");
    RowId first = RowId::reserve(5);
    for (int i = 0; i < 5; ++i) {
      b.add_row(first.plus(uint64_t(i)),
                {{Timeline::sequence("step"), i},
                 {Timeline::timestamp("log_time"), 1700000000000000000 + i}},
                {{Scalars::descriptor_scalars(),
                  i == 2 ? nullptr : arrow::make_primitive<double>({std::sin(i * 0.5)})}});
    }
    fixtures.emplace_back("scalars", *b.build());
  }
  // Points3D with colors, radii splat, labels and class ids; non-consecutive row ids.
  {
    const auto& f = Points3D::fields();
    ChunkBuilder b("/world/points");
    for (int i = 0; i < 4; ++i) {
      std::vector<Position3D> p;
      std::vector<Color> c;
      std::vector<Text> l;
      for (int k = 0; k <= i; ++k) {
        p.push_back({float(k), float(i) * 0.25f, -float(k)});
        c.push_back(Color(uint8_t(40 * k), 200, uint8_t(255 - k), 255));
        l.push_back(Text("p" + std::to_string(i) + "." + std::to_string(k)));
      }
      std::vector<ChunkBuilder::Cell> cells = {cell(f[0].descriptor, p), cell(f[2].descriptor, c),
                                               cell(f[1].descriptor, std::vector<Radius>{0.05f})};
      if (i % 2 == 0) cells.push_back(cell(f[3].descriptor, l));
      if (i == 3) cells.push_back(cell(f[4].descriptor, std::vector<ClassId>{1, 2, 3, 4}));
      b.add_row(RowId::create(), {{Timeline::sequence("frame"), 10 * i}}, std::move(cells));
    }
    fixtures.emplace_back("points3d", *b.build());
  }
  // Line strips, boxes with rotations, arrows: nested lists of fixed-size lists.
  {
    ChunkBuilder b("/world/shapes");
    RowId first = RowId::reserve(2);
    std::vector<LineStrip3D> strips = {
        {{{0, 0, 0}, {1, 0, 0}}}, {{{1, 1, 1}, {2, 2, 2}, {3, 3, 3}}}, {}};
    b.add_row(first, {{Timeline::duration("sim"), 1500000000}},
              {cell(LineStrips3D::descriptor_strips(), strips),
               cell(Boxes3D::descriptor_half_sizes(), std::vector<HalfSize3D>{{0.5f, 1, 2}}),
               cell(Boxes3D::descriptor_quaternions(),
                    std::vector<RotationQuat>{{0, 0, 0.7071f, 0.7071f}}),
               cell(Arrows3D::descriptor_vectors(), std::vector<Vector3D>{{1, 2, 3}})});
    b.add_row(first.plus(1), {{Timeline::duration("sim"), 3000000000}},
              {cell(LineStrips3D::descriptor_strips(), std::vector<LineStrip3D>{{{{9, 9, 9}}}})});
    fixtures.emplace_back("shapes", *b.build());
  }
  // An RGB image (raw bytes + format struct), an encoded PNG header, a tensor, text logs.
  {
    ChunkBuilder b("/camera");
    std::vector<uint8_t> pixels(2 * 2 * 3);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 20);
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    std::vector<float> tensor = {1, 2, 3, 4, 5, 6};
    RowId first = RowId::reserve(2);
    b.add_row(
        first, {{Timeline::sequence("frame"), 0}},
        {cell(Image::descriptor_buffer(), std::vector<ImageBuffer>{ImageBuffer(pixels)}),
         cell(Image::descriptor_format(),
              std::vector<ImageFormat>{{2, 2, ColorModel::kRGB, ChannelDatatype::kU8}}),
         cell(EncodedImage::descriptor_blob(), std::vector<Blob>{Blob(png)}),
         cell(EncodedImage::descriptor_media_type(), std::vector<MediaType>{MediaType::png()}),
         cell(Tensor::descriptor_data(),
              std::vector<TensorData>{{{2, 3},
                                       ChannelDatatype::kF32,
                                       Bytes(std::span<const uint8_t>(
                                           reinterpret_cast<const uint8_t*>(tensor.data()), 24)),
                                       {}}})});
    b.add_row(first.plus(1), {{Timeline::sequence("frame"), 1}},
              {cell(TextLog::descriptor_text(), std::vector<Text>{Text("héllo ☮ world")}),
               cell(TextLog::descriptor_level(), std::vector<TextLogLevel>{TextLogLevel::warn()})});
    fixtures.emplace_back("camera", *b.build());
  }
  // Static data: view coordinates, a clear flag (bool), an annotation context (struct).
  {
    ChunkBuilder b("/world");
    b.add_row(RowId::create(), {},
              {cell(ViewCoordinates::descriptor_xyz(),
                    std::vector<ViewCoordinatesComponent>{{{3, 5, 1}}}),
               cell(Clear::descriptor_is_recursive(), std::vector<ClearIsRecursive>{{true}}),
               cell(AnnotationContext::descriptor_context(),
                    std::vector<AnnotationInfo>{{1, "wheel", Color(255, 0, 0)},
                                                {2, "", Color(0, 0, 255)}})});
    fixtures.emplace_back("static", *b.build());
  }
  // A slice of a larger chunk: offsets and bitmaps that do not start at zero.
  {
    ChunkBuilder b("/sliced");
    for (int i = 0; i < 40; ++i) {
      std::vector<Text> labels;
      for (int k = 0; k < i % 3; ++k)
        labels.push_back(Text(std::string(size_t(k + 1), char('a' + i % 26))));
      b.add_row(
          RowId::create(), {{Timeline::sequence("frame"), i}},
          {{Points3D::descriptor_labels(),
            i % 5 == 0
                ? nullptr
                : ComponentBatch::from<Text>(Points3D::descriptor_labels(), labels).to_arrow()}});
    }
    fixtures.emplace_back("sliced", (*b.build())->slice(13, 19));
  }

  json expected = json::object();
  for (const auto& [name, chunk] : fixtures) {
    auto payload = format::encode_chunk_payload(*chunk);
    if (!payload.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), payload.status().to_string().c_str());
      return 1;
    }
    std::ofstream out(dir + "/" + name + ".arrows", std::ios::binary);
    out.write(reinterpret_cast<const char*>(payload->data()), std::streamsize(payload->size()));
    expected[name] = expected_for(*chunk);
  }
  // A dataframe query's Arrow output: index column, list columns with nulls and fills.
  {
    auto store = std::make_shared<ChunkStore>();
    for (const auto& [name, chunk] : fixtures) {
      if (auto st = store->insert(chunk); !st.ok()) return 1;
    }
    auto view =
        dataframe::View::create(store, "frame", "/world/** /camera").value().fill_latest_at();
    std::ofstream out(dir + "/table.arrows", std::ios::binary);
    if (!dataframe::write_table(view, dataframe::OutputFormat::kArrow, out).ok()) return 1;
    auto batches = view.read_all().value();
    json table;
    json columns = json::array();
    for (const auto& c : view.schema()) columns.push_back(c.name);
    table["columns"] = columns;
    json rows = json::array();
    for (const auto& b : batches) {
      for (int64_t r = 0; r < b.num_rows; ++r) {
        json row = json::array();
        for (size_t c = 0; c < b.columns.size(); ++c) row.push_back(value_json(*b.columns[c], r));
        rows.push_back(row);
      }
    }
    table["rows"] = rows;
    std::ofstream(dir + "/table.json") << table.dump(2);
  }
  // A query on a timestamp and on a duration timeline: typed index columns (reel query
  // --format arrow); check_chunks.mjs knows the values.
  {
    auto store = std::make_shared<ChunkStore>();
    ChunkBuilder b("/times");
    const std::vector<std::pair<TimeInt, TimeInt>> times = {{1700000000000000001, -1500000000},
                                                            {1700000000500000000, 250000000}};
    for (size_t i = 0; i < times.size(); ++i) {
      b.add_row(
          RowId::create(),
          {{Timeline::timestamp("t"), times[i].first}, {Timeline::duration("d"), times[i].second}},
          {{Scalars::descriptor_scalars(), arrow::make_primitive<double>({double(i)})}});
    }
    if (!store->insert(*b.build()).ok()) return 1;
    for (const char* index : {"t", "d"}) {
      auto view = dataframe::View::create(store, std::string(index)).value();
      std::ofstream out(dir + "/times_" + index + ".arrows", std::ios::binary);
      if (!dataframe::write_table(view, dataframe::OutputFormat::kArrow, out).ok()) return 1;
    }
  }
  // timestamp[ns, UTC], duration[ns] (one null) and a dense union of two members, as Rerun
  // uses for time columns and tensor buffers; check_chunks.mjs knows the values.
  {
    using namespace reel::arrow;
    auto i64 = make_primitive<int64_t>({1700000000123456789, -1, 42});
    auto validity = Buffer::allocate(1);
    validity->mutable_data()[0] = 0b101;
    auto ts = ArrayData::make(timestamp(TimeUnit::kNano, "UTC"), 3, 0, {nullptr, i64->buffers[1]});
    auto dur = ArrayData::make(duration(TimeUnit::kNano), 3, 1, {validity, i64->buffers[1]});
    auto ids = Buffer::copy_of(std::vector<uint8_t>{5, 9, 5}.data(), 3);
    std::vector<int32_t> o = {1, 0, 0};
    auto offs = Buffer::copy_of(o.data(), 12);
    auto u = ArrayData::make(
        dense_union({field("I32", int32(), false), field("S", utf8(), false)}, {5, 9}), 3, 0,
        {nullptr, ids, offs}, {make_primitive<int32_t>({7, 8}), make_strings({"x"})});
    auto schema = std::make_shared<Schema>();
    schema->fields = {field("ts", ts->type), field("dur", dur->type), field("u", u->type)};
    RecordBatch batch{schema, 3, {ts, dur, u}};
    std::vector<uint8_t> bytes;
    if (auto st = batch.validate(); !st.ok()) {
      std::fprintf(stderr, "types: %s\n", st.to_string().c_str());
      return 1;
    }
    if (!ipc::write_stream(batch, bytes).ok()) return 1;
    std::ofstream(dir + "/types.arrows", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  std::ofstream(dir + "/expected.json") << expected.dump(2);
  std::printf("wrote %zu fixtures to %s\n", fixtures.size(), dir.c_str());
  return 0;
}
