// ChunkStoreConfig: the environment is read by from_env() only, never by default.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace reel {
namespace {

TEST(ChunkStoreTest, EnvironmentOverridesLimits) {
  setenv("REEL_CHUNK_MAX_ROWS", "77", 1);
  setenv("REEL_CHUNK_MAX_BYTES", "12345", 1);
  setenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", "not-a-number", 1);
  auto c = ChunkStoreConfig::from_env();
  unsetenv("REEL_CHUNK_MAX_ROWS");
  unsetenv("REEL_CHUNK_MAX_BYTES");
  unsetenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED");
  EXPECT_EQ(c.chunk_max_rows, 77u);
  EXPECT_EQ(c.chunk_max_bytes, 12345u);
  EXPECT_EQ(c.chunk_max_rows_if_unsorted, 1024u);  // malformed: default kept
}

// Only the programs read the environment (tests/integration/environment_test.cpp): a store
// built without a config has the plain defaults whatever the environment says.
TEST(ChunkStoreTest, DefaultConfigIgnoresTheEnvironment) {
  setenv("REEL_CHUNK_MAX_ROWS", "77", 1);
  setenv("REEL_CHUNK_MAX_BYTES", "12345", 1);
  setenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", "33", 1);
  ChunkStore store;
  ChunkStoreConfig config;
  unsetenv("REEL_CHUNK_MAX_ROWS");
  unsetenv("REEL_CHUNK_MAX_BYTES");
  unsetenv("REEL_CHUNK_MAX_ROWS_IF_UNSORTED");
  EXPECT_EQ(store.config().chunk_max_rows, 4096u);
  EXPECT_EQ(store.config().chunk_max_bytes, 384u * 1024);
  EXPECT_EQ(store.config().chunk_max_rows_if_unsorted, 1024u);
  EXPECT_EQ(config.chunk_max_rows, 4096u);
}

}  // namespace
}  // namespace reel
