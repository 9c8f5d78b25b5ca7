// The hand-written parts of the archetypes: what src/types/archetypes_generated.cpp does
// not derive from the definition (instance-count checks, image and tensor checks, media
// type guessing, columns() helpers, constants).
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
    return arrow::make_fixed_size_list(child, n).value();
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
  if (guess) out.add(EncodedImage::descriptor_media_type(), Collection<MediaType>(MediaType(guess)));
}

void collect_ext(const Tensor& a, ComponentBatchList& out) {
  for (const auto& t : a.data.span()) {
    uint64_t elements = 1;
    for (uint64_t d : t.shape) elements *= d;
    size_t need = size_t(elements) * channel_datatype_size(t.datatype);
    if (t.buffer.view().size() != need) {
      out.fail(Status::Invalid("Tensor: shape needs " + std::to_string(need) + " bytes, buffer has " +
                               std::to_string(t.buffer.view().size())));
    }
  }
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
    auto list = ListColumn::with_offsets(values,
                                         arrow::Buffer::copy_of(offsets.data(), offsets.size() * 4),
                                         int64_t(lengths.size()));
    if (!list.ok()) return {d, ListColumn::nulls(values->type, int64_t(lengths.size()))};
    return {d, *list};
  };
  std::vector<ComponentColumn> out;
  out.push_back(make(descriptor_positions(), ComponentBatch::from<Position3D>(descriptor_positions(), positions)));
  if (!colors.empty()) {
    out.push_back(make(descriptor_colors(), ComponentBatch::from<Color>(descriptor_colors(), colors)));
  }
  return out;
}

const ViewCoordinates ViewCoordinates::RIGHT_HAND_Z_UP(3, 5, 1);
const ViewCoordinates ViewCoordinates::RIGHT_HAND_Y_UP(3, 1, 6);
const ViewCoordinates ViewCoordinates::RDF(3, 2, 5);
const ViewCoordinates ViewCoordinates::RUB(3, 1, 6);
const ViewCoordinates ViewCoordinates::FLU(5, 4, 1);

}  // namespace reel
