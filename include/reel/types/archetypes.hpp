// Archetypes: named bundles of components that the viewer knows how to draw.
//
// Each archetype lists its fields with the primary one first (it sets the instance count
// N); optional components hold 1 value (a splat, repeated for every instance) or N. Builders
// return a modified copy, so `Points3D(positions).with_colors(colors).with_radii(0.05f)`
// reads as one expression. Collections given by lvalue are borrowed until `log` returns.
// docs/components.md lists every archetype with its components and Arrow types.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "reel/chunk/component.hpp"
#include "reel/types/collection.hpp"
#include "reel/types/component_batch.hpp"
#include "reel/types/components.hpp"

namespace reel {

// A field of an archetype: its descriptor and, for queries, whether it is the primary.
struct ArchetypeField {
  const char* name;
  ComponentDescriptor descriptor;
};

// with_<field>(values) and with_<field>(one value): `with_radii(0.05f)` is a splat.
#define REEL_ARCHETYPE_FIELD(Type, field, member)                                   \
  Type with_##field(Collection<decltype(member)::value_type> v) && {                \
    member = std::move(v);                                                          \
    return std::move(*this);                                                        \
  }                                                                                 \
  Type with_##field(Collection<decltype(member)::value_type> v) const& {            \
    Type copy = *this;                                                              \
    copy.member = std::move(v);                                                     \
    return copy;                                                                    \
  }                                                                                 \
  Type with_##field(decltype(member)::value_type v) && {                            \
    member = Collection<decltype(member)::value_type>(std::move(v));                \
    return std::move(*this);                                                        \
  }                                                                                 \
  Type with_##field(decltype(member)::value_type v) const& {                        \
    Type copy = *this;                                                              \
    copy.member = Collection<decltype(member)::value_type>(std::move(v));           \
    return copy;                                                                    \
  }

// ---------------------------------------------------------------------------------------

struct Scalars {
  static constexpr const char* kName = "Scalars";
  Collection<Scalar> scalars;

  Scalars() = default;
  Scalars(double value) : scalars(Scalar(value)) {}  // NOLINT(google-explicit-constructor)
  Scalars(Collection<Scalar> values) : scalars(std::move(values)) {}  // NOLINT
  Scalars(std::span<const double> values)  // NOLINT(google-explicit-constructor)
      : scalars(std::span<const Scalar>(reinterpret_cast<const Scalar*>(values.data()),
                                        values.size())) {}

  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
  // One scalar per row, for send_columns.
  static std::vector<ComponentColumn> columns(std::span<const double> values);
};

