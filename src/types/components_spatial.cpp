// to_arrow of the variable-size components added for cameras, shapes, graphs and maps
// (ShowLabels, TransformFrameId, RotationAxisAngle, GraphNode, GraphEdge, GeoLineString).
// Their Arrow layouts are Rerun's (src/types/definitions.toml), so files carry them as Rerun
// does.
#include "reel/types/components.hpp"

namespace reel {

namespace {

template <typename T>
arrow::ArrayPtr text_values(std::span<const T> values) {
  arrow::BinaryBuilder b(arrow::utf8());
  for (const auto& v : values) b.append(v.value);
  return b.finish();
}

}  // namespace

arrow::ArrayPtr ComponentTraits<ShowLabels>::to_arrow(std::span<const ShowLabels> values) {
  arrow::BooleanBuilder b;
  for (const auto& v : values) b.append(v.value);
  return b.finish();
}

arrow::ArrayPtr ComponentTraits<TransformFrameId>::to_arrow(
    std::span<const TransformFrameId> values) {
  return text_values(values);
}

arrow::ArrayPtr ComponentTraits<GraphNode>::to_arrow(std::span<const GraphNode> values) {
  return text_values(values);
}

arrow::ArrayPtr ComponentTraits<RotationAxisAngle>::to_arrow(
    std::span<const RotationAxisAngle> values) {
  auto axes = arrow::Buffer::allocate(values.size() * 3 * sizeof(float));
  float* axis = axes->mutable_data_as<float>();
  arrow::PrimitiveBuilder<float> angle;
  for (const auto& v : values) {
    *axis++ = v.axis.x;
    *axis++ = v.axis.y;
    *axis++ = v.axis.z;
    angle.append(v.angle);
  }
  auto floats =
      arrow::make_primitive_from_buffer(arrow::float32(), axes, int64_t(values.size() * 3));
  auto axis_array = arrow::make_fixed_size_list(floats, 3).value_or_die();
  return arrow::make_struct(type()->fields(), {axis_array, angle.finish()}).value_or_die();
}

arrow::ArrayPtr ComponentTraits<GraphEdge>::to_arrow(std::span<const GraphEdge> values) {
  arrow::BinaryBuilder first(arrow::utf8()), second(arrow::utf8());
  for (const auto& v : values) {
    first.append(v.first);
    second.append(v.second);
  }
  return arrow::make_struct(type()->fields(), {first.finish(), second.finish()}).value_or_die();
}

arrow::ArrayPtr ComponentTraits<GeoLineString>::to_arrow(std::span<const GeoLineString> values) {
  // Rerun's layout: the points are non-null items of the list.
  arrow::ListBuilder strings(std::make_unique<arrow::FixedSizeListBuilder>(
                                 std::make_unique<arrow::PrimitiveBuilder<double>>(), 2),
                             /*nullable_items=*/false);
  auto& points = strings.child_as<arrow::FixedSizeListBuilder>();
  auto& coordinates = points.child_as<arrow::PrimitiveBuilder<double>>();
  for (const auto& s : values) {
    for (const LatLon& p : s.points) {
      coordinates.append(p.lat);
      coordinates.append(p.lon);
      points.append_entry();
    }
    strings.append_entry();
  }
  return strings.finish();
}

}  // namespace reel
