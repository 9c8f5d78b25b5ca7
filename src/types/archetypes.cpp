#include "reel/types/archetypes.hpp"

#include <string>

namespace reel {

namespace {

template <typename T>
ArchetypeField make_field(const char* archetype, const char* name) {
  return {name, ComponentDescriptor(archetype, name, ComponentTraits<T>::kName)};
}

std::string plural(int64_t n, const char* what) {
  return std::to_string(n) + " " + what;
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

// The order of each fields() list: primary first, then as docs/components.md lists them.
#define REEL_FIELDS(Archetype, ...)                                              \
  const std::vector<ArchetypeField>& Archetype::fields() {                       \
    static const std::vector<ArchetypeField> f = {__VA_ARGS__};                  \
    return f;                                                                    \
  }
#define F(T, name) make_field<T>(kName, name)

REEL_FIELDS(Scalars, F(Scalar, "scalars"))
REEL_FIELDS(SeriesLines, F(Color, "colors"), F(StrokeWidth, "widths"), F(Name, "names"))
REEL_FIELDS(SeriesPoints, F(Color, "colors"), F(MarkerShape, "markers"),
            F(MarkerSize, "marker_sizes"), F(Name, "names"))
REEL_FIELDS(Points2D, F(Position2D, "positions"), F(Radius, "radii"), F(Color, "colors"),
            F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(Points3D, F(Position3D, "positions"), F(Radius, "radii"), F(Color, "colors"),
            F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(Boxes2D, F(HalfSize2D, "half_sizes"), F(Position2D, "centers"), F(Color, "colors"),
            F(Radius, "radii"), F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(Boxes3D, F(HalfSize3D, "half_sizes"), F(Position3D, "centers"),
            F(RotationQuat, "quaternions"), F(Color, "colors"), F(Radius, "radii"),
            F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(LineStrips2D, F(LineStrip2D, "strips"), F(Radius, "radii"), F(Color, "colors"),
            F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(LineStrips3D, F(LineStrip3D, "strips"), F(Radius, "radii"), F(Color, "colors"),
            F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(Arrows3D, F(Vector3D, "vectors"), F(Position3D, "origins"), F(Radius, "radii"),
            F(Color, "colors"), F(Text, "labels"), F(ClassId, "class_ids"))
REEL_FIELDS(Image, F(ImageBuffer, "buffer"), F(ImageFormat, "format"))
REEL_FIELDS(EncodedImage, F(Blob, "blob"), F(MediaType, "media_type"))
REEL_FIELDS(DepthImage, F(ImageBuffer, "buffer"), F(ImageFormat, "format"),
            F(DepthMeter, "meter"))
REEL_FIELDS(Tensor, F(TensorData, "data"))
REEL_FIELDS(TextLog, F(Text, "text"), F(TextLogLevel, "level"), F(Color, "color"))
REEL_FIELDS(TextDocument, F(Text, "text"), F(MediaType, "media_type"))
REEL_FIELDS(Transform3D, F(Translation3D, "translation"), F(RotationQuat, "quaternion"),
            F(Scale3D, "scale"), F(TransformMat3x3, "mat3x3"))
REEL_FIELDS(ViewCoordinates, F(ViewCoordinatesComponent, "xyz"))
REEL_FIELDS(Clear, F(ClearIsRecursive, "is_recursive"))
REEL_FIELDS(AnnotationContext, F(AnnotationInfo, "context"))
#undef F
#undef REEL_FIELDS

// Adds the batches; when the primary is given, checks the others' counts against it.
#define REEL_COLLECT_BEGIN(primary)           \
  const auto& f = fields();                   \
  const size_t first = out.size();            \
  const bool has_primary = (primary).is_set();
#define REEL_COLLECT_END() \
  if (has_primary) out.fail(check_instance_counts(out, first, out.size(), kName));

void Scalars::collect(ComponentBatchList& out) const { out.add(fields()[0].descriptor, scalars); }

std::vector<ComponentColumn> Scalars::columns(std::span<const double> values) {
  auto buffer = arrow::Buffer::copy_of(values.data(), values.size_bytes());
  auto array = arrow::make_primitive_from_buffer(arrow::float64(), buffer, int64_t(values.size()));
  return {ComponentColumn{fields()[0].descriptor, ListColumn::unit(array)}};
}

void SeriesLines::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.add(f[0].descriptor, colors);
  out.add(f[1].descriptor, widths);
  out.add(f[2].descriptor, names);
}

void SeriesPoints::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.add(f[0].descriptor, colors);
  out.add(f[1].descriptor, markers);
  out.add(f[2].descriptor, marker_sizes);
  out.add(f[3].descriptor, names);
}

void Points2D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(positions)
  out.add(f[0].descriptor, positions);
  out.add(f[1].descriptor, radii);
  out.add(f[2].descriptor, colors);
  out.add(f[3].descriptor, labels);
  out.add(f[4].descriptor, class_ids);
  REEL_COLLECT_END()
}

void Points3D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(positions)
  out.add(f[0].descriptor, positions);
  out.add(f[1].descriptor, radii);
  out.add(f[2].descriptor, colors);
  out.add(f[3].descriptor, labels);
  out.add(f[4].descriptor, class_ids);
  REEL_COLLECT_END()
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
  out.push_back(make(fields()[0].descriptor, ComponentBatch::from<Position3D>(fields()[0].descriptor, positions)));
  if (!colors.empty()) {
    out.push_back(make(fields()[2].descriptor, ComponentBatch::from<Color>(fields()[2].descriptor, colors)));
  }
  return out;
}

void Boxes2D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(half_sizes)
  out.add(f[0].descriptor, half_sizes);
  out.add(f[1].descriptor, centers);
  out.add(f[2].descriptor, colors);
  out.add(f[3].descriptor, radii);
  out.add(f[4].descriptor, labels);
  out.add(f[5].descriptor, class_ids);
  REEL_COLLECT_END()
}

void Boxes3D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(half_sizes)
  out.add(f[0].descriptor, half_sizes);
  out.add(f[1].descriptor, centers);
  out.add(f[2].descriptor, quaternions);
  out.add(f[3].descriptor, colors);
  out.add(f[4].descriptor, radii);
  out.add(f[5].descriptor, labels);
  out.add(f[6].descriptor, class_ids);
  REEL_COLLECT_END()
}

void LineStrips2D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(strips)
  out.add(f[0].descriptor, strips);
  out.add(f[1].descriptor, radii);
  out.add(f[2].descriptor, colors);
  out.add(f[3].descriptor, labels);
  out.add(f[4].descriptor, class_ids);
  REEL_COLLECT_END()
}

void LineStrips3D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(strips)
  out.add(f[0].descriptor, strips);
  out.add(f[1].descriptor, radii);
  out.add(f[2].descriptor, colors);
  out.add(f[3].descriptor, labels);
  out.add(f[4].descriptor, class_ids);
  REEL_COLLECT_END()
}

void Arrows3D::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(vectors)
  out.add(f[0].descriptor, vectors);
  out.add(f[1].descriptor, origins);
  out.add(f[2].descriptor, radii);
  out.add(f[3].descriptor, colors);
  out.add(f[4].descriptor, labels);
  out.add(f[5].descriptor, class_ids);
  REEL_COLLECT_END()
}

