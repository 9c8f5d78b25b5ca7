// The REEL_CHUNK_* environment variables reach the stores that programs create: the SDK's
// embedded store and the `reel` command's. The library itself never reads the environment
// (a plain ChunkStore uses the defaults: src/store/config_test.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_environment_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

TEST(EnvironmentTest, TheEmbeddedStoreReadsTheChunkLimits) {
  RecordingStream rec("environment_test");
  setenv("REEL_CHUNK_MAX_ROWS", "77", 1);
  setenv("REEL_CHUNK_MAX_BYTES", "12345", 1);
  setenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", "33", 1);
  auto store = rec.memory_store();
  unsetenv("REEL_CHUNK_MAX_ROWS");
  unsetenv("REEL_CHUNK_MAX_BYTES");
  unsetenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED");
  EXPECT_EQ(store->config().chunk_max_rows, 77u);
  EXPECT_EQ(store->config().chunk_max_bytes, 12345u);
  EXPECT_EQ(store->config().chunk_max_rows_if_unsorted, 33u);
  // Created once: later calls share it.
  EXPECT_EQ(rec.memory_store(), store);
}

// `reel compact` without --max-rows merges up to REEL_CHUNK_MAX_ROWS rows per chunk.
TEST(EnvironmentTest, ReelCompactReadsTheChunkLimits) {
  const std::string in = temp_path("one_row_chunks.reel");
  const std::string out = temp_path("compacted.reel");
  {
    ChunkStore store(ChunkStoreConfig::no_compaction());
    const ComponentDescriptor& scalar = Scalars::fields()[0].descriptor;
    for (int i = 0; i < 100; ++i) {
      ChunkBuilder b(EntityPath::parse("/a").value());
      b.add_row(RowId::create(), {{Timeline::sequence("frame"), i}},
                {{scalar, arrow::make_primitive<double>({double(i)})}});
      ASSERT_TRUE(store.insert(b.build().value()).ok());
    }
    ASSERT_EQ(store.num_chunks(), 100u);
    auto writer = format::RecordingWriter::open(in);
    ASSERT_TRUE(writer.ok()) << writer.status().to_string();
    ASSERT_TRUE(write_store(store, **writer).ok());
    ASSERT_TRUE((*writer)->finish().ok());
  }
  const std::string command = std::string("REEL_CHUNK_MAX_ROWS=10 ") + REEL_CLI_PATH + " compact " +
                              in + " -o " + out + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ChunkStore compacted(ChunkStoreConfig::no_compaction());
  ASSERT_TRUE(load_file(out, compacted).ok());
  EXPECT_EQ(compacted.num_chunks(), 10u);  // the default limit (4096) would give one chunk
  for (const auto& chunk : compacted.chunks()) EXPECT_EQ(chunk->num_rows(), 10);
  fs::remove_all(fs::path(in).parent_path());
}

}  // namespace
}  // namespace reel
