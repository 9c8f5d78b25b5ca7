// Image::compress makes a JPEG that an independent decoder (libturbojpeg's decompressor, not
// reel code) reads back to the same pixels within JPEG's tolerance.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

// A smooth test pattern (JPEG's error is small on smooth images).
std::vector<uint8_t> gradient(int w, int h, int channels) {
  std::vector<uint8_t> p(size_t(w * h * channels));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        p[size_t((y * w + x) * channels + c)] = uint8_t(40 + x * 100 / w + y * 60 / h + c * 20);
      }
    }
  }
  return p;
}

std::vector<uint8_t> decode(std::span<const uint8_t> jpeg, int pixel_format, int* w, int* h) {
  tjhandle d = tjInitDecompress();
  int subsampling = 0, colorspace = 0;
  EXPECT_EQ(tjDecompressHeader3(d, jpeg.data(), jpeg.size(), w, h, &subsampling, &colorspace), 0);
  std::vector<uint8_t> out(size_t(*w * *h * tjPixelSize[pixel_format]));
  EXPECT_EQ(tjDecompress2(d, jpeg.data(), jpeg.size(), out.data(), *w, 0, *h, pixel_format, 0), 0)
      << tjGetErrorStr2(d);
  tjDestroy(d);
  return out;
}

int max_error(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  int worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
  return worst;
}

TEST(ImageCompressTest, RgbBecomesAJpegWithTheSamePixels) {
  const int w = 64, h = 48;
  auto pixels = gradient(w, h, 3);
  auto jpeg = Image::from_rgb24(pixels, w, h).compress(95);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().to_string();
  ASSERT_EQ(jpeg->blob.size(), 1u);
  auto bytes = jpeg->blob[0].view();
  EXPECT_EQ(bytes[0], 0xFF);
  EXPECT_EQ(bytes[1], 0xD8);
  EXPECT_LT(bytes.size(), pixels.size());
  EXPECT_EQ(
      arrow::BinaryArray(ComponentTraits<MediaType>::to_arrow(jpeg->media_type.span())).value(0),
      "image/jpeg");
  int dw = 0, dh = 0;
  auto back = decode(bytes, TJPF_RGB, &dw, &dh);
  EXPECT_EQ(dw, w);
  EXPECT_EQ(dh, h);
  EXPECT_LE(max_error(back, pixels), 12);
}

TEST(ImageCompressTest, GrayAndBgrToo) {
  const int w = 32, h = 16;
  auto gray = gradient(w, h, 1);
  auto jpeg = Image::from_grayscale8(gray, w, h).compress(90);
  ASSERT_TRUE(jpeg.ok());
  int dw = 0, dh = 0;
  EXPECT_LE(max_error(decode(jpeg->blob[0].view(), TJPF_GRAY, &dw, &dh), gray), 8);

  auto bgr = gradient(w, h, 3);
  auto bgr_jpeg =
      Image(ImageBuffer(std::span<const uint8_t>(bgr)),
            ImageFormat{uint32_t(w), uint32_t(h), ColorModel::kBGR, ChannelDatatype::kU8})
          .compress();
  ASSERT_TRUE(bgr_jpeg.ok());
  EXPECT_LE(max_error(decode(bgr_jpeg->blob[0].view(), TJPF_BGR, &dw, &dh), bgr), 12);
}

TEST(ImageCompressTest, RefusesWhatJpegCannotHold) {
  std::vector<uint8_t> rgba(4 * 4 * 4);
  EXPECT_EQ(Image::from_rgba32(rgba, 4, 4).compress().status().message(),
            "Image.compress: only L, RGB and BGR images can be JPEG compressed (JPEG has no "
            "alpha), got RGBA");
  std::vector<uint8_t> u16(4 * 4 * 2);
  EXPECT_EQ(Image(ImageBuffer(std::span<const uint8_t>(u16)),
                  ImageFormat{4, 4, ColorModel::kL, ChannelDatatype::kU16})
                .compress()
                .status()
                .message(),
            "Image.compress: only U8 images can be JPEG compressed, got U16");
  std::vector<uint8_t> rgb(4 * 4 * 3);
  EXPECT_EQ(Image::from_rgb24(rgb, 4, 4).compress(0).status().message(),
            "Image.compress: jpeg_quality is 1..100, got 0");
  EXPECT_EQ(Image::from_rgb24(std::span<const uint8_t>(rgb).subspan(1), 4, 4)
                .compress()
                .status()
                .message(),
            "Image.compress: a 4x4 image needs 48 bytes, got 47");
}

}  // namespace
}  // namespace reel
