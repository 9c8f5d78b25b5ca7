// Plain files as recordings, on files written by Pillow and laid out by hand from their
// format descriptions (write_files.py): images, PLY point clouds, meshes, text, directories.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "reel/import/importer.hpp"
#include "reel/types/archetypes.hpp"

namespace {

using namespace reel;
using namespace reel::import;
using json = nlohmann::json;

std::string dir() {
  const char* d = std::getenv("REEL_IMPORT_TEST_DIR");
  return d ? d : "";
}

json listed() {
  std::ifstream f(dir() + "/files.json");
  return json::parse(f)["files"];
}

std::string bytes_of_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Every chunk of an import, by entity.
std::map<std::string, ChunkPtr> import_all(const std::string& path,
                                           ImportReport* report = nullptr) {
  std::map<std::string, ChunkPtr> out;
  auto r = import_file(path, [&](ChunkPtr c) {
    out[c->entity_path().str()] = c;
    return Status::OK();
  });
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (r.ok() && report) *report = *r;
  return out;
}

arrow::ArrayPtr cell(const ChunkPtr& c, const ComponentDescriptor& d) {
  const ComponentColumn* col = c->component(d);
  EXPECT_NE(col, nullptr) << d.identifier();
  return col ? col->list.row_values(0) : nullptr;
}
std::string text(const arrow::ArrayPtr& a) { return std::string(arrow::BinaryArray(a).value(0)); }

TEST(ImportPlainFilesTest, EachKindBecomesItsArchetype) {
  for (const auto& f : listed()) {
    const std::string path = dir() + "/files/" + f["path"].get<std::string>();
    SCOPED_TRACE(path);
    const std::string name = path.substr(path.find_last_of('/') + 1);
    auto chunks = import_all(path);
    ASSERT_EQ(chunks.size(), 1u);
    const ChunkPtr& c = chunks.begin()->second;
    EXPECT_EQ(c->entity_path().str(), "/" + name);
    EXPECT_TRUE(c->is_static());
    const std::string kind = f["kind"];
    if (kind == "image") {
      EXPECT_EQ(text(cell(c, EncodedImage::descriptor_blob())), bytes_of_file(path));
      EXPECT_EQ(text(cell(c, EncodedImage::descriptor_media_type())), f["media_type"]);
    } else if (kind == "mesh") {
      EXPECT_EQ(text(cell(c, Asset3D::descriptor_blob())), bytes_of_file(path));
      EXPECT_EQ(text(cell(c, Asset3D::descriptor_media_type())), f["media_type"]);
    } else if (kind == "text") {
      EXPECT_EQ(text(cell(c, TextDocument::descriptor_text())), bytes_of_file(path));
      EXPECT_EQ(text(cell(c, TextDocument::descriptor_media_type())), f["media_type"]);
    } else {
      // PLY: positions, uchar colors (alpha 255) and the intensity property, as written.
      std::vector<float> xyz;
      std::vector<uint32_t> colors;
      std::vector<double> intensity;
      for (const auto& v : f["vertices"]) {
        xyz.insert(xyz.end(), {v[0].get<float>(), v[1].get<float>(), v[2].get<float>()});
        colors.push_back(v[3].get<uint32_t>() << 24 | v[4].get<uint32_t>() << 16 |
                         v[5].get<uint32_t>() << 8 | 0xFF);
        intensity.push_back(v[6].get<double>());
      }
      const arrow::ArrayPtr positions = cell(c, Points3D::descriptor_positions());
      const float* p = positions->children[0]->values<float>() + positions->offset * 3;
      EXPECT_EQ(std::vector<float>(p, p + positions->length * 3), xyz);
      const arrow::ArrayPtr col = cell(c, Points3D::descriptor_colors());
      EXPECT_EQ(
          std::vector<uint32_t>(col->values<uint32_t>(), col->values<uint32_t>() + col->length),
          colors);
      const arrow::ArrayPtr in = cell(c, ComponentDescriptor("", "intensity", ""));
      EXPECT_EQ(std::vector<double>(in->values<double>(), in->values<double>() + in->length),
                intensity);
    }
  }
}

TEST(ImportPlainFilesTest, DirectoryImportsEveryFileUnderItsRelativePath) {
  ImportReport report;
  auto chunks = import_all(dir() + "/files", &report);
  std::vector<std::string> entities;
  for (const auto& [e, c] : chunks) entities.push_back(e);
  std::vector<std::string> expected;
  for (const auto& f : listed()) expected.push_back("/" + f["path"].get<std::string>());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(entities, expected);  // ignored.json is passed over
  EXPECT_TRUE(report.warnings.empty());
  // Same content, same id.
  ImportReport again;
  import_all(dir() + "/files", &again);
  EXPECT_EQ(report.info.recording_id, again.info.recording_id);
}

TEST(ImportPlainFilesTest, BrokenPlyIsAnErrorNamingTheFile) {
  const std::string path = dir() + "/broken.ply";
  std::string bytes = bytes_of_file(dir() + "/files/cloud_le.ply");
  bytes.resize(bytes.size() - 40);  // vertices cut off
  std::ofstream(path, std::ios::binary) << bytes;
  auto r = import_file(path, [](ChunkPtr) { return Status::OK(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("broken.ply: PLY 6 vertices do not fit in the file"),
            std::string::npos)
      << r.status().message();
}

}  // namespace
