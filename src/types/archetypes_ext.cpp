// The hand-written parts of the archetypes: what src/types/archetypes_generated.cpp does
// not derive from the definition (instance-count checks, image and tensor checks, media
// type guessing, columns() helpers, constants).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include "reel/types/archetypes.hpp"
#include "types/archetypes_ext_internal.hpp"

namespace reel {

namespace {

std::string plural(int64_t n, const char* what) { return std::to_string(n) + " " + what; }

Status check_image(const Collection<ImageBuffer>& buffer, const Collection<ImageFormat>& format,
                   const char* archetype) {
  if (!buffer.is_set() || !format.is_set()) return Status::OK();
  if (buffer.size() != 1 || format.size() != 1) {
    return Status::Invalid(std::string(archetype) + ": expected one buffer and one format, got " +
                           std::to_string(buffer.size()) + " and " + std::to_string(format.size()));
  }
  const ImageFormat& fmt = format[0];
  size_t have = buffer[0].view().size();
  if (have != fmt.num_bytes()) {
    return Status::Invalid(std::string(archetype) + ": a " + std::to_string(fmt.width) + "x" +
                           std::to_string(fmt.height) + " image with " +
                           std::to_string(num_channels(fmt.color_model)) + " channel(s) of " +
                           std::to_string(channel_datatype_size(fmt.channel_datatype)) +
                           " byte(s) needs " + std::to_string(fmt.num_bytes()) + " bytes, got " +
                           std::to_string(have));
  }
  return Status::OK();
}

}  // namespace

Status check_instance_counts(const ComponentBatchList& batches, size_t first, size_t last,
                             std::string_view archetype) {
  if (first >= last) return Status::OK();
  const ComponentBatch& primary = batches[first];
  const int64_t n = primary.num_instances;
  for (size_t i = first + 1; i < last; ++i) {
    const ComponentBatch& b = batches[i];
    if (b.num_instances == n || b.num_instances <= 1) continue;
    return Status::Invalid(std::string(archetype) + ": " +
                           plural(n, primary.descriptor.field().c_str()) + " but " +
                           plural(b.num_instances, b.descriptor.field().c_str()) + " (expected " +
                           std::to_string(n) + ", or 1 to apply one value to all)");
  }
  return Status::OK();
}

arrow::ArrayPtr ComponentBatch::to_arrow() const {
  if (array) return array;
  const arrow::TypePtr& t = *type;
  auto values = arrow::Buffer::copy_of(data, size_t(num_instances * width));
  if (t->id() == arrow::TypeId::kFixedSizeList) {
    int32_t n = t->list_size();
    auto child = arrow::make_primitive_from_buffer(t->value_type(), values, num_instances * n);
    return arrow::make_fixed_size_list(child, n).value_or_die();
  }
  return arrow::make_primitive_from_buffer(t, values, num_instances);
}

void collect_ext(const Image& a, ComponentBatchList& out) {
  out.fail(check_image(a.buffer, a.format, Image::kName));
}

void collect_ext(const DepthImage& a, ComponentBatchList& out) {
  out.fail(check_image(a.buffer, a.format, DepthImage::kName));
}

// The media type, when not given, is guessed from the bytes.
void collect_ext(const EncodedImage& a, ComponentBatchList& out) {
  if (a.media_type.is_set() || a.blob.size() != 1) return;
  auto bytes = a.blob[0].view();
  const char* guess = nullptr;
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    guess = "image/jpeg";
  } else if (bytes.size() >= 8 && bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' &&
             bytes[3] == 'G') {
    guess = "image/png";
  }
  if (guess)
    out.add(EncodedImage::descriptor_media_type(), Collection<MediaType>(MediaType(guess)));
}

namespace {

Status check_tensor(const TensorData& t, const char* where) {
  uint64_t elements = 1;
  for (uint64_t d : t.shape) elements *= d;
  size_t need = size_t(elements) * channel_datatype_size(t.datatype);
  if (t.buffer.view().size() != need) {
    return Status::Invalid(std::string(where) + ": shape needs " + std::to_string(need) +
                           " bytes, buffer has " + std::to_string(t.buffer.view().size()));
  }
  if (!t.names.empty() && t.names.size() != t.shape.size()) {
    return Status::Invalid(std::string(where) + ": " +
                           plural(int64_t(t.names.size()), "dimension names") + " for " +
                           plural(int64_t(t.shape.size()), "dimensions"));
  }
  return Status::OK();
}

bool is_integer(ChannelDatatype d) {
  return d == ChannelDatatype::kU8 || d == ChannelDatatype::kU16 || d == ChannelDatatype::kU32 ||
         d == ChannelDatatype::kU64 || d == ChannelDatatype::kI8 || d == ChannelDatatype::kI16 ||
         d == ChannelDatatype::kI32 || d == ChannelDatatype::kI64;
}

}  // namespace

void collect_ext(const Tensor& a, ComponentBatchList& out) {
  for (const auto& t : a.data.span()) out.fail(check_tensor(t, Tensor::kName));
}

void collect_ext(const SegmentationImage& a, ComponentBatchList& out) {
  out.fail(check_image(a.buffer, a.format, SegmentationImage::kName));
  for (const ImageFormat& f : a.format) {
    if (f.color_model != ColorModel::kL || !is_integer(f.channel_datatype)) {
      out.fail(Status::Invalid(
          std::string(
              "SegmentationImage: class ids are one integer channel (L, U8/U16/...), got ") +
          (enum_name(f.color_model) ? enum_name(f.color_model) : "?") + " " +
          (enum_name(f.channel_datatype) ? enum_name(f.channel_datatype) : "?")));
    }
  }
}

