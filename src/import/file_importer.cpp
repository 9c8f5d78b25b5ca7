#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "import/columns_internal.hpp"
#include "import/file_importer_internal.hpp"
#include "reel/common/utf8.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

// Plain files are read whole: they are one row each.
constexpr uint64_t kMaxPlainFileBytes = uint64_t(1) << 31;

std::string extension(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot + 1);
  std::transform(e.begin(), e.end(), e.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

Result<std::string> read_whole(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::IOError("cannot open " + path);
  const std::streamoff size = f.tellg();
  if (size < 0 || uint64_t(size) > kMaxPlainFileBytes) {
    return Status::Invalid(path + ": " + std::to_string(size) + " bytes is too large to import");
  }
  std::string bytes(size_t(size), '\0');
  f.seekg(0);
  f.read(bytes.data(), size);
  if (!f) return Status::IOError("reading " + path);
  return bytes;
}

const char* mesh_media_type(const std::string& ext, std::string_view bytes) {
  if (bytes.substr(0, 4) == "glTF" || ext == "glb") return "model/gltf-binary";
  if (ext == "gltf") return "model/gltf+json";
  if (ext == "stl") return "model/stl";
  return "model/obj";
}

arrow::ArrayPtr binary_of(std::string_view bytes) {
  const std::vector<int32_t> offsets = {0, int32_t(bytes.size())};
  return arrow::ArrayData::make(
      arrow::binary(), 1, 0, {nullptr, buffer_of(offsets), buffer_of(bytes.data(), bytes.size())});
}

// One static row of `columns` on `entity`.
Status emit(const EntityPath& entity, std::vector<ComponentColumn> columns,
            const ChunkCallback& on_chunk, ImportReport& report) {
  REEL_ASSIGN_OR_RETURN(auto chunk, Chunk::make(RowId::create(), entity,
                                                RowIdColumn::consecutive(RowId::reserve(1), 1), {},
                                                std::move(columns)));
  ++report.chunks;
  ++report.messages;
  return on_chunk(std::move(chunk));
}

Status import_one(const std::string& path, const EntityPath& entity, ImportFormat format,
                  const ChunkCallback& on_chunk, ImportReport& report) {
  REEL_ASSIGN_OR_RETURN(std::string bytes, read_whole(path));
  report.bytes += bytes.size();
  std::vector<ComponentColumn> columns;
  const std::string ext = extension(path);
  auto text = [](std::string s) { return string_array({std::move(s)}); };
  switch (format) {
    case ImportFormat::kImage: {
      const bool png = bytes.size() >= 4 && std::memcmp(bytes.data(), "\x89PNG", 4) == 0;
      columns.push_back(unit_column(EncodedImage::descriptor_blob(), binary_of(bytes)));
      columns.push_back(unit_column(EncodedImage::descriptor_media_type(),
                                    text(png ? "image/png" : "image/jpeg")));
      break;
    }
    case ImportFormat::kMesh:
      columns.push_back(unit_column(Asset3D::descriptor_blob(), binary_of(bytes)));
      columns.push_back(
          unit_column(Asset3D::descriptor_media_type(), text(mesh_media_type(ext, bytes))));
      break;
    case ImportFormat::kText: {
      if (auto bad = utf8::first_invalid(bytes)) {
        report.warnings.push_back(path + " at byte " + std::to_string(*bad) +
                                  ": not UTF-8; invalid bytes replaced by U+FFFD");
        bytes = utf8::replace_invalid(bytes);
      }
      const bool md = ext == "md" || ext == "markdown";
      columns.push_back(unit_column(TextDocument::descriptor_text(), text(bytes)));
      columns.push_back(unit_column(TextDocument::descriptor_media_type(),
                                    text(md ? "text/markdown" : "text/plain")));
      break;
    }
    case ImportFormat::kPointCloud: {
      REEL_ASSIGN_OR_RETURN(columns, parse_ply(bytes, path));
      break;
    }
    default:
      return Status::Invalid(path + ": not a plain file reel imports");
  }
  return emit(entity, std::move(columns), on_chunk, report);
}

void list_directory(const std::string& dir, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    const std::string path = dir + "/" + n;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      list_directory(path, prefix + "/" + n, out);
    } else if (S_ISREG(st.st_mode)) {
      out.emplace_back(path, prefix + "/" + n);
    }
  }
}

}  // namespace

Result<ImportFormat> detect_plain_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IOError("cannot open " + path);
  uint8_t b[8] = {};
  const size_t got = std::fread(b, 1, sizeof b, f);
  std::fclose(f);
  const std::string ext = extension(path);
  if (got >= 4 && std::memcmp(b, "\x89PNG", 4) == 0) return ImportFormat::kImage;
  if (got >= 3 && std::memcmp(b, "\xFF\xD8\xFF", 3) == 0) return ImportFormat::kImage;
  if (got >= 4 && std::memcmp(b, "ply", 3) == 0 && (b[3] == '\n' || b[3] == '\r')) {
    return ImportFormat::kPointCloud;
  }
  if (got >= 4 && std::memcmp(b, "glTF", 4) == 0) return ImportFormat::kMesh;
  // Formats without a magic number: by extension.
  if (ext == "obj" || ext == "stl" || ext == "gltf") return ImportFormat::kMesh;
  if (ext == "txt" || ext == "md" || ext == "markdown") return ImportFormat::kText;
  return ImportFormat::kNone;
}

Status import_plain(const std::string& path, ImportFormat format, const ChunkCallback& on_chunk,
                    ImportReport& report) {
  std::string name = path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  const size_t slash = name.find_last_of('/');
  const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  if (format != ImportFormat::kDirectory) {
    return import_one(path, EntityPath(std::vector<std::string>{base}), format, on_chunk, report);
  }
  std::vector<std::pair<std::string, std::string>> files;
  list_directory(name, "", files);
  for (const auto& [file, relative] : files) {
    auto f = detect_plain_file(file);
    if (!f.ok() || *f == ImportFormat::kNone) continue;  // not something to import: passed over
    Status st = import_one(file, EntityPath(relative), *f, on_chunk, report);
    if (!st.ok()) {
      if (st.code() == StatusCode::kIOError) return st;
      report.warnings.push_back(st.message() + " (skipped)");
    }
  }
  return Status::OK();
}

std::string directory_id(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> files;
  list_directory(path, "", files);
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const auto& [file, relative] : files) {
    struct stat st;
    if (::stat(file.c_str(), &st) != 0) continue;
    std::string entry = relative + "\n" + std::to_string(st.st_size) + "\n";
    crc = crc32(crc, reinterpret_cast<const Bytef*>(entry.data()), uInt(entry.size()));
    auto bytes = read_whole(file);
    if (bytes.ok())
      crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes->data()), uInt(bytes->size()));
  }
  char id[24];
  std::snprintf(id, sizeof id, "dir%08lx%08zx", crc, files.size());
  return id;
}

}  // namespace reel::import::internal
