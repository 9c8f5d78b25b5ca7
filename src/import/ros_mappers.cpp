// ROS 1 and ROS 2 standard messages as reel archetypes. Both generations name their fields the
// same (ROS 1 CameraInfo's `K` is ROS 2's `k`), so one mapper serves both.
#include <algorithm>
#include <cmath>
#include <map>

#include "import/columns_internal.hpp"
#include "import/mapping_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

Status image(const MapInput& in, std::vector<EntityRows>& out) { return map_raw_image(in, out); }

Status compressed_image(const MapInput& in, std::vector<EntityRows>& out) {
  return map_compressed_image(in, out);
}

Status point_cloud2(const MapInput& in, std::vector<EntityRows>& out) {
  CloudLayout layout;
  layout.fields = child(in.rows, "fields");
  layout.data = child(in.rows, "data");
  layout.point_step = child(in.rows, "point_step");
  layout.big_endian = child(in.rows, "is_bigendian");
  std::vector<double> w, h;
  if (!numbers(child(in.rows, "width"), w) || !numbers(child(in.rows, "height"), h)) {
    return Status::Invalid("no width and height");
  }
  for (size_t i = 0; i < w.size() && i < h.size(); ++i) {
    // width x height of two uint32 may not fit an int64: such a cloud cannot fit its data
    // either, and -1 makes map_point_cloud say so.
    const double points = w[i] * h[i];
    layout.num_points.push_back(points >= 0 && points < 9.0e18 ? int64_t(points) : -1);
  }
  return map_point_cloud(layout, out);
}

Status camera_info(const MapInput& in, std::vector<EntityRows>& out) {
  arrow::ArrayPtr k = child(in.rows, "k");
  if (!k) k = child(in.rows, "K");
  return map_pinhole(k, child(in.rows, "width"), child(in.rows, "height"), out);
}

