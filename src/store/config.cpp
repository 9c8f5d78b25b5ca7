// ChunkStoreConfig::from_env: the defaults, overridden by REEL_CHUNK_* environment variables.
// Only the programs and entry points call it; a ChunkStore never reads the environment.
#include "reel/store/config.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace reel {

namespace {

void read_env(const char* name, uint64_t* value) {
  const char* text = std::getenv(name);
  if (!text || !*text) return;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    std::fprintf(stderr, "reel: ignoring %s='%s': expected a non-negative integer\n", name, text);
    return;
  }
  *value = v;
}

}  // namespace

ChunkStoreConfig ChunkStoreConfig::from_env() {
  ChunkStoreConfig c;
  read_env("REEL_CHUNK_MAX_BYTES", &c.chunk_max_bytes);
  read_env("REEL_CHUNK_MAX_ROWS", &c.chunk_max_rows);
  read_env("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", &c.chunk_max_rows_if_unsorted);
  return c;
}

}  // namespace reel
