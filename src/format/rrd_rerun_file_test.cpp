// Reads a file written by Rerun's own encoder: the Rerun 0.33.0 web viewer's "Save recording"
// of the recording tests/rerun_viewer/rrd_writer.mjs writes (tests/rerun_viewer/run.sh saves it
// again at test time and points REEL_RERUN_SAVED_RRD at the fresh copy; the committed copy in
// tests/data was saved the same way, since making it needs the browser).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "reel/arrow/ipc.hpp"
#include "reel/format/file_format.hpp"
#include "reel/format/rrd.hpp"
#include "reel/format/rrd_chunk.hpp"
#include "reel/types/archetypes.hpp"

#ifndef REEL_SOURCE_DIR
#error "REEL_SOURCE_DIR must name the source tree"
#endif

namespace reel::format::rrd {
namespace {

std::string saved_file() {
  if (const char* p = std::getenv("REEL_RERUN_SAVED_RRD")) return p;
  return std::string(REEL_SOURCE_DIR) + "/tests/data/rerun_0.33.0_saved.rrd";
}

struct Read {
  std::vector<Message> messages;
  std::vector<std::string> warnings;
};

Read read_all(const std::string& path) {
  Read out;
  auto reader = RrdReader::open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return out;
  while (true) {
    auto m = (*reader)->next();
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    if (!m.ok() || !*m) break;
    out.messages.push_back(std::move(**m));
  }
  out.warnings = (*reader)->warnings();
  return out;
}

TEST(RerunSavedFile, IsDetectedAsRrd) {
  EXPECT_EQ(*detect_file_format(saved_file()), FileFormat::kRrd);
}

TEST(RerunSavedFile, StreamLayerReadsEveryMessage) {
  const std::string path = saved_file();
  Read r = read_all(path);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  ASSERT_GE(r.messages.size(), 3u);
  const StoreId recording{StoreKind::kRecording, "rrd_writer_js", "rec_js_1"};

  const Message& first = r.messages.front();
  ASSERT_EQ(first.kind, MessageKind::kSetStoreInfo);
  EXPECT_EQ(first.offset, kStreamHeaderBytes);
  EXPECT_EQ(first.stream_version, (RerunVersion{0, 33, 0, 0})) << first.stream_version.to_string();
  EXPECT_EQ(first.store_id, recording);

  // Every chunk: a well-formed Arrow IPC stream whose schema names its entity.
  std::map<std::string, int64_t> rows_by_entity;
  std::vector<uint64_t> chunk_body_offsets;
  for (const Message& m : r.messages) {
    SCOPED_TRACE("message at byte " + std::to_string(m.offset));
    EXPECT_EQ(m.stream_index, 0u);
    if (m.kind != MessageKind::kArrowMsg) continue;
    if (m.store_id.kind != StoreKind::kRecording) continue;
    EXPECT_EQ(m.store_id, recording);
    ASSERT_TRUE(m.arrow.payload);
    chunk_body_offsets.push_back(m.offset + kMessageHeaderBytes - m.stream_offset);
    arrow::ipc::StreamReader ipc({m.arrow.payload->data(), m.arrow.payload->size()},
                                 m.arrow.payload);
    auto schema = ipc.schema();
    ASSERT_TRUE(schema.ok()) << schema.status().to_string();
    const std::string* entity = (*schema)->metadata_value("rerun:entity_path");
    ASSERT_NE(entity, nullptr);
    ASSERT_NE((*schema)->metadata_value("rerun:id"), nullptr);
    EXPECT_EQ((*schema)->fields.front()->name, "rerun.controls.RowId");
    auto batch = ipc.next();
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    ASSERT_TRUE(*batch);
    rows_by_entity[*entity] += (*batch)->num_rows;
  }
  EXPECT_EQ(rows_by_entity["/plots/sine"], 50);
  EXPECT_EQ(rows_by_entity["/world/points"], 10);

  // The footer's manifest lists exactly the recording's chunks, at their body offsets.
  const Message& end = r.messages.back();
  ASSERT_EQ(end.kind, MessageKind::kEnd);
  const RrdManifest* manifest = nullptr;
  for (const auto& m : end.manifests) {
    if (m.store_id == recording) manifest = &m;
  }
  ASSERT_NE(manifest, nullptr);
  auto offsets = rrd_manifest_chunk_offsets(*manifest);
  ASSERT_TRUE(offsets.ok()) << offsets.status().to_string();
  EXPECT_EQ(*offsets, chunk_body_offsets);
}

// The chunks as reel sees them: rrd_writer.mjs's values, exactly, under reel's descriptors.
TEST(RerunSavedFile, ChunksMapToReelWithExactValues) {
  Read r = read_all(saved_file());
  std::map<std::string, ChunkPtr> chunks;
  for (const Message& m : r.messages) {
    if (m.kind != MessageKind::kArrowMsg || m.store_id.kind != StoreKind::kRecording) continue;
    Warnings warnings;
    auto chunk = decode_rerun_chunk(m.arrow, &warnings);
    ASSERT_TRUE(chunk.ok()) << chunk.status().to_string();
    EXPECT_TRUE(warnings.empty()) << warnings[0];
    chunks[(*chunk)->entity_path().str()] = *chunk;
  }
  ASSERT_EQ(chunks.size(), 2u);

  const Chunk& sine = *chunks.at("/plots/sine");
  ASSERT_EQ(sine.num_rows(), 50);
  ASSERT_EQ(sine.timelines().size(), 1u);
  EXPECT_EQ(sine.timelines()[0].timeline(), Timeline::sequence("step"));
  const ComponentColumn* scalars = sine.component(Scalars::descriptor_scalars());
  ASSERT_NE(scalars, nullptr);
  EXPECT_TRUE(sine.is_sorted());
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_EQ(sine.timelines()[0][i], i);
    ASSERT_EQ(scalars->list.num_instances(i), 1);
    const double v = scalars->list.values()->values<double>(1)[scalars->list.value_offset(i)];
    EXPECT_DOUBLE_EQ(v, std::sin(double(i) / 5)) << "row " << i;
  }

  const Chunk& points = *chunks.at("/world/points");
  ASSERT_EQ(points.num_rows(), 10);
  const ComponentColumn* positions = points.component(Points3D::descriptor_positions());
  ASSERT_NE(positions, nullptr);
  const float* xyz = positions->list.values()->children[0]->values<float>(1);
  for (int64_t f = 0; f < 10; ++f) {
    EXPECT_EQ(points.timelines()[0][f], 5 * f);
    ASSERT_EQ(positions->list.num_instances(f), 20);
    for (int p = 0; p < 20; ++p) {
      const double a = double(p) / 20 * 2 * M_PI + double(f) * 0.1;
      const float* v = xyz + 3 * (positions->list.value_offset(f) + p);
      EXPECT_FLOAT_EQ(v[0], float(std::cos(a)));
      EXPECT_FLOAT_EQ(v[1], float(std::sin(a)));
      EXPECT_FLOAT_EQ(v[2], float(double(p) / 20));
    }
  }
}

}  // namespace
}  // namespace reel::format::rrd
