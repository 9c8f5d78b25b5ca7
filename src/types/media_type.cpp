// Media types guessed from a file's extension or from its first bytes (Asset3D, EncodedImage),
// with the names Rerun uses (MediaType::GLB is "model/gltf-binary", ...).
#include <algorithm>
#include <cctype>
#include <string>

#include "reel/types/components.hpp"

namespace reel {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool starts_with(std::span<const uint8_t> bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), bytes.begin(),
                    [](char a, uint8_t b) { return uint8_t(a) == b; });
}

// The bytes after leading whitespace, as text (at most `n` of them).
std::string_view text_start(std::span<const uint8_t> bytes, size_t n) {
  size_t i = 0;
  while (i < bytes.size() && std::isspace(bytes[i])) ++i;
  return std::string_view(reinterpret_cast<const char*>(bytes.data()) + i,
                          std::min(n, bytes.size() - i));
}

// A binary STL: an 80-byte header, a u32 triangle count, 50 bytes per triangle.
bool is_binary_stl(std::span<const uint8_t> bytes) {
  if (bytes.size() < 84) return false;
  const uint64_t triangles = uint64_t(bytes[80]) | uint64_t(bytes[81]) << 8 |
                             uint64_t(bytes[82]) << 16 | uint64_t(bytes[83]) << 24;
  return bytes.size() == 84 + 50 * triangles;
}

// OBJ is text whose statements start with a keyword: v, vt, vn, f, o, g, s, usemtl, mtllib, #.
bool looks_like_obj(std::span<const uint8_t> bytes) {
  std::string_view text = text_start(bytes, 4096);
  bool vertex = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    if (line.empty() || line.front() == '#') continue;
    std::string_view keyword = line.substr(0, line.find_first_of(" \t\r"));
    if (keyword == "v") {
      vertex = true;
    } else if (keyword != "vt" && keyword != "vn" && keyword != "vp" && keyword != "f" &&
               keyword != "o" && keyword != "g" && keyword != "s" && keyword != "l" &&
               keyword != "usemtl" && keyword != "mtllib") {
      return false;
    }
  }
  return vertex;
}

}  // namespace

std::string MediaType::guess_from_path(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  const std::string ext = lower(path.substr(dot));
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".glb") return "model/gltf-binary";
  if (ext == ".gltf") return "model/gltf+json";
  if (ext == ".obj") return "model/obj";
  if (ext == ".stl") return "model/stl";
  if (ext == ".md" || ext == ".markdown") return "text/markdown";
  if (ext == ".txt") return "text/plain";
  return "";
}

std::string MediaType::guess_from_bytes(std::span<const uint8_t> bytes) {
  if (starts_with(bytes, "\xFF\xD8\xFF")) return "image/jpeg";
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (starts_with(bytes, "glTF")) return "model/gltf-binary";
  if (is_binary_stl(bytes)) return "model/stl";
  const std::string_view text = text_start(bytes, size_t(1) << 16);
  if (text.starts_with("{") && text.find("\"asset\"") != std::string_view::npos) {
    return "model/gltf+json";
  }
  if (text.starts_with("solid")) return "model/stl";  // ASCII STL
  if (looks_like_obj(bytes)) return "model/obj";
  return "";
}

}  // namespace reel
