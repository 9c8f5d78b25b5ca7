// MediaType::guess_from_path / guess_from_bytes: what Asset3D and EncodedImage record when no
// media type is given.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "reel/types/components.hpp"

namespace reel {
namespace {

std::vector<uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(MediaTypeTest, GuessesFromTheExtensionInAnyCase) {
  EXPECT_EQ(MediaType::guess_from_path("/a/b/robot.GLB"), "model/gltf-binary");
  EXPECT_EQ(MediaType::guess_from_path("scene.gltf"), "model/gltf+json");
  EXPECT_EQ(MediaType::guess_from_path("mesh.obj"), "model/obj");
  EXPECT_EQ(MediaType::guess_from_path("part.Stl"), "model/stl");
  EXPECT_EQ(MediaType::guess_from_path("photo.jpeg"), "image/jpeg");
  EXPECT_EQ(MediaType::guess_from_path("photo.jpg"), "image/jpeg");
  EXPECT_EQ(MediaType::guess_from_path("x.png"), "image/png");
  EXPECT_EQ(MediaType::guess_from_path("dir.obj/noext"), "");
  EXPECT_EQ(MediaType::guess_from_path("model.ply"), "");
}

TEST(MediaTypeTest, GuessesFromTheBytes) {
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("glTF\x02\0\0\0")), "model/gltf-binary");
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("  {\"asset\": {\"version\": \"2.0\"}}")),
            "model/gltf+json");
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("solid cube\nfacet normal 0 0 1\n")), "model/stl");
  EXPECT_EQ(
      MediaType::guess_from_bytes(bytes("# a triangle\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")),
      "model/obj");
  // Binary STL: 80-byte header, a triangle count, 50 bytes per triangle.
  std::vector<uint8_t> stl(84 + 2 * 50, 0);
  stl[80] = 2;
  EXPECT_EQ(MediaType::guess_from_bytes(stl), "model/stl");
  stl.push_back(0);  // the size no longer matches the count
  EXPECT_EQ(MediaType::guess_from_bytes(stl), "");
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("\xFF\xD8\xFF\xE0")), "image/jpeg");
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("\x89PNG\r\n\x1A\n")), "image/png");
  EXPECT_EQ(MediaType::guess_from_bytes(bytes("hello world\n")), "");
  EXPECT_EQ(MediaType::guess_from_bytes({}), "");
}

}  // namespace
}  // namespace reel