struct SeriesLines {
  static constexpr const char* kName = "SeriesLines";
  Collection<Color> colors;
  Collection<StrokeWidth> widths;
  Collection<Name> names;
  SeriesLines() = default;
  REEL_ARCHETYPE_FIELD(SeriesLines, colors, colors)
  REEL_ARCHETYPE_FIELD(SeriesLines, widths, widths)
  REEL_ARCHETYPE_FIELD(SeriesLines, names, names)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct SeriesPoints {
  static constexpr const char* kName = "SeriesPoints";
  Collection<Color> colors;
  Collection<MarkerShape> markers;
  Collection<MarkerSize> marker_sizes;
  Collection<Name> names;
  SeriesPoints() = default;
  REEL_ARCHETYPE_FIELD(SeriesPoints, colors, colors)
  REEL_ARCHETYPE_FIELD(SeriesPoints, markers, markers)
  REEL_ARCHETYPE_FIELD(SeriesPoints, marker_sizes, marker_sizes)
  REEL_ARCHETYPE_FIELD(SeriesPoints, names, names)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Points2D {
  static constexpr const char* kName = "Points2D";
  Collection<Position2D> positions;
  Collection<Radius> radii;
  Collection<Color> colors;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  Points2D() = default;
  Points2D(Collection<Position2D> p) : positions(std::move(p)) {}  // NOLINT
  REEL_ARCHETYPE_FIELD(Points2D, radii, radii)
  REEL_ARCHETYPE_FIELD(Points2D, colors, colors)
  REEL_ARCHETYPE_FIELD(Points2D, labels, labels)
  REEL_ARCHETYPE_FIELD(Points2D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Points3D {
  static constexpr const char* kName = "Points3D";
  Collection<Position3D> positions;
  Collection<Radius> radii;
  Collection<Color> colors;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  Points3D() = default;
  Points3D(Collection<Position3D> p) : positions(std::move(p)) {}  // NOLINT
  REEL_ARCHETYPE_FIELD(Points3D, radii, radii)
  REEL_ARCHETYPE_FIELD(Points3D, colors, colors)
  REEL_ARCHETYPE_FIELD(Points3D, labels, labels)
  REEL_ARCHETYPE_FIELD(Points3D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
  // Positions (and optionally colors) partitioned into rows by `lengths`, for send_columns.
  static std::vector<ComponentColumn> columns(std::span<const Position3D> positions,
                                              std::span<const int32_t> lengths,
                                              std::span<const Color> colors = {});
};

struct Boxes2D {
  static constexpr const char* kName = "Boxes2D";
  Collection<HalfSize2D> half_sizes;
  Collection<Position2D> centers;
  Collection<Color> colors;
  Collection<Radius> radii;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  Boxes2D() = default;
  static Boxes2D from_half_sizes(Collection<HalfSize2D> h) {
    Boxes2D b;
    b.half_sizes = std::move(h);
    return b;
  }
  static Boxes2D from_centers_and_half_sizes(Collection<Position2D> c, Collection<HalfSize2D> h) {
    Boxes2D b = from_half_sizes(std::move(h));
    b.centers = std::move(c);
    return b;
  }
  REEL_ARCHETYPE_FIELD(Boxes2D, centers, centers)
  REEL_ARCHETYPE_FIELD(Boxes2D, colors, colors)
  REEL_ARCHETYPE_FIELD(Boxes2D, radii, radii)
  REEL_ARCHETYPE_FIELD(Boxes2D, labels, labels)
  REEL_ARCHETYPE_FIELD(Boxes2D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Boxes3D {
  static constexpr const char* kName = "Boxes3D";
  Collection<HalfSize3D> half_sizes;
  Collection<Position3D> centers;
  Collection<RotationQuat> quaternions;
  Collection<Color> colors;
  Collection<Radius> radii;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  Boxes3D() = default;
  static Boxes3D from_half_sizes(Collection<HalfSize3D> h) {
    Boxes3D b;
    b.half_sizes = std::move(h);
    return b;
  }
  static Boxes3D from_centers_and_half_sizes(Collection<Position3D> c, Collection<HalfSize3D> h) {
    Boxes3D b = from_half_sizes(std::move(h));
    b.centers = std::move(c);
    return b;
  }
  REEL_ARCHETYPE_FIELD(Boxes3D, centers, centers)
  REEL_ARCHETYPE_FIELD(Boxes3D, quaternions, quaternions)
  REEL_ARCHETYPE_FIELD(Boxes3D, colors, colors)
  REEL_ARCHETYPE_FIELD(Boxes3D, radii, radii)
  REEL_ARCHETYPE_FIELD(Boxes3D, labels, labels)
  REEL_ARCHETYPE_FIELD(Boxes3D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct LineStrips2D {
  static constexpr const char* kName = "LineStrips2D";
  Collection<LineStrip2D> strips;
  Collection<Radius> radii;
  Collection<Color> colors;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  LineStrips2D() = default;
  LineStrips2D(Collection<LineStrip2D> s) : strips(std::move(s)) {}  // NOLINT
  REEL_ARCHETYPE_FIELD(LineStrips2D, radii, radii)
  REEL_ARCHETYPE_FIELD(LineStrips2D, colors, colors)
  REEL_ARCHETYPE_FIELD(LineStrips2D, labels, labels)
  REEL_ARCHETYPE_FIELD(LineStrips2D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct LineStrips3D {
  static constexpr const char* kName = "LineStrips3D";
  Collection<LineStrip3D> strips;
  Collection<Radius> radii;
  Collection<Color> colors;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  LineStrips3D() = default;
  LineStrips3D(Collection<LineStrip3D> s) : strips(std::move(s)) {}  // NOLINT
  REEL_ARCHETYPE_FIELD(LineStrips3D, radii, radii)
  REEL_ARCHETYPE_FIELD(LineStrips3D, colors, colors)
  REEL_ARCHETYPE_FIELD(LineStrips3D, labels, labels)
  REEL_ARCHETYPE_FIELD(LineStrips3D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Arrows3D {
  static constexpr const char* kName = "Arrows3D";
  Collection<Vector3D> vectors;
  Collection<Position3D> origins;
  Collection<Radius> radii;
  Collection<Color> colors;
  Collection<Text> labels;
  Collection<ClassId> class_ids;
  Arrows3D() = default;
  static Arrows3D from_vectors(Collection<Vector3D> v) {
    Arrows3D a;
    a.vectors = std::move(v);
    return a;
  }
  REEL_ARCHETYPE_FIELD(Arrows3D, origins, origins)
  REEL_ARCHETYPE_FIELD(Arrows3D, radii, radii)
  REEL_ARCHETYPE_FIELD(Arrows3D, colors, colors)
  REEL_ARCHETYPE_FIELD(Arrows3D, labels, labels)
  REEL_ARCHETYPE_FIELD(Arrows3D, class_ids, class_ids)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

// Raw pixels. The buffer must hold exactly format.num_bytes() bytes.
struct Image {
  static constexpr const char* kName = "Image";
  Collection<ImageBuffer> buffer;
  Collection<ImageFormat> format;
  Image() = default;
  Image(ImageBuffer bytes, ImageFormat fmt) : buffer(std::move(bytes)), format(fmt) {}
  static Image from_rgb24(std::span<const uint8_t> pixels, uint32_t width, uint32_t height) {
    return Image(ImageBuffer(pixels), ImageFormat{width, height, ColorModel::kRGB, ChannelDatatype::kU8});
  }
  static Image from_rgba32(std::span<const uint8_t> pixels, uint32_t width, uint32_t height) {
    return Image(ImageBuffer(pixels), ImageFormat{width, height, ColorModel::kRGBA, ChannelDatatype::kU8});
  }
  static Image from_grayscale8(std::span<const uint8_t> pixels, uint32_t width, uint32_t height) {
    return Image(ImageBuffer(pixels), ImageFormat{width, height, ColorModel::kL, ChannelDatatype::kU8});
  }
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

// An encoded image file (JPEG, PNG); the media type is guessed from the bytes if not given.
struct EncodedImage {
  static constexpr const char* kName = "EncodedImage";
  Collection<Blob> blob;
  Collection<MediaType> media_type;
  EncodedImage() = default;
  explicit EncodedImage(Blob bytes) : blob(std::move(bytes)) {}
  REEL_ARCHETYPE_FIELD(EncodedImage, media_type, media_type)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct DepthImage {
  static constexpr const char* kName = "DepthImage";
  Collection<ImageBuffer> buffer;
  Collection<ImageFormat> format;
  Collection<DepthMeter> meter;
  DepthImage() = default;
  DepthImage(ImageBuffer bytes, ImageFormat fmt) : buffer(std::move(bytes)), format(fmt) {}
  static DepthImage from_u16(std::span<const uint16_t> depth, uint32_t width, uint32_t height) {
    return DepthImage(ImageBuffer(std::span<const uint8_t>(
                          reinterpret_cast<const uint8_t*>(depth.data()), depth.size_bytes())),
                      ImageFormat{width, height, ColorModel::kL, ChannelDatatype::kU16});
  }
  static DepthImage from_f32(std::span<const float> depth, uint32_t width, uint32_t height) {
    return DepthImage(ImageBuffer(std::span<const uint8_t>(
                          reinterpret_cast<const uint8_t*>(depth.data()), depth.size_bytes())),
                      ImageFormat{width, height, ColorModel::kL, ChannelDatatype::kF32});
  }
  REEL_ARCHETYPE_FIELD(DepthImage, meter, meter)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Tensor {
  static constexpr const char* kName = "Tensor";
  Collection<TensorData> data;
  Tensor() = default;
  explicit Tensor(TensorData d) : data(std::move(d)) {}
  static Tensor from_f32(std::vector<uint64_t> shape, std::span<const float> values) {
    return Tensor(TensorData{std::move(shape), ChannelDatatype::kF32,
                             Bytes(std::span<const uint8_t>(
                                 reinterpret_cast<const uint8_t*>(values.data()), values.size_bytes()))});
  }
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct TextLog {
  static constexpr const char* kName = "TextLog";
  Collection<Text> text;
  Collection<TextLogLevel> level;
  Collection<Color> color;
  TextLog() = default;
  TextLog(Text t) : text(std::move(t)) {}  // NOLINT(google-explicit-constructor)
  TextLog(const char* t) : text(Text(t)) {}  // NOLINT(google-explicit-constructor)
  REEL_ARCHETYPE_FIELD(TextLog, level, level)
  REEL_ARCHETYPE_FIELD(TextLog, color, color)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct TextDocument {
  static constexpr const char* kName = "TextDocument";
  Collection<Text> text;
  Collection<MediaType> media_type;
  TextDocument() = default;
  TextDocument(Text t) : text(std::move(t)) {}  // NOLINT(google-explicit-constructor)
  REEL_ARCHETYPE_FIELD(TextDocument, media_type, media_type)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct Transform3D {
  static constexpr const char* kName = "Transform3D";
  Collection<Translation3D> translation;
  Collection<RotationQuat> quaternion;
  Collection<Scale3D> scale;
  Collection<TransformMat3x3> mat3x3;
  Transform3D() = default;
  static Transform3D from_translation(Translation3D t) {
    Transform3D x;
    x.translation = t;
    return x;
  }
  static Transform3D from_translation_rotation(Translation3D t, RotationQuat q) {
    Transform3D x = from_translation(t);
    x.quaternion = q;
    return x;
  }
  REEL_ARCHETYPE_FIELD(Transform3D, translation, translation)
  REEL_ARCHETYPE_FIELD(Transform3D, quaternion, quaternion)
  REEL_ARCHETYPE_FIELD(Transform3D, scale, scale)
  REEL_ARCHETYPE_FIELD(Transform3D, mat3x3, mat3x3)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct ViewCoordinates {
  static constexpr const char* kName = "ViewCoordinates";
  Collection<ViewCoordinatesComponent> xyz;
  ViewCoordinates() = default;
  ViewCoordinates(uint8_t x, uint8_t y, uint8_t z) : xyz(ViewCoordinatesComponent{{x, y, z}}) {}
  static const ViewCoordinates RIGHT_HAND_Z_UP;  // X right, Y forward, Z up
  static const ViewCoordinates RIGHT_HAND_Y_UP;  // X right, Y up, Z back
  static const ViewCoordinates RDF;              // X right, Y down, Z forward (cameras)
  static const ViewCoordinates RUB;              // X right, Y up, Z back
  static const ViewCoordinates FLU;              // X forward, Y left, Z up (robotics)
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

// Makes the entity's components (and its descendants' when recursive) read as empty from
// the time it is logged on, until they are logged again.
struct Clear {
  static constexpr const char* kName = "Clear";
  Collection<ClearIsRecursive> is_recursive;
  explicit Clear(bool recursive = false) : is_recursive(ClearIsRecursive{recursive}) {}
  static Clear flat() { return Clear(false); }
  static Clear recursive() { return Clear(true); }
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

struct AnnotationContext {
  static constexpr const char* kName = "AnnotationContext";
  Collection<AnnotationInfo> context;
  AnnotationContext() = default;
  AnnotationContext(Collection<AnnotationInfo> infos) : context(std::move(infos)) {}  // NOLINT
  static const std::vector<ArchetypeField>& fields();
  void collect(ComponentBatchList& out) const;
};

#undef REEL_ARCHETYPE_FIELD

// A single component batch logged on its own: rec.log("x", reel::component_batch(...)).
struct LooseBatch {
  ComponentBatch batch;
  void collect(ComponentBatchList& out) const { out.push(batch); }
};
template <typename T>
LooseBatch component_batch(const ComponentDescriptor& descriptor, std::span<const T> values) {
  return {ComponentBatch::from<T>(descriptor, values)};
}

}  // namespace reel
