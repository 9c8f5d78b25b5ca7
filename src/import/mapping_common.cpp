// Mappings shared by ROS and Foxglove messages: images, point clouds, transforms, cameras,
// scalars.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "import/columns_internal.hpp"
#include "import/mapping_internal.hpp"
#include "reel/import/message_schema.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

// A field a message gives as a number, as an integer: values no int64 holds (a corrupt message:
// NaN, 1e19) read as -1, which every caller refuses as a size or offset.
int64_t int_at(const arrow::ArrayData& a, int64_t i) {
  const double v = number_at(a, i);
  return std::isfinite(v) && std::fabs(v) < 9.2e18 ? int64_t(v) : -1;
}

struct PixelLayout {
  ColorModel model;
  ChannelDatatype datatype;
  int channels;
  int channel_bytes;
  bool depth;
};

bool pixel_layout(std::string_view e, PixelLayout* out) {
  struct Entry {
    const char* name;
    PixelLayout layout;
  };
  static const Entry kEntries[] = {
      {"rgb8", {ColorModel::kRGB, ChannelDatatype::kU8, 3, 1, false}},
      {"rgba8", {ColorModel::kRGBA, ChannelDatatype::kU8, 4, 1, false}},
      {"bgr8", {ColorModel::kBGR, ChannelDatatype::kU8, 3, 1, false}},
      {"bgra8", {ColorModel::kBGRA, ChannelDatatype::kU8, 4, 1, false}},
      {"mono8", {ColorModel::kL, ChannelDatatype::kU8, 1, 1, false}},
      {"8UC1", {ColorModel::kL, ChannelDatatype::kU8, 1, 1, false}},
      {"8UC3", {ColorModel::kBGR, ChannelDatatype::kU8, 3, 1, false}},
      {"8UC4", {ColorModel::kBGRA, ChannelDatatype::kU8, 4, 1, false}},
      {"rgb16", {ColorModel::kRGB, ChannelDatatype::kU16, 3, 2, false}},
      {"rgba16", {ColorModel::kRGBA, ChannelDatatype::kU16, 4, 2, false}},
      {"bgr16", {ColorModel::kBGR, ChannelDatatype::kU16, 3, 2, false}},
      {"bgra16", {ColorModel::kBGRA, ChannelDatatype::kU16, 4, 2, false}},
      {"mono16", {ColorModel::kL, ChannelDatatype::kU16, 1, 2, false}},
      {"16UC1", {ColorModel::kL, ChannelDatatype::kU16, 1, 2, true}},
      {"32FC1", {ColorModel::kL, ChannelDatatype::kF32, 1, 4, true}},
  };
  for (const auto& entry : kEntries) {
    if (e == entry.name) {
      *out = entry.layout;
      return true;
    }
  }
  return false;
}

arrow::ArrayPtr image_formats(const std::vector<uint32_t>& w, const std::vector<uint32_t>& h,
                              const std::vector<uint8_t>& model,
                              const std::vector<uint8_t>& datatype) {
  return arrow::ArrayData::make(
      component_type("reel.components.ImageFormat"), int64_t(w.size()), 0, {nullptr},
      {primitive_array(w), primitive_array(h), primitive_array(model), primitive_array(datatype)});
}

}  // namespace

