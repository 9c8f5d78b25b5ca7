// ChunkStoreConfig: the environment is read by from_env() only.
#include "reel/store/chunk_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "store/test_util_internal.hpp"

namespace reel {
namespace {

using namespace store::testing;

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

}  // namespace
}  // namespace reel
