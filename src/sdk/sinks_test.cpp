// Sinks: buffering before the first sink, the factories, what save() and set_sink() replace.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/sdk/sink.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::Collector;
using test::plain_options;
using test::scalars_in_range;

std::string temp_path(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("reel_sinks_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void log_frames(RecordingStream& rec, int from, int to) {
  for (int i = from; i < to; ++i) {
    rec.set_time_sequence("frame", i);
    rec.log("a", Scalars(i));
  }
}

TEST(SinkTest, DataLoggedBeforeASinkIsBuffered) {
  RecordingStream rec("test", plain_options());
  rec.set_time_sequence("frame", 1);
  rec.log("a", Scalars(1.0));
  rec.flush_blocking();  // cut with no sink attached yet
  rec.log("a", Scalars(2.0));
  auto store = rec.memory_store();
  rec.flush_blocking();
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{1.0, 2.0}));
}

TEST(SinkTest, MemorySinkInsertsIntoItsStoreAndSetsItsInfo) {
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::no_compaction());
  RecordingStream rec("memory_sink_test", plain_options());
  rec.set_sink(make_memory_sink(store));
  log_frames(rec, 0, 3);
  rec.flush_blocking();
  EXPECT_EQ(store->info().application_id, "memory_sink_test");
  EXPECT_EQ(store->info().recording_id, rec.recording_id());
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{0, 1, 2}));
}

TEST(SinkTest, FileSinkOptionsDefaultToTheWritersDefaults) {
  const FileSinkOptions sink;
  const format::WriterOptions writer;
  EXPECT_EQ(sink.compression, writer.compression);
  EXPECT_EQ(sink.zstd_level, writer.zstd_level);
  EXPECT_EQ(sink.write_footer, writer.write_footer);
  EXPECT_EQ(sink.sync_on_flush, writer.sync_on_flush);
}

// The file holds the header, the store info, the chunks compressed as asked, and no footer
// when told so; it is complete when the last reference to the sink goes.
TEST(SinkTest, FileSinkWritesTheRecordingWithItsOptions) {
  const std::string path = temp_path("options.reel");
  std::string recording_id;
  {
    RecordingStream rec("file_sink_test", plain_options());
    recording_id = rec.recording_id();
    FileSinkOptions options;
    options.compression = format::Compression::kZstd;
    options.write_footer = false;
    auto sink = make_file_sink(path, options);
    ASSERT_TRUE(sink.ok()) << sink.status().to_string();
    rec.set_sink(*sink);
    log_frames(rec, 0, 1000);
  }
  auto reader = format::RecordingReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  std::map<format::MessageKind, int> kinds;
  int64_t rows = 0, zstd_chunks = 0;
  std::string info_recording_id;
  for (;;) {
    auto m = (*reader)->next();
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    if (!*m) break;
    ++kinds[(*m)->kind];
    if ((*m)->kind == format::MessageKind::kStoreInfo) info_recording_id = (*m)->info.recording_id;
    if ((*m)->kind == format::MessageKind::kChunk) {
      // Version 3 compresses per buffer where it saves: the chunk's row ids and values.
      EXPECT_NE((*m)->compression, format::Compression::kLz4);
      zstd_chunks += (*m)->compression == format::Compression::kZstd;
      rows += (*m)->chunk->num_rows();
    }
  }
  EXPECT_TRUE((*reader)->warnings().empty()) << (*reader)->warnings()[0];  // a clean end
  EXPECT_EQ(kinds[format::MessageKind::kStoreInfo], 1);
  EXPECT_GE(kinds[format::MessageKind::kChunk], 1);
  EXPECT_EQ(kinds[format::MessageKind::kFooter], 0);
  EXPECT_EQ(rows, 1000);
  EXPECT_GE(zstd_chunks, 1);
  EXPECT_EQ(info_recording_id, recording_id);
  std::filesystem::remove(path);
}

TEST(SinkTest, FileSinkThatCannotCreateItsFileFailsNamingThePath) {
  auto sink = make_file_sink("/nonexistent-reel-dir/run.reel");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), StatusCode::kIOError);
  EXPECT_NE(sink.status().message().find("/nonexistent-reel-dir/run.reel"), std::string::npos)
      << sink.status().message();
}

TEST(SinkTest, SaveReplacesTheOtherSinksButKeepsTheEmbeddedStore) {
  const std::string path = temp_path("save.reel");
  Collector collector;
  std::shared_ptr<ChunkStore> store;
  {
    RecordingStream rec("save_test", plain_options());
    store = rec.memory_store();
    rec.add_sink(collector.sink());
    log_frames(rec, 0, 1);
    rec.flush_blocking();
    ASSERT_TRUE(rec.save(path).ok());
    log_frames(rec, 1, 3);
    rec.flush_blocking();
    EXPECT_EQ(rec.memory_store(), store);
  }
  EXPECT_EQ(collector.rows(), 1);
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{0, 1, 2}));
  ChunkStore file(ChunkStoreConfig::no_compaction());
  ASSERT_TRUE(load_file(path, file).ok());
  EXPECT_EQ(scalars_in_range(file, "/a", "frame"), (std::vector<double>{1, 2}));
  std::filesystem::remove(path);
}

TEST(SinkTest, SetSinkReplacesEverySinkTheEmbeddedStoreToo) {
  RecordingStream rec("set_sink_test", plain_options());
  auto store = rec.memory_store();
  log_frames(rec, 0, 1);
  Collector collector;
  rec.set_sink(collector.sink());
  log_frames(rec, 1, 3);
  rec.flush_blocking();
  EXPECT_EQ(scalars_in_range(*store, "/a", "frame"), (std::vector<double>{0}));
  EXPECT_EQ(collector.rows(), 2);
  // The next memory_store() is a new embedded store.
  EXPECT_NE(rec.memory_store(), store);
}

}  // namespace
}  // namespace reel
