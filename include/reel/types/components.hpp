// Component types: the C++ values the archetypes take, and how each maps to Arrow.
//
// docs/components.md is the contract. Fixed-width components (positions, colors, scalars,
// ...) are plain structs whose bytes are exactly the Arrow layout of one value: they are
// logged with one memcpy. The others (text, line strips, images, structs) are converted to
// Arrow arrays by `ComponentTraits<T>::to_arrow`.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "reel/arrow/array.hpp"

namespace reel {

// ---- fixed-width components

struct Position2D {
  float x = 0, y = 0;
};
struct Position3D {
  float x = 0, y = 0, z = 0;
};
struct Vector3D {
  float x = 0, y = 0, z = 0;
};
struct HalfSize2D {
  float x = 0, y = 0;
};
struct HalfSize3D {
  float x = 0, y = 0, z = 0;
};
struct Translation3D {
  float x = 0, y = 0, z = 0;
};
struct Scale3D {
  float x = 1, y = 1, z = 1;
  static Scale3D uniform(float s) { return {s, s, s}; }
};
struct RotationQuat {  // x, y, z, w
  float x = 0, y = 0, z = 0, w = 1;
  static RotationQuat identity() { return {}; }
};
struct TransformMat3x3 {  // column-major
  std::array<float, 9> m = {1, 0, 0, 0, 1, 0, 0, 0, 1};
};

// 0xRRGGBBAA.
struct Color {
  uint32_t rgba = 0xFFFFFFFFu;
  Color() = default;
  Color(uint32_t packed) : rgba(packed) {}  // NOLINT(google-explicit-constructor)
  Color(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255)
      : rgba(uint32_t(r) << 24 | uint32_t(g) << 16 | uint32_t(b) << 8 | a) {}
  uint8_t r() const { return uint8_t(rgba >> 24); }
  uint8_t g() const { return uint8_t(rgba >> 16); }
  uint8_t b() const { return uint8_t(rgba >> 8); }
  uint8_t a() const { return uint8_t(rgba); }
  bool operator==(const Color&) const = default;
};

struct Radius {
  float value = 0;
  Radius() = default;
  Radius(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct Scalar {
  double value = 0;
  Scalar() = default;
  Scalar(double v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct ClassId {
  uint16_t id = 0;
  ClassId() = default;
  ClassId(uint16_t v) : id(v) {}  // NOLINT(google-explicit-constructor)
};
struct StrokeWidth {
  float width = 1;
  StrokeWidth() = default;
  StrokeWidth(float v) : width(v) {}  // NOLINT(google-explicit-constructor)
};
struct MarkerSize {
  float size = 1;
  MarkerSize() = default;
  MarkerSize(float v) : size(v) {}  // NOLINT(google-explicit-constructor)
};
enum class MarkerShape : uint8_t { kCircle = 0, kSquare = 1, kCross = 2, kPlus = 3, kDiamond = 4 };
struct DepthMeter {
  float value = 1;
  DepthMeter() = default;
  DepthMeter(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
// Per axis: 1 Up, 2 Down, 3 Right, 4 Left, 5 Forward, 6 Back.
struct ViewCoordinatesComponent {
  std::array<uint8_t, 3> axes = {3, 2, 5};
  bool operator==(const ViewCoordinatesComponent&) const = default;
};
struct ClearIsRecursive {
  bool recursive = false;
};

// ---- variable-size components

struct Text {
  std::string value;
  Text() = default;
  Text(std::string v) : value(std::move(v)) {}   // NOLINT(google-explicit-constructor)
  Text(const char* v) : value(v) {}              // NOLINT(google-explicit-constructor)
  Text(std::string_view v) : value(v) {}         // NOLINT(google-explicit-constructor)
};
struct Name : Text {
  using Text::Text;
};
struct MediaType : Text {
  using Text::Text;
  static MediaType jpeg() { return {"image/jpeg"}; }
  static MediaType png() { return {"image/png"}; }
  static MediaType markdown() { return {"text/markdown"}; }
  static MediaType plain_text() { return {"text/plain"}; }
};
struct TextLogLevel : Text {
  using Text::Text;
  static TextLogLevel trace() { return {"TRACE"}; }
  static TextLogLevel debug() { return {"DEBUG"}; }
  static TextLogLevel info() { return {"INFO"}; }
  static TextLogLevel warn() { return {"WARN"}; }
  static TextLogLevel error() { return {"ERROR"}; }
  static TextLogLevel critical() { return {"CRITICAL"}; }
};
struct LineStrip2D {
  std::vector<Position2D> points;
};
struct LineStrip3D {
  std::vector<Position3D> points;
};
// Bytes: raw pixels (ImageBuffer) or an encoded file (Blob). Borrowed bytes are copied when
// logged; owned bytes are kept.
struct Bytes {
  std::vector<uint8_t> owned;
  std::span<const uint8_t> borrowed;
  Bytes() = default;
  Bytes(std::vector<uint8_t> v) : owned(std::move(v)) {}           // NOLINT
  Bytes(std::span<const uint8_t> v) : borrowed(v) {}               // NOLINT
  std::span<const uint8_t> view() const { return owned.empty() ? borrowed : std::span<const uint8_t>(owned); }
};
struct ImageBuffer : Bytes {
  using Bytes::Bytes;
};
struct Blob : Bytes {
  using Bytes::Bytes;
};

enum class ColorModel : uint8_t { kL = 1, kRGB = 2, kRGBA = 3, kBGR = 4, kBGRA = 5 };
enum class ChannelDatatype : uint8_t {
  kU8 = 1, kU16 = 2, kU32 = 3, kU64 = 4, kI8 = 5, kI16 = 6, kI32 = 7, kI64 = 8,
  kF16 = 9, kF32 = 10, kF64 = 11,
};
size_t channel_datatype_size(ChannelDatatype t);
size_t num_channels(ColorModel m);

struct ImageFormat {
  uint32_t width = 0, height = 0;
  ColorModel color_model = ColorModel::kRGB;
  ChannelDatatype channel_datatype = ChannelDatatype::kU8;
  size_t num_bytes() const {
    return size_t(width) * height * num_channels(color_model) * channel_datatype_size(channel_datatype);
  }
};

struct TensorData {
  std::vector<uint64_t> shape;
  ChannelDatatype datatype = ChannelDatatype::kF32;
  Bytes buffer;
};

struct AnnotationInfo {
  uint16_t class_id = 0;
  std::string label;
  Color color;
};

// ---- traits: component type name and Arrow type

template <typename T>
struct ComponentTraits;

// Fixed-width components: the struct's bytes are the Arrow value.
#define REEL_FLAT_COMPONENT(T, Name, TypeExpr)                      \
  template <>                                                       \
  struct ComponentTraits<T> {                                       \
    static constexpr bool kFlat = true;                             \
    static constexpr const char* kName = "reel.components." Name;   \
    static const arrow::TypePtr& type() {                           \
      static const arrow::TypePtr t = TypeExpr;                     \
      return t;                                                     \
    }                                                               \
  };
REEL_FLAT_COMPONENT(Position2D, "Position2D", arrow::fixed_size_list(arrow::float32(), 2))
REEL_FLAT_COMPONENT(Position3D, "Position3D", arrow::fixed_size_list(arrow::float32(), 3))
REEL_FLAT_COMPONENT(Vector3D, "Vector3D", arrow::fixed_size_list(arrow::float32(), 3))
REEL_FLAT_COMPONENT(HalfSize2D, "HalfSize2D", arrow::fixed_size_list(arrow::float32(), 2))
REEL_FLAT_COMPONENT(HalfSize3D, "HalfSize3D", arrow::fixed_size_list(arrow::float32(), 3))
REEL_FLAT_COMPONENT(Translation3D, "Translation3D", arrow::fixed_size_list(arrow::float32(), 3))
REEL_FLAT_COMPONENT(Scale3D, "Scale3D", arrow::fixed_size_list(arrow::float32(), 3))
REEL_FLAT_COMPONENT(RotationQuat, "RotationQuat", arrow::fixed_size_list(arrow::float32(), 4))
REEL_FLAT_COMPONENT(TransformMat3x3, "TransformMat3x3", arrow::fixed_size_list(arrow::float32(), 9))
REEL_FLAT_COMPONENT(Color, "Color", arrow::uint32())
REEL_FLAT_COMPONENT(Radius, "Radius", arrow::float32())
REEL_FLAT_COMPONENT(Scalar, "Scalar", arrow::float64())
REEL_FLAT_COMPONENT(ClassId, "ClassId", arrow::uint16())
REEL_FLAT_COMPONENT(StrokeWidth, "StrokeWidth", arrow::float32())
REEL_FLAT_COMPONENT(MarkerSize, "MarkerSize", arrow::float32())
REEL_FLAT_COMPONENT(MarkerShape, "MarkerShape", arrow::uint8())
REEL_FLAT_COMPONENT(DepthMeter, "DepthMeter", arrow::float32())
REEL_FLAT_COMPONENT(ViewCoordinatesComponent, "ViewCoordinates",
                    arrow::fixed_size_list(arrow::uint8(), 3))
#undef REEL_FLAT_COMPONENT

// Variable-size components: converted to an Arrow array of N values.
#define REEL_ARROW_COMPONENT(T, Name)                                      \
  template <>                                                              \
  struct ComponentTraits<T> {                                              \
    static constexpr bool kFlat = false;                                   \
    static constexpr const char* kName = "reel.components." Name;          \
    static const arrow::TypePtr& type();                                   \
    static arrow::ArrayPtr to_arrow(std::span<const T> values);            \
  };
REEL_ARROW_COMPONENT(Text, "Text")
REEL_ARROW_COMPONENT(Name, "Name")
REEL_ARROW_COMPONENT(MediaType, "MediaType")
REEL_ARROW_COMPONENT(TextLogLevel, "TextLogLevel")
REEL_ARROW_COMPONENT(LineStrip2D, "LineStrip2D")
REEL_ARROW_COMPONENT(LineStrip3D, "LineStrip3D")
REEL_ARROW_COMPONENT(ImageBuffer, "ImageBuffer")
REEL_ARROW_COMPONENT(Blob, "Blob")
REEL_ARROW_COMPONENT(ImageFormat, "ImageFormat")
REEL_ARROW_COMPONENT(TensorData, "TensorData")
REEL_ARROW_COMPONENT(AnnotationInfo, "AnnotationInfo")
REEL_ARROW_COMPONENT(ClearIsRecursive, "ClearIsRecursive")
#undef REEL_ARROW_COMPONENT

template <typename T>
concept FlatComponent = ComponentTraits<T>::kFlat;

}  // namespace reel
