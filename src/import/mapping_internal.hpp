// The mapping of decoded messages to reel archetypes: one mapper per well-known message type
// (ROS 1 and ROS 2 standard messages, Foxglove schemas), each turning one batch of decoded
// messages (a struct array, message_decoder.hpp) into component columns.
//
// A mapper sees the whole batch and builds each output column in one pass; image and point
// bytes are shared with the decoded batch where the layouts agree. Timelines (log_time,
// publish_time, ros_time) and the entity's CoordinateFrame are added by the caller
// (topic_mapper), so a mapper only says what the message means.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/chunk/component.hpp"
#include "reel/chunk/entity_path.hpp"
#include "reel/status.hpp"

namespace reel::import::internal {

// Rows for one entity, made from a batch of messages.
struct EntityRows {
  // Empty: the topic's entity. Otherwise a path below it, e.g. /joint_states/elbow.
  std::vector<std::string> child;
  // Which message each row comes from (its times); empty: one row per message, in order.
  std::vector<int64_t> source;
  std::vector<ComponentColumn> components;
  // Per row: the ros_time (nanoseconds) when the row has its own stamp (a transform of a
  // TFMessage); empty: the message's header stamp.
  std::vector<int64_t> ros_time;
  // Written once per entity, without timelines (series names).
  bool is_static = false;
};

struct MapInput {
  const arrow::ArrayPtr& rows;  // struct array: one row per message
  const std::string& topic;
  const std::string& schema;  // the schema's name as the file gives it
};

// Fills `out`; a failure (a message that contradicts its own type: a point step past the
// data) is a warning for the batch, whose messages are then kept as the raw struct column.
using MapFn = Status (*)(const MapInput& in, std::vector<EntityRows>& out);

struct Mapper {
  MapFn map = nullptr;
  // The entity's CoordinateFrame comes from the message's header.frame_id / frame_id.
  bool frame_from_header = true;
};

// The mapper for a message type by its name in any spelling the files use
// ("sensor_msgs/msg/Image", "sensor_msgs/Image", "foxglove.RawImage"); map == nullptr when
// the type has none (its messages become one struct column named after the schema).
Mapper find_mapper(std::string_view schema_name);

// Mappers by family (ros_mappers.cpp, foxglove_mappers.cpp); `name` is normalized:
// "pkg/Name" for ROS types, "foxglove.Name" for Foxglove's.
Mapper find_ros_mapper(std::string_view name);
Mapper find_foxglove_mapper(std::string_view name);

// Shared by both families (mapping_common.cpp).
// Image from width, height, encoding, step and data columns; depth encodings (16UC1, 32FC1)
// make a DepthImage. Rows with an unknown encoding are null (and named in the status when no
// row maps).
Status map_raw_image(const MapInput& in, std::vector<EntityRows>& out);
// EncodedImage from `data` and a `format` column ("jpeg", "png", "rgb8; jpeg compressed bgr8").
Status map_compressed_image(const MapInput& in, std::vector<EntityRows>& out);
// A point cloud: positions from x, y, z; colors from rgb/rgba; other fields as named columns.
// `fields` is a list of {name, offset, datatype[, count]}; `foxglove_types` selects Foxglove's
// numeric type codes (UINT8 = 1, INT8 = 2, ...) instead of ROS's (INT8 = 1, UINT8 = 2, ...).
struct CloudLayout {
  arrow::ArrayPtr fields, data, point_step;
  std::vector<int64_t> num_points;  // per message; empty: as many as the data holds
  bool foxglove_types = false;
  arrow::ArrayPtr big_endian;  // null: little-endian
};
Status map_point_cloud(const CloudLayout& layout, std::vector<EntityRows>& out);
// Transform3D rows: translation (x, y, z) and rotation (x, y, z, w) structs, frame names.
// `source` gives each row's message (empty: one per message).
void add_transforms(const arrow::ArrayPtr& translation, const arrow::ArrayPtr& rotation,
                    const arrow::ArrayPtr& parent, const arrow::ArrayPtr& child, EntityRows& rows);
// Pinhole from a row-major 3x3 K (fixed-size list of 9 numbers) and width/height.
// A GeoPoints row per message from `latitude`, `longitude` (and `altitude` as AnyValues).
Status map_geo_point(const MapInput& in, std::vector<EntityRows>& out);
Status map_pinhole(const arrow::ArrayPtr& k, const arrow::ArrayPtr& width,
                   const arrow::ArrayPtr& height, std::vector<EntityRows>& out);
// visualization_msgs Marker and MarkerArray (marker_mappers.cpp).
Status map_marker(const MapInput& in, std::vector<EntityRows>& out);
Status map_marker_array(const MapInput& in, std::vector<EntityRows>& out);
// foxglove.SceneUpdate (scene_update_mappers.cpp).
Status map_scene_update(const MapInput& in, std::vector<EntityRows>& out);
// Scalars of the numeric columns, one instance per column, with SeriesLines names (static).
void add_scalars(const std::vector<std::pair<std::string, arrow::ArrayPtr>>& columns,
                 std::vector<EntityRows>& out);

}  // namespace reel::import::internal
