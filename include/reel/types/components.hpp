// Component types: the C++ values the archetypes take, and how each maps to Arrow.
//
// docs/components.md is the contract; src/types/definitions.toml defines each component's
// name and Arrow type, and reel/types/component_traits.hpp (generated from it) gives
// ComponentTraits<T> for every type here. Fixed-width components (positions, colors,
// scalars, ...) are plain structs whose bytes are exactly the Arrow layout of one value:
// they are logged with one memcpy. The others (text, line strips, images, structs) are
// converted to Arrow arrays by `ComponentTraits<T>::to_arrow` (src/types/components.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/types/enums.hpp"

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

}  // namespace reel

#include "reel/types/component_traits.hpp"
