// Image::compress: a raw 8-bit image as a JPEG EncodedImage, through libturbojpeg (Debian's
// libturbojpeg0-dev). Rerun's Image.compress does the same with PIL: L, RGB and BGR of U8
// only (JPEG has no alpha), 4:2:0 chroma subsampling for color as PIL's default.
#include <turbojpeg.h>

#include <memory>
#include <string>

#include "reel/types/archetypes.hpp"

namespace reel {

namespace {

struct TjHandle {
  tjhandle h = tjInitCompress();
  ~TjHandle() {
    if (h) tjDestroy(h);
  }
};

struct TjBuffer {
  unsigned char* data = nullptr;
  ~TjBuffer() { tjFree(data); }
};

}  // namespace

Result<EncodedImage> Image::compress(int jpeg_quality) const {
  if (buffer.size() != 1 || format.size() != 1) {
    return Status::Invalid("Image.compress: expected one buffer and one format, got " +
                           std::to_string(buffer.size()) + " and " + std::to_string(format.size()));
  }
  const ImageFormat& fmt = format[0];
  const auto pixels = buffer[0].view();
  if (fmt.channel_datatype != ChannelDatatype::kU8) {
    return Status::Invalid(
        std::string("Image.compress: only U8 images can be JPEG compressed, got ") +
        (enum_name(fmt.channel_datatype) ? enum_name(fmt.channel_datatype) : "?"));
  }
  int pixel_format = 0, subsampling = TJSAMP_420;
  switch (fmt.color_model) {
    case ColorModel::kL:
      pixel_format = TJPF_GRAY;
      subsampling = TJSAMP_GRAY;
      break;
    case ColorModel::kRGB:
      pixel_format = TJPF_RGB;
      break;
    case ColorModel::kBGR:
      pixel_format = TJPF_BGR;
      break;
    default:
      return Status::Invalid(std::string("Image.compress: only L, RGB and BGR images can be JPEG "
                                         "compressed (JPEG has no alpha), got ") +
                             (enum_name(fmt.color_model) ? enum_name(fmt.color_model) : "?"));
  }
  if (jpeg_quality < 1 || jpeg_quality > 100) {
    return Status::Invalid("Image.compress: jpeg_quality is 1..100, got " +
                           std::to_string(jpeg_quality));
  }
  if (fmt.width == 0 || fmt.height == 0 || pixels.size() != fmt.num_bytes()) {
    return Status::Invalid("Image.compress: a " + std::to_string(fmt.width) + "x" +
                           std::to_string(fmt.height) + " image needs " +
                           std::to_string(fmt.num_bytes()) + " bytes, got " +
                           std::to_string(pixels.size()));
  }
  TjHandle tj;
  if (!tj.h) return Status::IOError("Image.compress: libturbojpeg: cannot create a compressor");
  TjBuffer jpeg;
  unsigned long size = 0;
  const int pitch = int(fmt.width * num_channels(fmt.color_model));
  if (tjCompress2(tj.h, pixels.data(), int(fmt.width), pitch, int(fmt.height), pixel_format,
                  &jpeg.data, &size, subsampling, jpeg_quality, TJFLAG_ACCURATEDCT) != 0) {
    return Status::IOError(std::string("Image.compress: libturbojpeg: ") + tjGetErrorStr2(tj.h));
  }
  EncodedImage out{Blob(std::vector<uint8_t>(jpeg.data, jpeg.data + size))};
  out.media_type = Collection<MediaType>(MediaType::jpeg());
  if (opacity.is_set()) out.opacity = Collection<Opacity>::owned_copy(opacity.span());
  if (draw_order.is_set()) out.draw_order = Collection<DrawOrder>::owned_copy(draw_order.span());
  return out;
}

}  // namespace reel
