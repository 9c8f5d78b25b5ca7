// Writes a dataset of recordings with known contents for the Parquet readers test
// (tests/sql/run.sh), and what reel's own query of it says (expected.json), from
// Dataset::read_rows, which involves no DuckDB:
//   OUT/in/r<i>.reel  four recordings of application "fleet" (one id needs escaping), each
//                     /arm/force Scalars on frame + timestamp `sensor`, /arm/points Points3D
//                     (1..3 points a row) on frame + duration `elapsed`, a static TextLog;
//                     r0 also has a timeline "Frame" (distinct from "frame" only by case);
//   OUT/in/cut.reel   a recording cut short: reported and skipped;
//   OUT/expected.json {table: [rows as reel reads them]}.
// Usage: write_dataset OUT
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "reel/format/recording_file.hpp"
#include "reel/query/dataset.hpp"
#include "reel/reel.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const reel::ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const reel::ComponentDescriptor kPositions("Points3D", "positions", "reel.components.Position3D");
const reel::ComponentDescriptor kText("TextLog", "text", "reel.components.Text");
constexpr int64_t kT0 = 1'717'000'000'123'456'789;

std::string recording_id(int r) { return r == 3 ? "run:1/a b=%" : "rec-" + std::to_string(r); }

int write(const fs::path& path, int r) {
  auto writer = reel::format::RecordingWriter::open(path.string()).value();
  if (!writer->write_store_info({"fleet", recording_id(r), 0}).ok()) return 1;
  reel::ChunkBuilder force("/arm/force");
  for (int f = 0; f < 20; ++f) {
    std::vector<reel::ChunkBuilder::TimePoint> times = {
        {reel::Timeline::sequence("frame"), f},
        {reel::Timeline::timestamp("sensor"), kT0 + r * 60'000'000'000LL + f * 1'000'001LL}};
    if (r == 0) times.push_back({reel::Timeline::sequence("Frame"), 1000 + f});
    force.add_row(reel::RowId::create(), times,
                  {{kScalar, reel::arrow::make_primitive<double>({r * 100.0 + f * 0.5})}});
  }
  if (!writer->write_chunk(*force.build().value()).ok()) return 1;
  reel::ChunkBuilder points("/arm/points");
  for (int f = 0; f < 6; ++f) {
    std::vector<float> xyz;
    for (int k = 0; k <= f % 3; ++k) {
      xyz.insert(xyz.end(), {float(r), float(f), float(k) + 0.25f});
    }
    auto values = reel::arrow::make_primitive<float>(std::span<const float>(xyz));
    auto list = reel::arrow::make_fixed_size_list(values, 3).value();
    points.add_row(reel::RowId::create(),
                   {{reel::Timeline::sequence("frame"), f * 3},
                    {reel::Timeline::duration("elapsed"), f * 1'500'000'000LL + 3}},
                   {{kPositions, list}});
  }
  if (!writer->write_chunk(*points.build().value()).ok()) return 1;
  reel::ChunkBuilder meta("/meta");
  meta.add_row(reel::RowId::create(), {},
               {{kText, reel::arrow::make_strings({("recording " + recording_id(r)).c_str()})}});
  if (!writer->write_chunk(*meta.build().value()).ok()) return 1;
  return writer->finish().ok() ? 0 : 1;
}

std::string hex(const uint8_t* p, int n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

json value(const reel::arrow::ArrayData& a, int64_t i) {
  using reel::arrow::TypeId;
  if (a.is_null(i)) return nullptr;
  switch (a.type->id()) {
    case TypeId::kInt64:
      return std::to_string(a.values<int64_t>()[i]);  // exact in JSON readers
    case TypeId::kFloat64:
      return a.values<double>()[i];
    case TypeId::kFloat32:
      return double(a.values<float>()[i]);
    case TypeId::kUtf8: {
      const int32_t* o = a.values<int32_t>(1);
      return std::string(reinterpret_cast<const char*>(a.buffers[2]->data()) + o[i],
                         size_t(o[i + 1] - o[i]));
    }
    case TypeId::kFixedSizeBinary:
      return hex(a.buffers[1]->data() + (a.offset + i) * 16, 16);
    case TypeId::kList: {
      const int32_t* o = a.values<int32_t>(1);
      json out = json::array();
      for (int32_t k = o[i]; k < o[i + 1]; ++k) out.push_back(value(*a.children[0], k));
      return out;
    }
    case TypeId::kFixedSizeList: {
      json out = json::array();
      const int64_t n = a.type->list_size();
      for (int64_t k = 0; k < n; ++k) out.push_back(value(*a.children[0], (a.offset + i) * n + k));
      return out;
    }
    default:
      return "?";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_dataset OUT\n");
    return 2;
  }
  const fs::path out = argv[1];
  fs::remove_all(out);
  fs::create_directories(out / "in");
  for (int r = 0; r < 4; ++r) {
    if (write(out / "in" / ("r" + std::to_string(r) + ".reel"), r) != 0) return 1;
  }
  {
    std::ifstream in(out / "in" / "r1.reel", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(out / "in" / "cut.reel", std::ios::binary)
        << bytes.substr(0, bytes.size() * 2 / 3);
  }
  auto ds = reel::dataframe::Dataset::open({(out / "in").string()});
  if (!ds.ok()) {
    std::fprintf(stderr, "%s\n", ds.status().to_string().c_str());
    return 1;
  }
  json expected = json::object();
  const std::vector<std::string> archetypes = ds->archetypes().value();
  for (const auto& archetype : archetypes) {
    reel::dataframe::RowsOptions o;
    o.archetype = archetype;
    auto reader = ds->read_rows(o).value();
    json rows = json::array();
    for (;;) {
      auto b = reader->next().value();
      if (!b) break;
      for (int64_t r = 0; r < b->num_rows; ++r) {
        json row = json::object();
        for (size_t c = 0; c < b->columns.size(); ++c) {
          const auto& f = *b->schema->fields[c];
          json v = value(*b->columns[c], r);
          const std::string* kind = reel::arrow::find_metadata(f.metadata, "reel.kind");
          // Lists of one component row: reel's cells are the instances.
          row[f.name] = v;
          if (kind && *kind == "time") {
            row[f.name + ":type"] = *reel::arrow::find_metadata(f.metadata, "reel.time_type");
          }
        }
        rows.push_back(row);
      }
    }
    expected[archetype] = rows;
  }
  json warnings = ds->warnings();
  expected["_warnings"] = warnings;
  std::ofstream(out / "expected.json") << expected.dump(1);
  std::printf("wrote %s\n", (out / "expected.json").c_str());
  return 0;
}