Status laser_scan(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<double> angle_min, increment, range_min, range_max;
  const ListRows ranges = list_rows(child(in.rows, "ranges"));
  const ListRows intensities = list_rows(child(in.rows, "intensities"));
  if (!numbers(child(in.rows, "angle_min"), angle_min) ||
      !numbers(child(in.rows, "angle_increment"), increment) ||
      !numbers(child(in.rows, "range_min"), range_min) ||
      !numbers(child(in.rows, "range_max"), range_max) || !ranges.valid()) {
    return Status::Invalid("no angles, limits and ranges");
  }
  const int64_t n = in.rows->length;
  std::vector<float> positions;
  std::vector<float> kept_intensities;
  std::vector<int32_t> offsets(size_t(n) + 1, 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = ranges.begin(i), e = ranges.end(i);
    const int64_t ib = intensities.valid() ? intensities.begin(i) : 0;
    const bool with_intensity = intensities.valid() && intensities.end(i) - ib == e - b;
    for (int64_t k = b; k < e; ++k) {
      const double r = number_at(*ranges.values, k);
      // Out-of-range readings are not points (ROS: "discarded").
      if (!std::isfinite(r) || r < range_min[size_t(i)] || r > range_max[size_t(i)]) continue;
      const double a = angle_min[size_t(i)] + double(k - b) * increment[size_t(i)];
      positions.insert(positions.end(), {float(r * std::cos(a)), float(r * std::sin(a)), 0.0f});
      if (with_intensity)
        kept_intensities.push_back(float(number_at(*intensities.values, ib + k - b)));
    }
    offsets[size_t(i) + 1] = int32_t(positions.size() / 3);
  }
  EntityRows rows;
  rows.components.push_back(list_column(
      Points3D::descriptor_positions(),
      fixed_list_array(component_type("reel.components.Position3D"), positions), offsets));
  if (kept_intensities.size() == positions.size() / 3 && !kept_intensities.empty()) {
    rows.components.push_back(
        list_column(any_value("intensities"), primitive_array(kept_intensities), offsets));
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

Status imu(const MapInput& in, std::vector<EntityRows>& out) {
  add_scalars({{"gyroscope/x", child(in.rows, "angular_velocity.x")},
               {"gyroscope/y", child(in.rows, "angular_velocity.y")},
               {"gyroscope/z", child(in.rows, "angular_velocity.z")},
               {"accelerometer/x", child(in.rows, "linear_acceleration.x")},
               {"accelerometer/y", child(in.rows, "linear_acceleration.y")},
               {"accelerometer/z", child(in.rows, "linear_acceleration.z")}},
              out);
  if (out.empty()) return Status::Invalid("no angular velocity or linear acceleration numbers");
  // The orientation as a named column of (x, y, z, w), as Rerun's importer keeps it.
  std::vector<double> q(size_t(in.rows->length) * 4);
  const char* axes[] = {"x", "y", "z", "w"};
  for (int a = 0; a < 4; ++a) {
    std::vector<double> v;
    if (!numbers(child(in.rows, std::string("orientation.") + axes[a]), v)) {
      return Status::Invalid("no orientation");
    }
    for (size_t i = 0; i < v.size() && i * 4 + size_t(a) < q.size(); ++i)
      q[i * 4 + size_t(a)] = v[i];
  }
  out[0].components.push_back(unit_column(
      any_value("orientation"), fixed_list_array(arrow::fixed_size_list(arrow::float64(), 4), q)));
  return Status::OK();
}

Status joint_state(const MapInput& in, std::vector<EntityRows>& out) {
  const ListRows names = list_rows(child(in.rows, "name"));
  const ListRows position = list_rows(child(in.rows, "position"));
  const ListRows velocity = list_rows(child(in.rows, "velocity"));
  const ListRows effort = list_rows(child(in.rows, "effort"));
  if (!names.valid() || !position.valid()) return Status::Invalid("no name and position");
  struct Joint {
    std::vector<int64_t> source;
    std::vector<double> position, velocity, effort;
    std::vector<bool> has_velocity, has_effort;
  };
  std::map<std::string, Joint> joints;
  std::vector<std::string> order;
  auto value = [](const ListRows& l, int64_t i, int64_t k, double* out) {
    if (!l.valid() || l.begin(i) + k >= l.end(i)) return false;
    *out = number_at(*l.values, l.begin(i) + k);
    return true;
  };
  for (int64_t i = 0; i < in.rows->length; ++i) {
    for (int64_t k = 0; names.begin(i) + k < names.end(i); ++k) {
      const std::string name(text_at(*names.values, names.begin(i) + k));
      auto [it, added] = joints.try_emplace(name);
      if (added) order.push_back(name);
      Joint& j = it->second;
      double p = 0, v = 0, e = 0;
      if (!value(position, i, k, &p)) continue;
      j.source.push_back(i);
      j.position.push_back(p);
      j.has_velocity.push_back(value(velocity, i, k, &v));
      j.velocity.push_back(v);
      j.has_effort.push_back(value(effort, i, k, &e));
      j.effort.push_back(e);
    }
  }
  for (const auto& name : order) {
    Joint& j = joints[name];
    if (j.source.empty()) continue;
    EntityRows rows;
    rows.child = {name};
    rows.source = j.source;
    rows.components.push_back(
        unit_column(Scalars::descriptor_scalars(), primitive_array(j.position)));
    auto any = [](const std::vector<bool>& v) {
      for (bool b : v) {
        if (b) return true;
      }
      return false;
    };
    if (any(j.has_velocity)) {
      rows.components.push_back(
          unit_column(any_value("velocity"), primitive_array(j.velocity), &j.has_velocity));
    }
    if (any(j.has_effort)) {
      rows.components.push_back(
          unit_column(any_value("effort"), primitive_array(j.effort), &j.has_effort));
    }
    out.push_back(std::move(rows));
  }
  return Status::OK();
}

Status nav_sat_fix(const MapInput& in, std::vector<EntityRows>& out) {
  return map_geo_point(in, out);
}

// Every numeric field at the top level of the message, as one Scalars series each.
Status numeric_fields(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<std::pair<std::string, arrow::ArrayPtr>> columns;
  const arrow::StructArray s(in.rows);
  const auto& fields = in.rows->type->fields();
  for (int f = 0; f < s.num_fields(); ++f) {
    arrow::ArrayPtr column = s.field(f);
    if (is_numeric(column)) columns.emplace_back(fields[size_t(f)]->name, column);
  }
  if (columns.empty()) return Status::Invalid("no numeric field");
  add_scalars(columns, out);
  return Status::OK();
}

Status battery_state(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<std::pair<std::string, arrow::ArrayPtr>> columns;
  for (const char* name : {"voltage", "temperature", "current", "charge", "capacity",
                           "design_capacity", "percentage"}) {
    if (arrow::ArrayPtr c = child(in.rows, name); is_numeric(c)) columns.emplace_back(name, c);
  }
  if (columns.empty()) return Status::Invalid("no battery readings");
  add_scalars(columns, out);
  return Status::OK();
}

void add_poses(const arrow::ArrayPtr& pose, EntityRows& rows) {
  const int64_t n = pose->length;
  std::vector<float> t(size_t(n) * 3), q(size_t(n) * 4);
  const char* taxes[] = {"position.x", "position.y", "position.z"};
  const char* qaxes[] = {"orientation.x", "orientation.y", "orientation.z", "orientation.w"};
  std::vector<double> v;
  for (int a = 0; a < 3; ++a) {
    if (numbers(child(pose, taxes[a]), v)) {
      for (size_t i = 0; i < v.size(); ++i) t[i * 3 + size_t(a)] = float(v[i]);
    }
  }
  for (int a = 0; a < 4; ++a) {
    if (numbers(child(pose, qaxes[a]), v)) {
      for (size_t i = 0; i < v.size(); ++i) q[i * 4 + size_t(a)] = float(v[i]);
    }
  }
  rows.components.push_back(
      unit_column(InstancePoses3D::descriptor_translations(),
                  fixed_list_array(component_type("reel.components.Translation3D"), t)));
  rows.components.push_back(
      unit_column(InstancePoses3D::descriptor_quaternions(),
                  fixed_list_array(component_type("reel.components.RotationQuat"), q)));
}

Status pose_stamped(const MapInput& in, std::vector<EntityRows>& out) {
  arrow::ArrayPtr pose = child(in.rows, "pose");
  if (!pose) return Status::Invalid("no pose");
  // PoseWithCovarianceStamped and Odometry nest the pose once more.
  if (arrow::ArrayPtr inner = child(pose, "pose")) pose = inner;
  EntityRows rows;
  add_poses(pose, rows);
  out.push_back(std::move(rows));
  return Status::OK();
}

std::vector<std::pair<std::string, arrow::ArrayPtr>> twist_columns(const arrow::ArrayPtr& twist) {
  return {{"linear/x", child(twist, "linear.x")},   {"linear/y", child(twist, "linear.y")},
          {"linear/z", child(twist, "linear.z")},   {"angular/x", child(twist, "angular.x")},
          {"angular/y", child(twist, "angular.y")}, {"angular/z", child(twist, "angular.z")}};
}

Status twist(const MapInput& in, std::vector<EntityRows>& out) {
  arrow::ArrayPtr t = child(in.rows, "twist");  // TwistStamped
  if (!t) t = in.rows;
  const auto columns = twist_columns(t);
  for (const auto& c : columns) {
    if (!is_numeric(c.second)) return Status::Invalid("no linear and angular velocities");
  }
  add_scalars(columns, out);
  return Status::OK();
}

Status odometry(const MapInput& in, std::vector<EntityRows>& out) {
  REEL_RETURN_NOT_OK(pose_stamped(in, out));
  // The twist, in child_frame_id: a series per axis on <topic>/twist.
  std::vector<EntityRows> twist_rows;
  const auto columns = twist_columns(child(in.rows, "twist.twist"));
  for (const auto& c : columns) {
    if (!is_numeric(c.second)) return Status::OK();
  }
  add_scalars(columns, twist_rows);
  for (auto& r : twist_rows) {
    r.child = {"twist"};
    out.push_back(std::move(r));
  }
  return Status::OK();
}

Status transform_stamped(const MapInput& in, std::vector<EntityRows>& out) {
  EntityRows rows;
  add_transforms(child(in.rows, "transform.translation"), child(in.rows, "transform.rotation"),
                 child(in.rows, "header.frame_id"), child(in.rows, "child_frame_id"), rows);
  out.push_back(std::move(rows));
  return Status::OK();
}

// One Transform3D row per transform of the message, each with its own stamp.
Status tf_message(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr list = child(in.rows, "transforms");
  const ListRows transforms = list_rows(list);
  if (!transforms.valid() || in.rows->length == 0) return Status::Invalid("no transforms");
  const int64_t first = transforms.begin(0), last = transforms.end(in.rows->length - 1);
  const arrow::ArrayPtr all = list->children[0]->slice(first, last - first);
  EntityRows rows;
  for (int64_t i = 0; i < in.rows->length; ++i) {
    for (int64_t k = transforms.begin(i); k < transforms.end(i); ++k) rows.source.push_back(i);
  }
  add_transforms(child(all, "transform.translation"), child(all, "transform.rotation"),
                 child(all, "header.frame_id"), child(all, "child_frame_id"), rows);
  const arrow::ArrayPtr stamps = child(all, "header.stamp");
  if (stamps && stamps->type->id() == arrow::TypeId::kInt64 && stamps->null_count == 0) {
    rows.ros_time.assign(stamps->values<int64_t>(), stamps->values<int64_t>() + stamps->length);
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

Status path(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr list = child(in.rows, "poses");
  const ListRows poses = list_rows(list);
  if (!poses.valid()) return Status::Invalid("no poses");
  const int64_t n = in.rows->length;
  std::vector<double> x, y, z;
  const arrow::ArrayPtr all = list->children[0];
  numbers(child(all, "pose.position.x"), x);
  numbers(child(all, "pose.position.y"), y);
  numbers(child(all, "pose.position.z"), z);
  std::vector<float> points;
  std::vector<int32_t> strip_offsets(size_t(n) + 1, 0), row_offsets(size_t(n) + 1, 0);
  // A malformed message may lack a coordinate (or have fewer of one): poses past the
  // shortest are left out, never read past its end.
  const size_t have = std::min({x.size(), y.size(), z.size()});
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = poses.begin(i); k < poses.end(i) && size_t(k) < have; ++k) {
      points.insert(points.end(), {float(x[size_t(k)]), float(y[size_t(k)]), float(z[size_t(k)])});
    }
    strip_offsets[size_t(i) + 1] = int32_t(points.size() / 3);
    row_offsets[size_t(i) + 1] = int32_t(i + 1);
  }
  // One strip per message: list<fixed_size_list<f32>[3]> with one entry per row.
  const arrow::TypePtr& strip_type = component_type("reel.components.LineStrip3D");
  arrow::ArrayPtr vertices = fixed_list_array(strip_type->value_type(), points);
  arrow::ArrayPtr strips =
      arrow::ArrayData::make(strip_type, n, 0, {nullptr, buffer_of(strip_offsets)}, {vertices});
  EntityRows rows;
  rows.components.push_back(unit_column(LineStrips3D::descriptor_strips(), strips));
  out.push_back(std::move(rows));
  return Status::OK();
}

// An occupancy grid as a grayscale image as map_server saves it: free 254, occupied 0,
// unknown 205, in between linear; the first row of the image is the grid's last (top) row.
Status occupancy_grid(const MapInput& in, std::vector<EntityRows>& out) {
  std::vector<double> w, h;
  const arrow::ArrayPtr data = child(in.rows, "data");
  const ListRows cells = list_rows(data);
  if (!numbers(child(in.rows, "info.width"), w) || !numbers(child(in.rows, "info.height"), h) ||
      !cells.valid()) {
    return Status::Invalid("no info.width, info.height and data");
  }
  const int64_t n = in.rows->length;
  std::vector<int32_t> offsets(size_t(n) + 1, 0);
  arrow::MutableBuffer bytes;
  std::vector<uint32_t> ws(static_cast<size_t>(n)), hs(static_cast<size_t>(n));
  std::vector<bool> valid(static_cast<size_t>(n), false);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t width = uint64_t(w[size_t(i)]), height = uint64_t(h[size_t(i)]);
    const int64_t b = cells.begin(i);
    if (width > 0 && height > 0 && uint64_t(cells.end(i) - b) == width * height) {
      valid[size_t(i)] = true;
      ws[size_t(i)] = uint32_t(width);
      hs[size_t(i)] = uint32_t(height);
      const size_t start = bytes.size();
      bytes.resize(start + width * height);
      uint8_t* dst = bytes.data() + start;
      for (uint64_t r = 0; r < height; ++r) {
        for (uint64_t c = 0; c < width; ++c) {
          const double v = number_at(*cells.values, b + int64_t(r * width + c));
          uint8_t px = 205;
          if (v >= 0 && v <= 100) px = uint8_t(std::lround(254.0 - v * 254.0 / 100.0));
          dst[(height - 1 - r) * width + c] = px;
        }
      }
    }
    offsets[size_t(i) + 1] = int32_t(bytes.size());
  }
  std::vector<uint8_t> model(static_cast<size_t>(n), uint8_t(ColorModel::kL)),
      datatype(static_cast<size_t>(n), uint8_t(ChannelDatatype::kU8));
  arrow::ArrayPtr buffer = arrow::ArrayData::make(
      arrow::binary(), n, 0, {nullptr, buffer_of(offsets), bytes.finish(false)});
  arrow::ArrayPtr format =
      arrow::ArrayData::make(component_type("reel.components.ImageFormat"), n, 0, {nullptr},
                             {primitive_array(ws), primitive_array(hs), primitive_array(model),
                              primitive_array(datatype)});
  EntityRows rows;
  rows.components.push_back(unit_column(Image::descriptor_buffer(), buffer, &valid));
  rows.components.push_back(unit_column(Image::descriptor_format(), format, &valid));
  out.push_back(std::move(rows));
  return Status::OK();
}

Status text(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr data = child(in.rows, "data");
  if (!data || data->type->id() != arrow::TypeId::kUtf8) return Status::Invalid("no data text");
  EntityRows rows;
  rows.components.push_back(unit_column(TextLog::descriptor_text(), data));
  out.push_back(std::move(rows));
  return Status::OK();
}

// rcl_interfaces/Log (ROS 2) and rosgraph_msgs/Log (ROS 1): DEBUG 10 / 1, INFO 20 / 2, ...
Status ros_log(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr msg = child(in.rows, "msg");
  std::vector<double> level;
  if (!msg || msg->type->id() != arrow::TypeId::kUtf8 || !numbers(child(in.rows, "level"), level)) {
    return Status::Invalid("no msg and level");
  }
  std::vector<std::string> names;
  for (double l : level) {
    const int v = int(l);
    const char* name = "INFO";
    if (v == 1 || v == 10) name = "DEBUG";
    if (v == 4 || v == 30) name = "WARN";
    if (v == 8 || v == 40) name = "ERROR";
    if (v == 16 || v == 50) name = "CRITICAL";
    names.push_back(name);
  }
  EntityRows rows;
  rows.components.push_back(unit_column(TextLog::descriptor_text(), msg));
  rows.components.push_back(unit_column(TextLog::descriptor_level(), string_array(names)));
  out.push_back(std::move(rows));
  return Status::OK();
}

}  // namespace

