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

// ---- fixed-width components of cameras, 2D overlays, meshes and maps (Rerun's layouts)

struct DrawOrder {
  float value = 0;
  DrawOrder() = default;
  DrawOrder(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct KeypointId {
  uint16_t id = 0;
  KeypointId() = default;
  KeypointId(uint16_t v) : id(v) {}  // NOLINT(google-explicit-constructor)
};
struct Opacity {
  float value = 1;
  Opacity() = default;
  Opacity(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct Vector2D {
  float x = 0, y = 0;
};
// The 3x3 intrinsics matrix that maps camera space onto the image (pixels), column-major as
// Rerun stores it: m[3 * column + row].
struct PinholeProjection {
  std::array<float, 9> m = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  static PinholeProjection from_intrinsics(float fx, float fy, float cx, float cy) {
    return {{fx, 0, 0, 0, fy, 0, cx, cy, 1}};
  }
  float at(int row, int column) const { return m[size_t(3 * column + row)]; }
};
struct Resolution {
  float width = 0, height = 0;
};
struct ImagePlaneDistance {
  float value = 1;
  ImagePlaneDistance() = default;
  ImagePlaneDistance(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct ValueRange {
  double min = 0, max = 1;
};
struct FillRatio {
  float value = 1;
  FillRatio() = default;
  FillRatio(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
struct TriangleIndices {
  uint32_t a = 0, b = 0, c = 0;
};
struct Texcoord2D {
  float u = 0, v = 0;
};
// 0xRRGGBBAA, multiplied with a mesh's colors.
struct AlbedoFactor {
  uint32_t rgba = 0xFFFFFFFFu;
  AlbedoFactor() = default;
  AlbedoFactor(Color c) : rgba(c.rgba) {}  // NOLINT(google-explicit-constructor)
};
struct Length {
  float value = 0;
  Length() = default;
  Length(float v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
// Degrees, WGS 84.
struct LatLon {
  double lat = 0, lon = 0;
};

// ---- variable-size components

struct Text {
  std::string value;
  Text() = default;
  Text(std::string v) : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)
  Text(const char* v) : value(v) {}             // NOLINT(google-explicit-constructor)
  Text(std::string_view v) : value(v) {}        // NOLINT(google-explicit-constructor)
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
  static MediaType glb() { return {"model/gltf-binary"}; }
  static MediaType gltf() { return {"model/gltf+json"}; }
  static MediaType obj() { return {"model/obj"}; }
  static MediaType stl() { return {"model/stl"}; }
  // By file extension (".jpg", ".png", ".glb", ".gltf", ".obj", ".stl", any case), or by the
  // bytes' signature (JPEG, PNG, GLB, glTF JSON, STL, OBJ); "" when neither tells.
  static std::string guess_from_path(std::string_view path);
  static std::string guess_from_bytes(std::span<const uint8_t> bytes);
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
  Bytes(std::vector<uint8_t> v) : owned(std::move(v)) {}  // NOLINT
  Bytes(std::span<const uint8_t> v) : borrowed(v) {}      // NOLINT
  std::span<const uint8_t> view() const {
    return owned.empty() ? borrowed : std::span<const uint8_t>(owned);
  }
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
    return size_t(width) * height * num_channels(color_model) *
           channel_datatype_size(channel_datatype);
  }
};

struct TensorData {
  std::vector<uint64_t> shape;
  ChannelDatatype datatype = ChannelDatatype::kF32;
  Bytes buffer;
  std::vector<std::string> names;  // one per dimension, or none
};

struct AnnotationInfo {
  uint16_t class_id = 0;
  std::string label;
  Color color;
};

// ---- variable-size components of cameras, shapes, graphs and maps (Rerun's layouts)

struct ShowLabels {
  bool value = true;
  ShowLabels() = default;
  ShowLabels(bool v) : value(v) {}  // NOLINT(google-explicit-constructor)
};
// A named frame ("base_link"); "tf#/entity/path" is the implicit frame of an entity.
struct TransformFrameId : Text {
  using Text::Text;
};
// Rotation by `angle` radians about `axis` (normalized by the reader; a zero axis is no
// rotation).
struct RotationAxisAngle {
  Vector3D axis = {0, 0, 1};
  float angle = 0;  // radians
  RotationAxisAngle() = default;
  RotationAxisAngle(Vector3D axis_, float radians) : axis(axis_), angle(radians) {}
  static RotationAxisAngle from_radians(Vector3D axis, float radians) { return {axis, radians}; }
  static RotationAxisAngle from_degrees(Vector3D axis, float degrees) {
    return {axis, degrees * 0.017453292519943295f};
  }
};
struct GraphNode : Text {
  using Text::Text;
};
struct GraphEdge {
  std::string first, second;
};
struct GeoLineString {
  std::vector<LatLon> points;
};

}  // namespace reel

#include "reel/types/component_traits.hpp"
