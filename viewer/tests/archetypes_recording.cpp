// Writes a recording with the archetypes the demo does not log, for the viewer's browser
// tests (tests/browser/archetypes.test.mjs): an encoded PNG, a depth image, a tensor, a
// Markdown document, arrows, rotated boxes, a rotating transform with per-point radii,
// named and colored series, and text logs of every level.
//
// Usage: reel_viewer_archetypes FILE
#include <reel/reel.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc = 0) {
  static std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}

void chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
  put32(png, uint32_t(data.size()));
  std::vector<uint8_t> body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  put32(png, crc32(body.data(), body.size()));
}

// An RGB PNG with stored (uncompressed) deflate blocks: pixel (x, y) = (x * 16, y * 16, 200).
std::vector<uint8_t> make_png(uint32_t w, uint32_t h) {
  std::vector<uint8_t> raw;
  for (uint32_t y = 0; y < h; ++y) {
    raw.push_back(0);  // filter: none
    for (uint32_t x = 0; x < w; ++x) {
      raw.push_back(uint8_t(x * 16));
      raw.push_back(uint8_t(y * 16));
      raw.push_back(200);
    }
  }
  std::vector<uint8_t> z = {0x78, 0x01};
  for (size_t off = 0; off < raw.size(); off += 65535) {
    const size_t len = std::min<size_t>(65535, raw.size() - off);
    z.push_back(off + len == raw.size() ? 1 : 0);
    z.push_back(uint8_t(len));
    z.push_back(uint8_t(len >> 8));
    z.push_back(uint8_t(~len));
    z.push_back(uint8_t(~len >> 8));
    z.insert(z.end(), raw.begin() + long(off), raw.begin() + long(off + len));
  }
  uint32_t a = 1, b = 0;
  for (uint8_t c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  std::vector<uint8_t> ihdr;
  put32(ihdr, w);
  put32(ihdr, h);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", {});
  return png;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  reel::RecordingStream rec("viewer_archetypes");
  if (auto st = rec.save(argv[1]); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  rec.log_static("shapes", reel::ViewCoordinates::RIGHT_HAND_Z_UP);
  rec.log_static("docs/readme",
                 reel::TextDocument("# Test run\n\nThe *viewer* renders this.\n\n- first item\n- "
                                    "second item\n\n```\ncode block\n```")
                     .with_media_type(reel::MediaType::markdown()));
  rec.log_static("docs/plain", reel::TextDocument("plain text, not **markdown**"));
  rec.log_static(
      "series/named",
      reel::SeriesLines().with_names(reel::Name("speed")).with_colors(reel::Color(255, 0, 255)));
  rec.log_static(
      "images/png",
      reel::EncodedImage(reel::Blob(make_png(16, 12))).with_media_type(reel::MediaType::png()));

  std::vector<uint16_t> depth(32 * 24);
  for (size_t i = 0; i < depth.size(); ++i)
    depth[i] = uint16_t(i % 32 == 0 ? 0 : 500 + 40 * (i % 32));
  std::vector<float> tensor(16 * 16);
  for (size_t i = 0; i < tensor.size(); ++i) tensor[i] = float(i % 16) / 15.0f;
  rec.log_static("images/depth", reel::DepthImage::from_u16(depth, 32, 24).with_meter(1000.0f));
  rec.log_static("images/tensor", reel::Tensor::from_f32({16, 16}, tensor));

  const char* levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"};
  for (int f = 0; f < 20; ++f) {
    rec.set_time_sequence("frame", f);
    const float a = float(f) * 0.15f;
    rec.log("shapes/arrows", reel::Arrows3D::from_vectors({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})
                                 .with_colors({reel::Color(255, 0, 0), reel::Color(0, 255, 0),
                                               reel::Color(0, 0, 255)}));
    rec.log("shapes/boxes",
            reel::Boxes3D::from_centers_and_half_sizes({{2, 0, 0.5f}, {-2, 0, 0.5f}},
                                                       {{0.5f, 0.5f, 0.5f}, {0.3f, 0.6f, 0.5f}})
                .with_quaternions(reel::RotationQuat{0, 0, std::sin(a / 2), std::cos(a / 2)})
                .with_colors({reel::Color(0, 200, 255), reel::Color(255, 220, 0)}));
    rec.log("shapes/spinner", reel::Transform3D::from_translation_rotation(
                                  {0, 0, 1.5f}, {0, 0, std::sin(a), std::cos(a)}));
    rec.log("shapes/spinner/points", reel::Points3D({{1.5f, 0, 0}, {-1.5f, 0, 0}, {0, 1.5f, 0}})
                                         .with_radii({0.15f, 0.25f, 0.35f})
                                         .with_colors(reel::Color(255, 80, 80)));
    rec.log("series/named", reel::Scalars(std::cos(a)));
    rec.log(
        "logs/app",
        reel::TextLog("event " + std::to_string(f)).with_level(reel::TextLogLevel(levels[f % 6])));
  }
  rec.flush_blocking();
  return 0;
}
