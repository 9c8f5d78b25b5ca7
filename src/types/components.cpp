#include "reel/types/components.hpp"

namespace reel {

namespace {

template <typename T>
arrow::ArrayPtr strings_to_arrow(std::span<const T> values) {
  arrow::BinaryBuilder b(arrow::utf8());
  for (const auto& v : values) b.append(v.value);
  return b.finish();
}

template <typename T>
arrow::ArrayPtr bytes_to_arrow(std::span<const T> values) {
  arrow::BinaryBuilder b(arrow::binary());
  for (const auto& v : values) {
    auto bytes = v.view();
    b.append(bytes.data(), bytes.size());
  }
  return b.finish();
}

template <typename Strip, int kDims>
arrow::ArrayPtr strips_to_arrow(std::span<const Strip> strips) {
  std::vector<int32_t> offsets = {0};
  size_t total = 0;
  for (const auto& s : strips) {
    total += s.points.size();
    offsets.push_back(int32_t(total));
  }
  auto floats = arrow::Buffer::allocate(total * kDims * sizeof(float));
  float* out = floats->mutable_data_as<float>();
  for (const auto& s : strips) {
    if (!s.points.empty())
      std::memcpy(out, s.points.data(), s.points.size() * kDims * sizeof(float));
    out += s.points.size() * kDims;
  }
  auto values = arrow::make_primitive_from_buffer(arrow::float32(), floats, int64_t(total * kDims));
  auto points = arrow::make_fixed_size_list(values, kDims).value_or_die();
  return arrow::make_list(offsets, points).value_or_die();
}

}  // namespace

#define REEL_STRING_COMPONENT(T)                                            \
  arrow::ArrayPtr ComponentTraits<T>::to_arrow(std::span<const T> values) { \
    return strings_to_arrow(values);                                        \
  }
REEL_STRING_COMPONENT(Text)
REEL_STRING_COMPONENT(Name)
REEL_STRING_COMPONENT(MediaType)
REEL_STRING_COMPONENT(TextLogLevel)
#undef REEL_STRING_COMPONENT

#define REEL_BYTES_COMPONENT(T)                                             \
  arrow::ArrayPtr ComponentTraits<T>::to_arrow(std::span<const T> values) { \
    return bytes_to_arrow(values);                                          \
  }
REEL_BYTES_COMPONENT(ImageBuffer)
REEL_BYTES_COMPONENT(Blob)
#undef REEL_BYTES_COMPONENT

arrow::ArrayPtr ComponentTraits<LineStrip2D>::to_arrow(std::span<const LineStrip2D> values) {
  return strips_to_arrow<LineStrip2D, 2>(values);
}

arrow::ArrayPtr ComponentTraits<LineStrip3D>::to_arrow(std::span<const LineStrip3D> values) {
  return strips_to_arrow<LineStrip3D, 3>(values);
}

arrow::ArrayPtr ComponentTraits<ImageFormat>::to_arrow(std::span<const ImageFormat> values) {
  arrow::PrimitiveBuilder<uint32_t> w, h;
  arrow::PrimitiveBuilder<uint8_t> cm, dt;
  for (const auto& v : values) {
    w.append(v.width);
    h.append(v.height);
    cm.append(uint8_t(v.color_model));
    dt.append(uint8_t(v.channel_datatype));
  }
  return arrow::make_struct(type()->fields(), {w.finish(), h.finish(), cm.finish(), dt.finish()})
      .value_or_die();
}

arrow::ArrayPtr ComponentTraits<TensorData>::to_arrow(std::span<const TensorData> values) {
  arrow::ListBuilder shape(std::make_unique<arrow::PrimitiveBuilder<uint64_t>>());
  arrow::PrimitiveBuilder<uint8_t> dt;
  arrow::BinaryBuilder buffer(arrow::binary());
  arrow::ListBuilder names(std::make_unique<arrow::BinaryBuilder>(arrow::utf8()), false);
  for (const auto& v : values) {
    for (uint64_t d : v.shape) shape.child_as<arrow::PrimitiveBuilder<uint64_t>>().append(d);
    shape.append_entry();
    dt.append(uint8_t(v.datatype));
    auto bytes = v.buffer.view();
    buffer.append(bytes.data(), bytes.size());
    if (v.names.empty()) {
      names.append_null();
    } else {
      for (const auto& n : v.names) names.child_as<arrow::BinaryBuilder>().append(n);
      names.append_entry();
    }
  }
  return arrow::make_struct(type()->fields(),
                            {shape.finish(), dt.finish(), buffer.finish(), names.finish()})
      .value_or_die();
}

arrow::ArrayPtr ComponentTraits<AnnotationInfo>::to_arrow(std::span<const AnnotationInfo> values) {
  arrow::PrimitiveBuilder<uint16_t> id;
  arrow::BinaryBuilder label(arrow::utf8());
  arrow::PrimitiveBuilder<uint32_t> color;
  for (const auto& v : values) {
    id.append(v.class_id);
    label.append(v.label);
    color.append(v.color.rgba);
  }
  return arrow::make_struct(type()->fields(), {id.finish(), label.finish(), color.finish()})
      .value_or_die();
}

arrow::ArrayPtr ComponentTraits<ClearIsRecursive>::to_arrow(
    std::span<const ClearIsRecursive> values) {
  arrow::BooleanBuilder b;
  for (const auto& v : values) b.append(v.recursive);
  return b.finish();
}

}  // namespace reel
