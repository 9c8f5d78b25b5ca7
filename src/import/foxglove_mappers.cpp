// Foxglove's message schemas (https://docs.foxglove.dev/docs/visualization/message-schemas),
// protobuf or JSON, as reel archetypes. Their `timestamp` is the ros_time timeline and their
// `frame_id` the entity's CoordinateFrame, as a ROS header's would be.
#include "import/columns_internal.hpp"
#include "import/mapping_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

Status raw_image(const MapInput& in, std::vector<EntityRows>& out) {
  return map_raw_image(in, out);
}

Status compressed_image(const MapInput& in, std::vector<EntityRows>& out) {
  return map_compressed_image(in, out);
}

Status point_cloud(const MapInput& in, std::vector<EntityRows>& out) {
  CloudLayout layout;
  layout.fields = child(in.rows, "fields");
  layout.data = child(in.rows, "data");
  layout.point_step = child(in.rows, "point_stride");
  layout.foxglove_types = true;
  return map_point_cloud(layout, out);
}

Status frame_transform(const MapInput& in, std::vector<EntityRows>& out) {
  EntityRows rows;
  add_transforms(child(in.rows, "translation"), child(in.rows, "rotation"),
                 child(in.rows, "parent_frame_id"), child(in.rows, "child_frame_id"), rows);
  out.push_back(std::move(rows));
  return Status::OK();
}

Status frame_transforms(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr list = child(in.rows, "transforms");
  const ListRows transforms = list_rows(list);
  if (!transforms.valid() || in.rows->length == 0) return Status::Invalid("no transforms");
  const int64_t first = transforms.begin(0), last = transforms.end(in.rows->length - 1);
  const arrow::ArrayPtr all = list->children[0]->slice(first, last - first);
  EntityRows rows;
  for (int64_t i = 0; i < in.rows->length; ++i) {
    for (int64_t k = transforms.begin(i); k < transforms.end(i); ++k) rows.source.push_back(i);
  }
  add_transforms(child(all, "translation"), child(all, "rotation"), child(all, "parent_frame_id"),
                 child(all, "child_frame_id"), rows);
  const arrow::ArrayPtr stamps = child(all, "timestamp");
  if (stamps && stamps->type->id() == arrow::TypeId::kInt64 && stamps->null_count == 0) {
    rows.ros_time.assign(stamps->values<int64_t>(), stamps->values<int64_t>() + stamps->length);
  }
  out.push_back(std::move(rows));
  return Status::OK();
}

// Poses of a list (`poses`, PosesInFrame) or one (`pose`, PoseInFrame) per message.
Status poses(const MapInput& in, std::vector<EntityRows>& out) {
  const int64_t n = in.rows->length;
  arrow::ArrayPtr all = child(in.rows, "pose");
  std::vector<int32_t> offsets(size_t(n) + 1);
  for (int64_t i = 0; i <= n; ++i) offsets[size_t(i)] = int32_t(i);
  if (!all) {
    const arrow::ArrayPtr list = child(in.rows, "poses");
    const ListRows rows = list_rows(list);
    if (!rows.valid()) return Status::Invalid("no pose or poses");
    all = list->children[0];
    for (int64_t i = 0; i <= n; ++i) {
      offsets[size_t(i)] = int32_t(i < n ? rows.begin(i) : rows.end(n - 1));
    }
    // Offsets relative to the first pose.
    const int32_t base = offsets[0];
    for (auto& o : offsets) o -= base;
    all = all->slice(base, offsets[size_t(n)]);
  }
  const int64_t m = all->length;
  std::vector<float> t(size_t(m) * 3), q(size_t(m) * 4);
  const char* taxes[] = {"position.x", "position.y", "position.z"};
  const char* qaxes[] = {"orientation.x", "orientation.y", "orientation.z", "orientation.w"};
  std::vector<double> v;
  for (int a = 0; a < 3; ++a) {
    if (numbers(child(all, taxes[a]), v)) {
      for (size_t i = 0; i < v.size(); ++i) t[i * 3 + size_t(a)] = float(v[i]);
    }
  }
  for (int a = 0; a < 4; ++a) {
    if (numbers(child(all, qaxes[a]), v)) {
      for (size_t i = 0; i < v.size(); ++i) q[i * 4 + size_t(a)] = float(v[i]);
    }
  }
  EntityRows rows;
  rows.components.push_back(
      list_column(InstancePoses3D::descriptor_translations(),
                  fixed_list_array(component_type("reel.components.Translation3D"), t), offsets));
  rows.components.push_back(
      list_column(InstancePoses3D::descriptor_quaternions(),
                  fixed_list_array(component_type("reel.components.RotationQuat"), q), offsets));
  out.push_back(std::move(rows));
  return Status::OK();
}

Status camera_calibration(const MapInput& in, std::vector<EntityRows>& out) {
  return map_pinhole(child(in.rows, "K"), child(in.rows, "width"), child(in.rows, "height"), out);
}

Status location_fix(const MapInput& in, std::vector<EntityRows>& out) {
  return map_geo_point(in, out);
}

// foxglove.Log: level UNKNOWN 0, DEBUG 1, INFO 2, WARNING 3, ERROR 4, FATAL 5.
Status log(const MapInput& in, std::vector<EntityRows>& out) {
  const arrow::ArrayPtr message = child(in.rows, "message");
  std::vector<double> level;
  if (!message || message->type->id() != arrow::TypeId::kUtf8 ||
      !numbers(child(in.rows, "level"), level)) {
    return Status::Invalid("no message and level");
  }
  static const char* kLevels[] = {"UNKNOWN", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"};
  std::vector<std::string> names;
  for (double l : level) names.push_back(l >= 0 && l <= 5 ? kLevels[int(l)] : "UNKNOWN");
  EntityRows rows;
  rows.components.push_back(unit_column(TextLog::descriptor_text(), message));
  rows.components.push_back(unit_column(TextLog::descriptor_level(), string_array(names)));
  out.push_back(std::move(rows));
  return Status::OK();
}

}  // namespace

Mapper find_foxglove_mapper(std::string_view name) {
  struct Entry {
    const char* name;
    MapFn map;
    bool frame = true;
  };
  static const Entry kEntries[] = {
      {"foxglove.RawImage", raw_image},
      {"foxglove.CompressedImage", compressed_image},
      {"foxglove.PointCloud", point_cloud},
      {"foxglove.FrameTransform", frame_transform, false},
      {"foxglove.FrameTransforms", frame_transforms, false},
      {"foxglove.PoseInFrame", poses},
      {"foxglove.PosesInFrame", poses},
      {"foxglove.CameraCalibration", camera_calibration},
      {"foxglove.LocationFix", location_fix},
      {"foxglove.Log", log},
      {"foxglove.SceneUpdate", map_scene_update, false},
  };
  for (const auto& e : kEntries) {
    if (name == e.name) return {e.map, e.frame};
  }
  return {};
}

}  // namespace reel::import::internal