// Triangle indices name existing vertices; the texture's bytes match its format.
void collect_ext(const Mesh3D& a, ComponentBatchList& out) {
  if (a.vertex_positions.is_set()) {
    const size_t n = a.vertex_positions.size();
    for (size_t i = 0; i < a.triangle_indices.size(); ++i) {
      const TriangleIndices& t = a.triangle_indices[i];
      const uint32_t top = std::max({t.a, t.b, t.c});
      if (top >= n) {
        out.fail(Status::Invalid("Mesh3D: triangle " + std::to_string(i) + " uses vertex " +
                                 std::to_string(top) + " of " + plural(int64_t(n), "vertices")));
        break;
      }
    }
  }
  if (a.albedo_texture_buffer.is_set() != a.albedo_texture_format.is_set()) {
    out.fail(
        Status::Invalid("Mesh3D: albedo_texture_buffer and albedo_texture_format go together"));
  }
  out.fail(check_image(a.albedo_texture_buffer, a.albedo_texture_format, "Mesh3D albedo texture"));
}

// The media type, when not given, is guessed from the bytes (glTF/GLB, STL, OBJ).
void collect_ext(const Asset3D& a, ComponentBatchList& out) {
  if (a.media_type.is_set() || a.blob.size() != 1) return;
  std::string guess = MediaType::guess_from_bytes(a.blob[0].view());
  if (guess.starts_with("model/")) {
    out.add(Asset3D::descriptor_media_type(), Collection<MediaType>(MediaType(std::move(guess))));
  }
}

void collect_ext(const BarChart& a, ComponentBatchList& out) {
  if (a.values.size() > 1) {
    out.fail(Status::Invalid("BarChart: expected one values tensor, got " +
                             std::to_string(a.values.size())));
  }
  uint64_t bars = 0;
  for (const auto& t : a.values) {
    out.fail(check_tensor(t, "BarChart values"));
    if (t.shape.size() != 1) {
      out.fail(Status::Invalid("BarChart: values must be 1-D, got " +
                               plural(int64_t(t.shape.size()), "dimensions")));
    } else {
      bars = t.shape[0];
    }
  }
  for (const auto& t : a.abscissa) {
    out.fail(check_tensor(t, "BarChart abscissa"));
    if (a.values.is_set() && (t.shape.size() != 1 || t.shape[0] != bars)) {
      out.fail(Status::Invalid("BarChart: the abscissa must be 1-D with " + std::to_string(bars) +
                               " values (one per bar)"));
    }
  }
}

Pinhole Pinhole::from_fov_and_aspect_ratio(float fov_y, float aspect_ratio) {
  const float focal = 0.5f / std::tan(std::max(fov_y * 0.5f, 1.19209e-07f));
  return from_focal_length_and_principal_point(focal, focal, aspect_ratio / 2, 0.5f)
      .with_resolution(Resolution{aspect_ratio, 1.0f});
}

Result<Asset3D> Asset3D::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("Asset3D: cannot open '" + path + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("Asset3D: cannot read '" + path + "'");
  std::string media = MediaType::guess_from_path(path);
  if (media.empty()) media = MediaType::guess_from_bytes(bytes);
  Asset3D asset{Blob(std::move(bytes))};
  if (!media.empty()) asset.media_type = Collection<MediaType>(MediaType(std::move(media)));
  return asset;
}

std::vector<ComponentColumn> Scalars::columns(std::span<const double> values) {
  auto buffer = arrow::Buffer::copy_of(values.data(), values.size_bytes());
  auto array = arrow::make_primitive_from_buffer(arrow::float64(), buffer, int64_t(values.size()));
  return {ComponentColumn{descriptor_scalars(), ListColumn::unit(array)}};
}

std::vector<ComponentColumn> Points3D::columns(std::span<const Position3D> positions,
                                               std::span<const int32_t> lengths,
                                               std::span<const Color> colors) {
  std::vector<int32_t> offsets = {0};
  for (int32_t n : lengths) offsets.push_back(offsets.back() + n);
  auto make = [&](const ComponentDescriptor& d, ComponentBatch batch) -> ComponentColumn {
    auto values = batch.to_arrow();
    auto list =
        ListColumn::with_offsets(values, arrow::Buffer::copy_of(offsets.data(), offsets.size() * 4),
                                 int64_t(lengths.size()));
    if (!list.ok()) return {d, ListColumn::nulls(values->type, int64_t(lengths.size()))};
    return {d, *list};
  };
  std::vector<ComponentColumn> out;
  out.push_back(make(descriptor_positions(),
                     ComponentBatch::from<Position3D>(descriptor_positions(), positions)));
  if (!colors.empty()) {
    out.push_back(
        make(descriptor_colors(), ComponentBatch::from<Color>(descriptor_colors(), colors)));
  }
  return out;
}

const ViewCoordinates ViewCoordinates::RIGHT_HAND_Z_UP(3, 5, 1);
const ViewCoordinates ViewCoordinates::RIGHT_HAND_Y_UP(3, 1, 6);
const ViewCoordinates ViewCoordinates::RDF(3, 2, 5);
const ViewCoordinates ViewCoordinates::RUB(3, 1, 6);
const ViewCoordinates ViewCoordinates::FLU(5, 4, 1);

}  // namespace reel
