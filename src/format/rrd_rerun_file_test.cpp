// Reads a file written by Rerun's own encoder: the Rerun 0.33.0 web viewer's "Save recording"
// of the recording tests/rerun_viewer/rrd_writer.mjs writes (tests/rerun_viewer/run.sh saves it
// again at test time and points REEL_RERUN_SAVED_RRD at the fresh copy; the committed copy in
// tests/data was saved the same way, since making it needs the browser).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "reel/arrow/ipc.hpp"
#include "reel/format/file_format.hpp"
#include "reel/format/rrd.hpp"

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

}  // namespace
}  // namespace reel::format::rrd