Status map_raw_image(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr width = child(in.rows, "width"), height = child(in.rows, "height"),
                        encoding = child(in.rows, "encoding"), step = child(in.rows, "step"),
                        data = child(in.rows, "data"), big = child(in.rows, "is_bigendian");
  if (!is_numeric(width) || !is_numeric(height) || !encoding || !data ||
      data->type->id() != arrow::TypeId::kBinary) {
    return Status::Invalid("no width, height, encoding and data fields");
  }
  const int64_t n = in.rows->length;
  std::vector<uint32_t> w(static_cast<size_t>(n)), h(static_cast<size_t>(n));
  std::vector<uint8_t> model(static_cast<size_t>(n), uint8_t(ColorModel::kL)),
      datatype(static_cast<size_t>(n), uint8_t(ChannelDatatype::kU8));
  std::vector<bool> valid(static_cast<size_t>(n), false);
  // Zero copy when every row's bytes are exactly its pixels, little-endian.
  bool as_is = true;
  int depth_rows = 0;
  std::string bad;
  for (int64_t i = 0; i < n; ++i) {
    PixelLayout p;
    const std::string_view e = text_at(*encoding, i);
    const double wd = number_at(*width, i), hd = number_at(*height, i);
    if (!pixel_layout(e, &p) || wd <= 0 || hd <= 0 || wd > 1e6 || hd > 1e6) {
      if (bad.empty()) bad = "encoding '" + std::string(e) + "'";
      as_is = false;
      continue;
    }
    const uint64_t packed = uint64_t(wd) * uint64_t(p.channels * p.channel_bytes);
    const uint64_t s = step && is_numeric(step) && number_at(*step, i) > 0
                           ? uint64_t(std::max<int64_t>(int_at(*step, i), 0))
                           : packed;
    const uint64_t size = text_at(*data, i).size();
    if (s < packed || size < s * (uint64_t(hd) - 1) + packed) {
      if (bad.empty()) {
        bad = "data of " + std::to_string(size) + " bytes for " + std::to_string(uint64_t(wd)) +
              "x" + std::to_string(uint64_t(hd)) + " " + std::string(e);
      }
      as_is = false;
      continue;
    }
    const bool swap = big && p.channel_bytes > 1 && number_at(*big, i) != 0;
    if (s != packed || size != packed * uint64_t(hd) || swap) as_is = false;
    w[size_t(i)] = uint32_t(wd);
    h[size_t(i)] = uint32_t(hd);
    model[size_t(i)] = uint8_t(p.model);
    datatype[size_t(i)] = uint8_t(p.datatype);
    valid[size_t(i)] = true;
    depth_rows += p.depth ? 1 : 0;
  }
  if (n > 0 && std::none_of(valid.begin(), valid.end(), [](bool v) { return v; })) {
    return Status::Invalid("no image could be read: " + bad);
  }
  arrow::ArrayPtr buffer = data;
  if (!as_is) {
    // Rows repacked without their padding and byte-swapped to little-endian.
    std::vector<int32_t> offsets(size_t(n) + 1, 0);
    arrow::MutableBuffer bytes;
    for (int64_t i = 0; i < n; ++i) {
      if (valid[size_t(i)]) {
        PixelLayout p;
        pixel_layout(text_at(*encoding, i), &p);
        const std::string_view src = text_at(*data, i);
        const size_t packed = size_t(w[size_t(i)]) * size_t(p.channels * p.channel_bytes);
        const size_t s = step && number_at(*step, i) > 0
                             ? size_t(std::max<int64_t>(int_at(*step, i), 0))
                             : packed;
        const size_t start = bytes.size();
        for (uint32_t r = 0; r < h[size_t(i)]; ++r) bytes.append(src.data() + r * s, packed);
        if (big && p.channel_bytes > 1 && number_at(*big, i) != 0) {
          uint8_t* b = bytes.data() + start;
          for (size_t k = 0; k + size_t(p.channel_bytes) <= packed * h[size_t(i)];
               k += size_t(p.channel_bytes)) {
            std::reverse(b + k, b + k + p.channel_bytes);
          }
        }
      }
      offsets[size_t(i) + 1] = int32_t(bytes.size());
    }
    buffer = arrow::ArrayData::make(arrow::binary(), n, 0,
                                    {nullptr, buffer_of(offsets), bytes.finish(false)});
  }
  EntityRows rows;
  // A topic of depth images (16UC1, 32FC1) is a DepthImage; 16UC1 is in millimeters.
  if (depth_rows > 0 && depth_rows == int(std::count(valid.begin(), valid.end(), true))) {
    std::vector<float> meter(static_cast<size_t>(n), 1.0f);
    for (int64_t i = 0; i < n; ++i) {
      if (datatype[size_t(i)] == uint8_t(ChannelDatatype::kU16)) meter[size_t(i)] = 1000.0f;
    }
    rows.components.push_back(unit_column(DepthImage::descriptor_buffer(), buffer, &valid));
    rows.components.push_back(
        unit_column(DepthImage::descriptor_format(), image_formats(w, h, model, datatype), &valid));
    rows.components.push_back(
        unit_column(DepthImage::descriptor_meter(), primitive_array(meter), &valid));
  } else {
    rows.components.push_back(unit_column(Image::descriptor_buffer(), buffer, &valid));
    rows.components.push_back(
        unit_column(Image::descriptor_format(), image_formats(w, h, model, datatype), &valid));
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

Status map_compressed_image(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr data = child(in.rows, "data"), format = child(in.rows, "format");
  if (!data || data->type->id() != arrow::TypeId::kBinary) return Status::Invalid("no data field");
  const int64_t n = in.rows->length;
  std::vector<std::string> media(static_cast<size_t>(n));
  std::vector<bool> known(static_cast<size_t>(n), false);
  for (int64_t i = 0; i < n; ++i) {
    const std::string_view f = format ? text_at(*format, i) : std::string_view();
    const std::string_view b = text_at(*data, i);
    const bool png = f.find("png") != std::string_view::npos ||
                     (b.size() >= 4 && std::memcmp(b.data(), "\x89PNG", 4) == 0);
    const bool jpeg = f.find("jpeg") != std::string_view::npos ||
                      f.find("jpg") != std::string_view::npos ||
                      (b.size() >= 3 && std::memcmp(b.data(), "\xFF\xD8\xFF", 3) == 0);
    if (png) media[size_t(i)] = "image/png";
    if (jpeg && !png) media[size_t(i)] = "image/jpeg";
    known[size_t(i)] = png || jpeg;
  }
  EntityRows rows;
  rows.components.push_back(unit_column(EncodedImage::descriptor_blob(), data));
  rows.components.push_back(
      unit_column(EncodedImage::descriptor_media_type(), string_array(media), &known));
  out.push_back(std::move(rows));
  return Status::OK();
}

namespace {

// Size and reader of a point field's datatype code.
int datatype_bytes(int code, bool foxglove) {
  if (foxglove) {
    static const int kSizes[] = {0, 1, 1, 2, 2, 4, 4, 4, 8};
    return code >= 1 && code <= 8 ? kSizes[code] : 0;
  }
  static const int kSizes[] = {0, 1, 1, 2, 2, 4, 4, 4, 8};
  return code >= 1 && code <= 8 ? kSizes[code] : 0;
}

double read_value(const uint8_t* p, int code, bool foxglove, bool swap) {
  uint8_t b[8];
  const int size = datatype_bytes(code, foxglove);
  std::memcpy(b, p, size_t(size));
  if (swap) std::reverse(b, b + size);
  // Foxglove: UINT8 1, INT8 2, UINT16 3, INT16 4, UINT32 5, INT32 6; ROS: INT8 1, UINT8 2,
  // INT16 3, UINT16 4, INT32 5, UINT32 6. Both: FLOAT32 7, FLOAT64 8.
  const bool is_signed = foxglove ? (code % 2 == 0) : (code % 2 == 1);
  switch (size) {
    case 1:
      return is_signed ? double(int8_t(b[0])) : double(b[0]);
    case 2: {
      uint16_t v;
      std::memcpy(&v, b, 2);
      return is_signed ? double(int16_t(v)) : double(v);
    }
    case 4: {
      if (code == 7) {
        float f;
        std::memcpy(&f, b, 4);
        return f;
      }
      uint32_t v;
      std::memcpy(&v, b, 4);
      return is_signed ? double(int32_t(v)) : double(v);
    }
    case 8: {
      double d;
      std::memcpy(&d, b, 8);
      return d;
    }
  }
  return 0;
}

struct PointField {
  std::string name;
  int64_t offset = 0;
  int code = 0;
};

}  // namespace

Status map_point_cloud(const CloudLayout& in, std::vector<EntityRows>& out) {
  const ListRows fields = list_rows(in.fields);
  if (!fields.valid() || !in.data || in.data->type->id() != arrow::TypeId::kBinary ||
      !is_numeric(in.point_step)) {
    return Status::Invalid("no fields, data and point step");
  }
  const arrow::ArrayPtr field_values = in.fields->children[0];
  const arrow::ArrayPtr names = child(field_values, "name"),
                        offsets = child(field_values, "offset");
  const arrow::ArrayPtr codes = child(field_values, in.foxglove_types ? "type" : "datatype");
  if (!names || !is_numeric(offsets) || !is_numeric(codes)) {
    return Status::Invalid("point fields without name, offset or datatype");
  }
  const int64_t n = in.data->length;
  std::vector<float> positions;
  std::vector<uint32_t> colors;
  std::vector<int32_t> row_offsets(size_t(n) + 1, 0);
  // Other fields: float64 values per point, one column per name (first seen order).
  std::vector<std::string> extra_names;
  std::vector<std::vector<double>> extra_values;
  bool any_color = false;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<PointField> fs;
    for (int64_t k = fields.begin(i); k < fields.end(i); ++k) {
      fs.push_back({std::string(text_at(*names, k)), int_at(*offsets, k),
                    int(std::clamp<int64_t>(int_at(*codes, k), -1, 1 << 20))});
    }
    const std::string_view bytes = text_at(*in.data, i);
    const int64_t step = int_at(*in.point_step, i);
    const bool swap = in.big_endian && number_at(*in.big_endian, i) != 0;
    int64_t count = 0;
    if (step > 0) {
      count = in.num_points.empty() ? int64_t(bytes.size()) / step : in.num_points[size_t(i)];
    }
    if (count < 0 || (count > 0 && (step <= 0 || count > int64_t(bytes.size()) / step))) {
      return Status::Invalid("message " + std::to_string(i) + " of the batch: " +
                             std::to_string(count) + " points of " + std::to_string(step) +
                             " bytes do not fit in " + std::to_string(bytes.size()) + " bytes");
    }
    const PointField *fx = nullptr, *fy = nullptr, *fz = nullptr, *frgb = nullptr;
    std::vector<std::pair<size_t, const PointField*>> extras;
    for (const auto& f : fs) {
      const int size = datatype_bytes(f.code, in.foxglove_types);
      if (size == 0 || f.offset < 0 || f.offset + size > step) {
        return Status::Invalid("point field '" + f.name + "' at offset " +
                               std::to_string(f.offset) + " does not fit a point of " +
                               std::to_string(step) + " bytes");
      }
      if (f.name == "x") {
        fx = &f;
      } else if (f.name == "y") {
        fy = &f;
      } else if (f.name == "z") {
        fz = &f;
      } else if ((f.name == "rgb" || f.name == "rgba") && size == 4) {
        frgb = &f;
      } else {
        size_t e =
            size_t(std::find(extra_names.begin(), extra_names.end(), f.name) - extra_names.begin());
        if (e == extra_names.size()) {
          extra_names.push_back(f.name);
          // Earlier points of the batch had no such field: zero.
          extra_values.emplace_back(positions.size() / 3, 0.0);
        }
        extras.emplace_back(e, &f);
      }
    }
    const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
    const bool fast = !swap && fx && fy && fz && fx->code == 7 && fy->code == 7 && fz->code == 7;
    const size_t first = positions.size();
    positions.resize(first + size_t(count) * 3);
    float* pos = positions.data() + first;
    for (int64_t k = 0; k < count; ++k, p += step, pos += 3) {
      if (fast) {
        std::memcpy(pos, p + fx->offset, 4);
        std::memcpy(pos + 1, p + fy->offset, 4);
        std::memcpy(pos + 2, p + fz->offset, 4);
      } else {
        pos[0] = fx ? float(read_value(p + fx->offset, fx->code, in.foxglove_types, swap)) : 0;
        pos[1] = fy ? float(read_value(p + fy->offset, fy->code, in.foxglove_types, swap)) : 0;
        pos[2] = fz ? float(read_value(p + fz->offset, fz->code, in.foxglove_types, swap)) : 0;
      }
    }
    p = reinterpret_cast<const uint8_t*>(bytes.data());
    if (frgb) {
      if (!any_color) colors.assign(first / 3, 0xFFFFFFFFu);
      any_color = true;
      const bool alpha = frgb->name == "rgba";
      for (int64_t k = 0; k < count; ++k) {
        const uint8_t* c = p + k * step + frgb->offset;
        uint8_t b[4] = {c[0], c[1], c[2], c[3]};  // packed 0xAARRGGBB, little-endian
        if (swap) std::reverse(b, b + 4);
        colors.push_back(uint32_t(b[2]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[0]) << 8 |
                         (alpha ? b[3] : 0xFFu));
      }
    } else if (any_color) {
      colors.resize(positions.size() / 3, 0xFFFFFFFFu);
    }
    for (auto& v : extra_values) v.resize(positions.size() / 3, 0.0);
    for (const auto& [e, f] : extras) {
      double* v = extra_values[e].data() + first / 3;
      for (int64_t k = 0; k < count; ++k) {
        v[k] = read_value(p + k * step + f->offset, f->code, in.foxglove_types, swap);
      }
    }
    row_offsets[size_t(i) + 1] = int32_t(positions.size() / 3);
  }
  EntityRows rows;
  rows.components.push_back(list_column(
      Points3D::descriptor_positions(),
      fixed_list_array(component_type("reel.components.Position3D"), positions), row_offsets));
  if (any_color) {
    rows.components.push_back(
        list_column(Points3D::descriptor_colors(), primitive_array(colors), row_offsets));
  }
  for (size_t e = 0; e < extra_names.size(); ++e) {
    rows.components.push_back(
        list_column(any_value(extra_names[e]), primitive_array(extra_values[e]), row_offsets));
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

void add_transforms(const arrow::ArrayPtr& translation, const arrow::ArrayPtr& rotation,
                    const arrow::ArrayPtr& parent, const arrow::ArrayPtr& child_frame,
                    EntityRows& rows) {
  const int64_t n = translation ? translation->length : rotation ? rotation->length : 0;
  if (translation) {
    std::vector<float> t(size_t(n) * 3);
    const char* axes[] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a) {
      std::vector<double> v;
      numbers(child(translation, axes[a]), v);
      for (int64_t i = 0; i < n && size_t(i) < v.size(); ++i)
        t[size_t(i * 3 + a)] = float(v[size_t(i)]);
    }
    rows.components.push_back(
        unit_column(Transform3D::descriptor_translation(),
                    fixed_list_array(component_type("reel.components.Translation3D"), t)));
  }
  if (rotation) {
    std::vector<float> q(size_t(n) * 4);
    const char* axes[] = {"x", "y", "z", "w"};
    for (int a = 0; a < 4; ++a) {
      std::vector<double> v;
      numbers(child(rotation, axes[a]), v);
      for (int64_t i = 0; i < n && size_t(i) < v.size(); ++i)
        q[size_t(i * 4 + a)] = float(v[size_t(i)]);
    }
    rows.components.push_back(
        unit_column(Transform3D::descriptor_quaternion(),
                    fixed_list_array(component_type("reel.components.RotationQuat"), q)));
  }
  if (parent && parent->type->id() == arrow::TypeId::kUtf8) {
    rows.components.push_back(unit_column(Transform3D::descriptor_parent_frame(), parent));
  }
  if (child_frame && child_frame->type->id() == arrow::TypeId::kUtf8) {
    rows.components.push_back(unit_column(Transform3D::descriptor_child_frame(), child_frame));
  }
}

Status map_pinhole(const arrow::ArrayPtr& k, const arrow::ArrayPtr& width,
                   const arrow::ArrayPtr& height, std::vector<EntityRows>& out) {
  const ListRows rows_k = list_rows(k);
  if (!rows_k.valid()) return Status::Invalid("no intrinsic matrix K");
  const int64_t n = k->length;
  std::vector<float> m(size_t(n) * 9, 0.0f), res(size_t(n) * 2, 0.0f);
  std::vector<bool> valid(static_cast<size_t>(n), true);
  std::vector<uint8_t> rdf;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = rows_k.begin(i);
    if (rows_k.end(i) - b != 9) {
      valid[size_t(i)] = false;
      continue;
    }
    // K is row-major; PinholeProjection is column-major.
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        m[size_t(i * 9 + c * 3 + r)] = float(number_at(*rows_k.values, b + r * 3 + c));
      }
    }
    res[size_t(i * 2)] = width ? float(number_at(*width, i)) : 0.0f;
    res[size_t(i * 2 + 1)] = height ? float(number_at(*height, i)) : 0.0f;
    // ROS and Foxglove cameras look down +Z with +X right, +Y down.
    rdf.insert(rdf.end(), {3, 2, 5});
  }
  if (rdf.size() != size_t(n) * 3) rdf.resize(size_t(n) * 3, 0);
  EntityRows rows;
  rows.components.push_back(unit_column(
      Pinhole::descriptor_image_from_camera(),
      fixed_list_array(component_type("reel.components.PinholeProjection"), m), &valid));
  rows.components.push_back(
      unit_column(Pinhole::descriptor_resolution(),
                  fixed_list_array(component_type("reel.components.Resolution"), res), &valid));
  rows.components.push_back(unit_column(
      Pinhole::descriptor_camera_xyz(),
      fixed_list_array(component_type("reel.components.ViewCoordinates"), rdf), &valid));
  out.push_back(std::move(rows));
  return Status::OK();
}

