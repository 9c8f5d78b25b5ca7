// ChunkStoreConfig::from_env: the defaults, overridden by REEL_CHUNK_* environment variables.
// Only the programs and entry points call it; a ChunkStore never reads the environment.
#include "reel/store/config.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

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

// ---- memory sizes (reel serve --memory-limit, rr.memory_recording(memory_limit=))

Result<uint64_t> parse_memory_size(std::string_view text, uint64_t total_ram) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      t.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  }
  if (t == "none" || t == "0") return uint64_t(0);
  size_t unit_at = 0;
  while (unit_at < t.size() &&
         (std::isdigit(static_cast<unsigned char>(t[unit_at])) || t[unit_at] == '.')) {
    ++unit_at;
  }
  const std::string number = t.substr(0, unit_at);
  const std::string unit = t.substr(unit_at);
  char* end = nullptr;
  double value = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value) ||
      value < 0) {
    return Status::Invalid("bad memory size '" + std::string(text) +
                           "': expected e.g. 2GB, 512MiB, 25% or 0 (no limit)");
  }
  static const std::map<std::string, double> kUnits = {{"", 1},
                                                       {"b", 1},
                                                       {"k", 1e3},
                                                       {"kb", 1e3},
                                                       {"kib", 1024.0},
                                                       {"m", 1e6},
                                                       {"mb", 1e6},
                                                       {"mib", 1048576.0},
                                                       {"g", 1e9},
                                                       {"gb", 1e9},
                                                       {"gib", 1073741824.0},
                                                       {"t", 1e12},
                                                       {"tb", 1e12},
                                                       {"tib", 1099511627776.0}};
  double bytes;
  if (unit == "%") {
    if (value > 100)
      return Status::Invalid("bad memory size '" + std::string(text) + "': over 100%");
    if (total_ram == 0) {
      return Status::Invalid("cannot use a percentage memory size: physical memory is unknown");
    }
    bytes = double(total_ram) * value / 100.0;
  } else {
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) {
      return Status::Invalid("bad memory size '" + std::string(text) + "': unknown unit '" + unit +
                             "' (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB or %)");
    }
    bytes = value * it->second;
  }
  if (bytes >= 1.8e19)
    return Status::Invalid("memory size '" + std::string(text) + "' is too large");
  return uint64_t(bytes);
}

uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  uint64_t total = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
  // A container's cgroup (v2) limit, when lower.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string limit;
  if (cgroup >> limit && limit != "max") {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), v);
    if (ec == std::errc() && v > 0 && (total == 0 || v < total)) total = v;
  }
  return total;
}

}  // namespace reel