Mapper find_ros_mapper(std::string_view name) {
  struct Entry {
    const char* name;
    MapFn map;
    bool frame = true;
  };
  static const Entry kEntries[] = {
      {"sensor_msgs/Image", image},
      {"sensor_msgs/CompressedImage", compressed_image},
      {"sensor_msgs/PointCloud2", point_cloud2},
      {"sensor_msgs/CameraInfo", camera_info},
      {"sensor_msgs/LaserScan", laser_scan},
      {"sensor_msgs/Imu", imu},
      {"sensor_msgs/JointState", joint_state},
      {"sensor_msgs/NavSatFix", nav_sat_fix},
      {"sensor_msgs/BatteryState", battery_state},
      {"sensor_msgs/Temperature", numeric_fields},
      {"sensor_msgs/FluidPressure", numeric_fields},
      {"sensor_msgs/Range", numeric_fields},
      {"geometry_msgs/PoseStamped", pose_stamped},
      {"geometry_msgs/PoseWithCovarianceStamped", pose_stamped},
      {"geometry_msgs/TransformStamped", transform_stamped, false},
      {"geometry_msgs/Twist", twist},
      {"geometry_msgs/TwistStamped", twist},
      {"nav_msgs/Odometry", odometry},
      {"nav_msgs/Path", path},
      {"nav_msgs/OccupancyGrid", occupancy_grid},
      {"tf2_msgs/TFMessage", tf_message, false},
      {"std_msgs/String", text},
      {"rcl_interfaces/Log", ros_log},
      {"rosgraph_msgs/Log", ros_log},
      {"visualization_msgs/Marker", map_marker, false},
      {"visualization_msgs/MarkerArray", map_marker_array, false},
  };
  for (const auto& e : kEntries) {
    if (name == e.name) return {e.map, e.frame};
  }
  // std_msgs numbers: Bool, Byte, Char, Float32/64, Int8..64, UInt8..64 (one `data` field).
  static const char* kNumbers[] = {"Bool",   "Byte",   "Char",  "Float32", "Float64",
                                   "Int8",   "Int16",  "Int32", "Int64",   "UInt8",
                                   "UInt16", "UInt32", "UInt64"};
  if (name.substr(0, 9) == "std_msgs/") {
    for (const char* n : kNumbers) {
      if (name.substr(9) == n) return {numeric_fields, true};
    }
  }
  return {};
}

}  // namespace reel::import::internal