// sensor_msgs/NavSatFix and foxglove.LocationFix: the same field names.
Status map_geo_point(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<double> lat, lon, alt;
  if (!numbers(child(in.rows, "latitude"), lat) || !numbers(child(in.rows, "longitude"), lon)) {
    return Status::Invalid("no latitude and longitude");
  }
  std::vector<double> ll(lat.size() * 2);
  for (size_t i = 0; i < lat.size() && i < lon.size(); ++i) {
    ll[i * 2] = lat[i];
    ll[i * 2 + 1] = lon[i];
  }
  EntityRows rows;
  rows.components.push_back(
      unit_column(GeoPoints::descriptor_positions(),
                  fixed_list_array(component_type("reel.components.LatLon"), ll)));
  if (numbers(child(in.rows, "altitude"), alt)) {
    rows.components.push_back(unit_column(any_value("altitude"), primitive_array(alt)));
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

void add_scalars(const std::vector<std::pair<std::string, arrow::ArrayPtr>>& given,
                 std::vector<EntityRows>& out) {
  // Fields a damaged or unusual schema lacks (null arrays) or gives another type (not
  // numbers) are no series.
  std::vector<std::pair<std::string, arrow::ArrayPtr>> columns;
  for (const auto& c : given) {
    if (is_numeric(c.second) &&
        (columns.empty() || c.second->length == columns[0].second->length)) {
      columns.push_back(c);
    }
  }
  if (columns.empty()) return;
  const int64_t n = columns[0].second->length;
  const size_t k = columns.size();
  std::vector<double> values(size_t(n) * k);
  std::vector<int32_t> offsets(size_t(n) + 1);
  std::vector<std::string> names;
  for (size_t c = 0; c < k; ++c) {
    std::vector<double> v;
    numbers(columns[c].second, v);
    for (int64_t i = 0; i < n; ++i) values[size_t(i) * k + c] = v[size_t(i)];
    names.push_back(columns[c].first);
  }
  for (int64_t i = 0; i <= n; ++i) offsets[size_t(i)] = int32_t(size_t(i) * k);
  EntityRows rows;
  rows.components.push_back(
      list_column(Scalars::descriptor_scalars(), primitive_array(values), offsets));
  out.push_back(std::move(rows));
  if (k > 1) {
    EntityRows series;
    series.is_static = true;
    series.source = {0};
    series.components.push_back(
        list_column(SeriesLines::descriptor_names(), string_array(names), {0, int32_t(k)}));
    out.push_back(std::move(series));
  }
}

Mapper find_mapper(std::string_view schema_name) {
  if (schema_name.substr(0, 9) == "foxglove.") return find_foxglove_mapper(schema_name);
  return find_ros_mapper(ros1_type_name(schema_name));
}

}  // namespace reel::import::internal
