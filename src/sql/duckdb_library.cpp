// Finding and loading libduckdb at run time (see the search order in reel/sql/sql.hpp).
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "reel/sql/sql.hpp"
#include "sql/duckdb_api_internal.hpp"

namespace reel::sql {

namespace {

namespace fs = std::filesystem;

// The folder of the running program (/proc/self/exe), or "" when unknown.
std::string program_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  // An explicit choice is the only one tried.
  if (const char* env = std::getenv("REEL_DUCKDB_LIBRARY"); env && *env) return {env};
  if (auto dir = program_dir(); !dir.empty()) {
    out.push_back(dir + "/libduckdb.so");
    out.push_back((fs::path(dir).parent_path() / "lib" / "libduckdb.so").string());
  }
#ifdef REEL_DUCKDB_INSTALL_LIBRARY
  out.emplace_back(REEL_DUCKDB_INSTALL_LIBRARY);
#endif
#ifdef REEL_DUCKDB_SETUP_LIBRARY
  out.emplace_back(REEL_DUCKDB_SETUP_LIBRARY);
#endif
  out.emplace_back("libduckdb.so");  // the system's loader paths
  return out;
}

struct Loaded {
  Status status;
  internal::DuckDbApi api;
};

Loaded load() {
  Loaded out;
  std::string tried;
  for (const auto& path : candidates()) {
    const bool bare = path.find('/') == std::string::npos;
    std::error_code ec;
    if (!bare && !fs::exists(path, ec)) {
      tried += "\n  " + path + " (no such file)";
      continue;
    }
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = ::dlerror();
      tried += "\n  " + path + " (" + (why ? why : "cannot be loaded") + ")";
      continue;
    }
    internal::DuckDbApi api;
    std::string missing;
#define REEL_DUCKDB_RESOLVE(name)                                          \
  api.name = reinterpret_cast<decltype(api.name)>(::dlsym(handle, #name)); \
  if (!api.name) missing += (missing.empty() ? "" : ", ") + std::string(#name);
    REEL_DUCKDB_FUNCTIONS(REEL_DUCKDB_RESOLVE)
#undef REEL_DUCKDB_RESOLVE
    if (!missing.empty()) {
      tried += "\n  " + path + " (lacks " + missing + ": reel needs DuckDB 1.4 or newer)";
      ::dlclose(handle);
      continue;
    }
    api.path = path;
    api.version = api.duckdb_library_version();
    out.api = api;
    out.status = Status::OK();
    return out;  // never unloaded: DuckDB's threads and atexit handlers live in it
  }
  out.status = Status::NotFound(
      "DuckDB's library (libduckdb.so) was not found; reel sql and reel export need it. Install "
      "it with scripts/duckdb.sh --install (or a system libduckdb), or point REEL_DUCKDB_LIBRARY "
      "at it. Tried:" +
      tried);
  return out;
}

const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

}  // namespace

namespace internal {

Result<const DuckDbApi*> duckdb_api() {
  const Loaded& l = loaded();
  if (!l.status.ok()) return l.status;
  return &l.api;
}

}  // namespace internal

Result<DuckDbLibrary> load_duckdb() {
  REEL_ASSIGN_OR_RETURN(const internal::DuckDbApi* api, internal::duckdb_api());
  return DuckDbLibrary{api->path, api->version};
}

}  // namespace reel::sql