namespace {

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

void Image::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.fail(check_image(buffer, format, kName));
  out.add(f[0].descriptor, buffer);
  out.add(f[1].descriptor, format);
}

void EncodedImage::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.add(f[0].descriptor, blob);
  if (media_type.is_set()) {
    out.add(f[1].descriptor, media_type);
  } else if (blob.size() == 1) {
    auto bytes = blob[0].view();
    const char* guess = nullptr;
    if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
      guess = "image/jpeg";
    } else if (bytes.size() >= 8 && bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' &&
               bytes[3] == 'G') {
      guess = "image/png";
    }
    if (guess) out.add(f[1].descriptor, Collection<MediaType>(MediaType(guess)));
  }
}

void DepthImage::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.fail(check_image(buffer, format, kName));
  out.add(f[0].descriptor, buffer);
  out.add(f[1].descriptor, format);
  out.add(f[2].descriptor, meter);
}

void Tensor::collect(ComponentBatchList& out) const {
  for (const auto& t : data.span()) {
    uint64_t elements = 1;
    for (uint64_t d : t.shape) elements *= d;
    size_t need = size_t(elements) * channel_datatype_size(t.datatype);
    if (t.buffer.view().size() != need) {
      out.fail(Status::Invalid("Tensor: shape needs " + std::to_string(need) + " bytes, buffer has " +
                               std::to_string(t.buffer.view().size())));
    }
  }
  out.add(fields()[0].descriptor, data);
}

void TextLog::collect(ComponentBatchList& out) const {
  REEL_COLLECT_BEGIN(text)
  out.add(f[0].descriptor, text);
  out.add(f[1].descriptor, level);
  out.add(f[2].descriptor, color);
  REEL_COLLECT_END()
}

void TextDocument::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.add(f[0].descriptor, text);
  out.add(f[1].descriptor, media_type);
}

void Transform3D::collect(ComponentBatchList& out) const {
  const auto& f = fields();
  out.add(f[0].descriptor, translation);
  out.add(f[1].descriptor, quaternion);
  out.add(f[2].descriptor, scale);
  out.add(f[3].descriptor, mat3x3);
}

const ViewCoordinates ViewCoordinates::RIGHT_HAND_Z_UP(3, 5, 1);
const ViewCoordinates ViewCoordinates::RIGHT_HAND_Y_UP(3, 1, 6);
const ViewCoordinates ViewCoordinates::RDF(3, 2, 5);
const ViewCoordinates ViewCoordinates::RUB(3, 1, 6);
const ViewCoordinates ViewCoordinates::FLU(5, 4, 1);

void ViewCoordinates::collect(ComponentBatchList& out) const { out.add(fields()[0].descriptor, xyz); }

void Clear::collect(ComponentBatchList& out) const { out.add(fields()[0].descriptor, is_recursive); }

void AnnotationContext::collect(ComponentBatchList& out) const {
  out.add(fields()[0].descriptor, context);
}

}  // namespace reel
