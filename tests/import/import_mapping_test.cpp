// The importer's mapping of messages to archetypes, on files written by independent writers
// (generate.mjs: Foxglove's npm libraries; write_bags.py: python3-rosbag). Every expected value
// comes from the manifests: what the writer was given, never what reel computed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "reel/import/importer.hpp"
#include "reel/types/archetypes.hpp"

namespace {

using namespace reel;
using namespace reel::import;
using json = nlohmann::json;

std::string dir() {
  const char* d = std::getenv("REEL_IMPORT_TEST_DIR");
  return d ? d : "";
}

json manifest_file(const char* manifest, const std::string& name) {
  std::ifstream f(dir() + "/" + manifest);
  const json all = json::parse(f);
  for (const auto& file : all["files"]) {
    if (file["name"] == name) return file;
  }
  return {};
}

std::vector<uint8_t> unbase64(const std::string& s) {
  static const std::string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = (acc << 6) | uint32_t(a.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return out;
}
std::vector<uint8_t> bytes_of(const json& v) { return unbase64(v["base64"].get<std::string>()); }
int64_t ns(const json& v) { return std::stoll(v.get<std::string>()); }

// One imported row: its times and the instances of each component.
struct Row {
  std::map<std::string, int64_t> times;
  std::map<std::string, arrow::ArrayPtr> cells;  // by component identifier
};

struct Imported {
  ImportReport report;
  std::map<std::string, std::vector<Row>> rows;  // by entity, in import order
  std::map<std::string, std::vector<Row>> statics;

  const std::vector<Row>& at(const std::string& entity) { return rows[entity]; }
};

Imported import(const std::string& name, ImportOptions options = {}) {
  Imported out;
  auto report = import_file(
      dir() + "/" + name,
      [&](ChunkPtr chunk) {
        for (int64_t i = 0; i < chunk->num_rows(); ++i) {
          Row row;
          for (const auto& t : chunk->timelines()) row.times[t.name()] = t[i];
          for (const auto& c : chunk->components()) {
            if (c.list.is_valid(i)) row.cells[c.descriptor.identifier()] = c.list.row_values(i);
          }
          (chunk->is_static() ? out.statics : out.rows)[chunk->entity_path().str()].push_back(row);
        }
        return Status::OK();
      },
      options);
  EXPECT_TRUE(report.ok()) << report.status().message();
  if (report.ok()) out.report = *report;
  return out;
}

// The manifest's messages of a topic.
std::vector<json> messages(const json& file, const std::string& topic) {
  std::vector<json> out;
  for (const auto& m : file["messages"]) {
    if (m["topic"] == topic) out.push_back(m);
  }
  return out;
}

std::vector<float> floats(const arrow::ArrayPtr& a) {
  // fixed_size_list<f32>[N] instances: their flat values.
  const arrow::ArrayData& values = *a->children[0];
  const int32_t size = a->type->list_size();
  const float* v = values.values<float>() + a->offset * size;
  return {v, v + a->length * size};
}
std::vector<double> doubles(const arrow::ArrayPtr& a) {
  if (a->type->id() == arrow::TypeId::kFixedSizeList) {
    const int32_t size = a->type->list_size();
    const double* v = a->children[0]->values<double>() + a->offset * size;
    return {v, v + a->length * size};
  }
  return {a->values<double>(), a->values<double>() + a->length};
}
std::string text(const arrow::ArrayPtr& a, int64_t i = 0) {
  return std::string(arrow::BinaryArray(a).value(i));
}
std::vector<uint8_t> blob(const arrow::ArrayPtr& a) {
  auto v = arrow::BinaryArray(a).value(0);
  return {v.begin(), v.end()};
}
// ImageFormat fields of instance 0: width, height, color model, datatype.
std::vector<uint32_t> image_format(const arrow::ArrayPtr& a) {
  const arrow::StructArray s(a);
  return {arrow::PrimitiveArray<uint32_t>(s.field(0)).value(0),
          arrow::PrimitiveArray<uint32_t>(s.field(1)).value(0),
          arrow::PrimitiveArray<uint8_t>(s.field(2)).value(0),
          arrow::PrimitiveArray<uint8_t>(s.field(3)).value(0)};
}

const std::string& id(const ComponentDescriptor& d) { return d.identifier(); }

// Checks what every mapped ROS topic shares: timelines and frames.
void expect_times(const Row& row, const json& m, bool mcap) {
  EXPECT_EQ(row.times.at("log_time"), ns(mcap ? m["log_time"] : m["time"]));
  if (mcap) {
    EXPECT_EQ(row.times.at("publish_time"), ns(m["publish_time"]));
  } else {
    EXPECT_EQ(row.times.count("publish_time"), 0u);
  }
  if (m["value"].contains("header")) {
    EXPECT_EQ(row.times.at("ros_time"), ns(m["value"]["header"]["stamp"]));
    const std::string frame = m["value"]["header"]["frame_id"];
    if (!frame.empty())
      EXPECT_EQ(text(row.cells.at(id(CoordinateFrame::descriptor_frame()))), frame);
  }
}

// The topics python3-rosbag and @mcap/core both wrote (write_bags.py, generate.mjs).
void expect_common_topics(const std::string& name, const json& file, bool mcap) {
  Imported got = import(name);
  EXPECT_TRUE(got.report.warnings.empty()) << got.report.warnings[0];
  // Images: the pixels as written, rgb8.
  auto images = messages(file, "/camera/image_raw");
  ASSERT_EQ(got.at("/camera/image_raw").size(), images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    const Row& row = got.at("/camera/image_raw")[i];
    const json& v = images[i]["value"];
    expect_times(row, images[i], mcap);
    EXPECT_EQ(blob(row.cells.at(id(Image::descriptor_buffer()))), bytes_of(v["data"]));
    EXPECT_EQ(image_format(row.cells.at(id(Image::descriptor_format()))),
              (std::vector<uint32_t>{v["width"], v["height"], uint32_t(ColorModel::kRGB),
                                     uint32_t(ChannelDatatype::kU8)}));
  }
  // Point clouds: x, y, z and intensity float32 from the written bytes.
  auto clouds = messages(file, "/points");
  ASSERT_EQ(got.at("/points").size(), clouds.size());
  for (size_t i = 0; i < clouds.size(); ++i) {
    const Row& row = got.at("/points")[i];
    expect_times(row, clouds[i], mcap);
    const auto data = bytes_of(clouds[i]["value"]["data"]);
    std::vector<float> all(data.size() / 4);
    std::memcpy(all.data(), data.data(), data.size());
    std::vector<float> xyz;
    std::vector<double> intensity;
    for (size_t k = 0; k < all.size(); k += 4) {
      xyz.insert(xyz.end(), {all[k], all[k + 1], all[k + 2]});
      intensity.push_back(all[k + 3]);
    }
    EXPECT_EQ(floats(row.cells.at(id(Points3D::descriptor_positions()))), xyz);
    EXPECT_EQ(doubles(row.cells.at("intensity")), intensity);
  }
  // IMU: six series (gyroscope, accelerometer) and their names.
  auto imu = messages(file, "/imu");
  ASSERT_EQ(got.at("/imu").size(), imu.size());
  for (size_t i = 0; i < imu.size(); ++i) {
    const json& v = imu[i]["value"];
    expect_times(got.at("/imu")[i], imu[i], mcap);
    EXPECT_EQ(doubles(got.at("/imu")[i].cells.at(id(Scalars::descriptor_scalars()))),
              (std::vector<double>{v["angular_velocity"]["x"], v["angular_velocity"]["y"],
                                   v["angular_velocity"]["z"], v["linear_acceleration"]["x"],
                                   v["linear_acceleration"]["y"], v["linear_acceleration"]["z"]}));
    EXPECT_EQ(doubles(got.at("/imu")[i].cells.at("orientation")),
              (std::vector<double>{v["orientation"]["x"], v["orientation"]["y"],
                                   v["orientation"]["z"], v["orientation"]["w"]}));
  }
  ASSERT_EQ(got.statics["/imu"].size(), 1u);
  EXPECT_EQ(text(got.statics["/imu"][0].cells.at(id(SeriesLines::descriptor_names())), 3),
            "accelerometer/x");
  // /tf: one Transform3D row per transform, frames named, each with its own stamp.
  auto tf = messages(file, "/tf");
  std::vector<json> transforms;
  for (const auto& m : tf) {
    for (const auto& t : m["value"]["transforms"]) transforms.push_back(t);
  }
  ASSERT_EQ(got.at("/tf").size(), transforms.size());
  for (size_t i = 0; i < transforms.size(); ++i) {
    const Row& row = got.at("/tf")[i];
    const json& t = transforms[i];
    EXPECT_EQ(text(row.cells.at(id(Transform3D::descriptor_parent_frame()))),
              t["header"]["frame_id"]);
    EXPECT_EQ(text(row.cells.at(id(Transform3D::descriptor_child_frame()))), t["child_frame_id"]);
    EXPECT_EQ(row.times.at("ros_time"), ns(t["header"]["stamp"]));
    const json& tr = t["transform"]["translation"];
    const json& q = t["transform"]["rotation"];
    EXPECT_EQ(floats(row.cells.at(id(Transform3D::descriptor_translation()))),
              (std::vector<float>{tr["x"], tr["y"], tr["z"]}));
    EXPECT_EQ(floats(row.cells.at(id(Transform3D::descriptor_quaternion()))),
              (std::vector<float>{q["x"], q["y"], q["z"], q["w"]}));
    EXPECT_EQ(row.cells.count(id(CoordinateFrame::descriptor_frame())), 0u);
  }
}

TEST(ImportMappingTest, Ros2McapImagesCloudsImuAndTransforms) {
  for (const char* name : {"ros2_lz4.mcap", "ros2_zstd.mcap", "ros2_unchunked.mcap"}) {
    SCOPED_TRACE(name);
    expect_common_topics(name, manifest_file("manifest.json", name), true);
  }
}

TEST(ImportMappingTest, Ros1BagsMapTheSameWay) {
  for (const char* name : {"ros1_none.bag", "ros1_bz2.bag", "ros1_lz4.bag"}) {
    SCOPED_TRACE(name);
    const json file = manifest_file("bags.json", name);
    expect_common_topics(name, file, false);
    Imported got = import(name);
    // NavSatFix -> GeoPoints; JointState -> one entity of scalars per joint; String -> TextLog;
    // PoseStamped -> InstancePoses3D in its frame.
    auto fixes = messages(file, "/gps");
    ASSERT_EQ(got.at("/gps").size(), fixes.size());
    for (size_t i = 0; i < fixes.size(); ++i) {
      const json& v = fixes[i]["value"];
      EXPECT_EQ(doubles(got.at("/gps")[i].cells.at(id(GeoPoints::descriptor_positions()))),
                (std::vector<double>{v["latitude"], v["longitude"]}));
      EXPECT_EQ(doubles(got.at("/gps")[i].cells.at("altitude")),
                (std::vector<double>{v["altitude"]}));
    }
    auto joints = messages(file, "/joint_states");
    for (const char* joint : {"shoulder", "elbow", "wrist"}) {
      const auto& rows = got.at(std::string("/joint_states/") + joint);
      ASSERT_EQ(rows.size(), joints.size()) << joint;
      for (size_t i = 0; i < joints.size(); ++i) {
        const json& v = joints[i]["value"];
        size_t k = 0;
        while (v["name"][k] != joint) ++k;
        EXPECT_EQ(doubles(rows[i].cells.at(id(Scalars::descriptor_scalars()))),
                  (std::vector<double>{v["position"][k]}));
        EXPECT_EQ(doubles(rows[i].cells.at("effort")), (std::vector<double>{v["effort"][k]}));
        EXPECT_EQ(rows[i].cells.count("velocity"), 0u);  // written empty
        EXPECT_EQ(rows[i].times.at("log_time"), ns(joints[i]["time"]));
      }
    }
    auto chatter = messages(file, "/chatter");
    ASSERT_EQ(got.at("/chatter").size(), chatter.size());
    for (size_t i = 0; i < chatter.size(); ++i) {
      EXPECT_EQ(text(got.at("/chatter")[i].cells.at(id(TextLog::descriptor_text()))),
                chatter[i]["value"]["data"]);
    }
    auto poses = messages(file, "/pose");
    ASSERT_EQ(got.at("/pose").size(), poses.size());
    for (size_t i = 0; i < poses.size(); ++i) {
      const json& p = poses[i]["value"]["pose"]["position"];
      EXPECT_EQ(floats(got.at("/pose")[i].cells.at(id(InstancePoses3D::descriptor_translations()))),
                (std::vector<float>{p["x"], p["y"], p["z"]}));
      EXPECT_EQ(text(got.at("/pose")[i].cells.at(id(CoordinateFrame::descriptor_frame()))), "map");
    }
  }
}

TEST(ImportMappingTest, UnknownMessagesAreOneStructColumnNamedAfterTheSchema) {
  Imported got = import("ros2_lz4.mcap");
  const json file = manifest_file("manifest.json", "ros2_lz4.mcap");
  auto kitchen = messages(file, "/kitchen");
  ASSERT_EQ(got.at("/kitchen").size(), kitchen.size());
  for (size_t i = 0; i < kitchen.size(); ++i) {
    const arrow::ArrayPtr& cell = got.at("/kitchen")[i].cells.at("custom_msgs.msg.Kitchen:message");
    EXPECT_EQ(cell->type->id(), arrow::TypeId::kStruct);
    EXPECT_EQ(text(arrow::StructArray(cell).field("name")), kitchen[i]["value"]["name"]);
    EXPECT_EQ(got.at("/kitchen")[i].times.at("log_time"), ns(kitchen[i]["log_time"]));
  }
}

TEST(ImportMappingTest, Ros2StandardTypes) {
  const json file = manifest_file("manifest.json", "ros2_mapped.mcap");
  Imported got = import("ros2_mapped.mcap");
  EXPECT_TRUE(got.report.warnings.empty()) << got.report.warnings[0];
  // CameraInfo -> Pinhole: K row-major becomes the column-major projection.
  auto infos = messages(file, "/camera/camera_info");
  ASSERT_EQ(got.at("/camera/camera_info").size(), infos.size());
  for (size_t i = 0; i < infos.size(); ++i) {
    const Row& row = got.at("/camera/camera_info")[i];
    const json& k = infos[i]["value"]["k"];
    expect_times(row, infos[i], true);
    EXPECT_EQ(floats(row.cells.at(id(Pinhole::descriptor_image_from_camera()))),
              (std::vector<float>{k[0], k[3], k[6], k[1], k[4], k[7], k[2], k[5], k[8]}));
    EXPECT_EQ(floats(row.cells.at(id(Pinhole::descriptor_resolution()))),
              (std::vector<float>{640, 480}));
  }
  // CompressedImage -> EncodedImage with its media type.
  auto compressed = messages(file, "/camera/compressed");
  for (size_t i = 0; i < compressed.size(); ++i) {
    const Row& row = got.at("/camera/compressed")[i];
    EXPECT_EQ(blob(row.cells.at(id(EncodedImage::descriptor_blob()))),
              bytes_of(compressed[i]["value"]["data"]));
    EXPECT_EQ(text(row.cells.at(id(EncodedImage::descriptor_media_type()))),
              compressed[i]["value"]["format"] == "png" ? "image/png" : "image/jpeg");
  }
  // LaserScan -> Points3D in the scan plane; readings outside [range_min, range_max] dropped.
  auto scans = messages(file, "/scan");
  for (size_t i = 0; i < scans.size(); ++i) {
    const json& v = scans[i]["value"];
    std::vector<float> expected;
    std::vector<double> intensities;
    for (size_t k = 0; k < v["ranges"].size(); ++k) {
      const float r = v["ranges"][k];
      if (r < float(v["range_min"]) || r > float(v["range_max"])) continue;
      const double a =
          double(float(v["angle_min"])) + double(k) * double(float(v["angle_increment"]));
      expected.insert(expected.end(), {float(r * std::cos(a)), float(r * std::sin(a)), 0.0f});
      intensities.push_back(v["intensities"][k]);
    }
    const Row& row = got.at("/scan")[i];
    EXPECT_EQ(floats(row.cells.at(id(Points3D::descriptor_positions()))), expected);
    std::vector<float> kept(intensities.begin(), intensities.end());
    const arrow::ArrayPtr& in = row.cells.at("intensities");
    EXPECT_EQ(std::vector<float>(in->values<float>(), in->values<float>() + in->length), kept);
  }
  // PointCloud2 with packed rgb and a uint16 ring field.
  auto clouds = messages(file, "/colored_points");
  for (size_t i = 0; i < clouds.size(); ++i) {
    const auto data = bytes_of(clouds[i]["value"]["data"]);
    std::vector<uint32_t> colors;
    std::vector<double> ring;
    for (size_t p = 0; p + 20 <= data.size(); p += 20) {
      colors.push_back(uint32_t(data[p + 14]) << 24 | uint32_t(data[p + 13]) << 16 |
                       uint32_t(data[p + 12]) << 8 | 0xFF);
      ring.push_back(double(data[p + 16] | data[p + 17] << 8));
    }
    const Row& row = got.at("/colored_points")[i];
    const arrow::ArrayPtr& c = row.cells.at(id(Points3D::descriptor_colors()));
    EXPECT_EQ(std::vector<uint32_t>(c->values<uint32_t>(), c->values<uint32_t>() + c->length),
              colors);
    EXPECT_EQ(doubles(row.cells.at("ring")), ring);
  }
  // JointState: joints in any order in the message.
  auto joints = messages(file, "/joint_states");
  for (const char* joint : {"shoulder", "elbow"}) {
    const auto& rows = got.at(std::string("/joint_states/") + joint);
    ASSERT_EQ(rows.size(), joints.size());
    for (size_t i = 0; i < joints.size(); ++i) {
      const json& v = joints[i]["value"];
      const size_t k = v["name"][0] == joint ? 0 : 1;
      EXPECT_EQ(doubles(rows[i].cells.at(id(Scalars::descriptor_scalars()))),
                (std::vector<double>{v["position"][k]}));
    }
  }
  // BatteryState, Twist, Float64 -> Scalars.
  auto battery = messages(file, "/battery");
  for (size_t i = 0; i < battery.size(); ++i) {
    const json& v = battery[i]["value"];
    EXPECT_EQ(doubles(got.at("/battery")[i].cells.at(id(Scalars::descriptor_scalars()))),
              (std::vector<double>{float(v["voltage"]), float(v["temperature"]),
                                   float(v["current"]), float(v["charge"]), float(v["capacity"]),
                                   float(v["design_capacity"]), float(v["percentage"])}));
  }
  auto cmd = messages(file, "/cmd_vel");
  for (size_t i = 0; i < cmd.size(); ++i) {
    const json& v = cmd[i]["value"];
    EXPECT_EQ(doubles(got.at("/cmd_vel")[i].cells.at(id(Scalars::descriptor_scalars()))),
              (std::vector<double>{v["linear"]["x"], v["linear"]["y"], v["linear"]["z"],
                                   v["angular"]["x"], v["angular"]["y"], v["angular"]["z"]}));
    EXPECT_EQ(got.at("/cmd_vel")[i].times.count("ros_time"), 0u);  // no header
  }
  auto speed = messages(file, "/speed");
  for (size_t i = 0; i < speed.size(); ++i) {
    EXPECT_EQ(doubles(got.at("/speed")[i].cells.at(id(Scalars::descriptor_scalars()))),
              (std::vector<double>{speed[i]["value"]["data"]}));
  }
  auto status = messages(file, "/status");
  for (size_t i = 0; i < status.size(); ++i) {
    EXPECT_EQ(text(got.at("/status")[i].cells.at(id(TextLog::descriptor_text()))),
              status[i]["value"]["data"]);
  }
  // Odometry: the pose in its frame, the twist as series on /odom/twist.
  auto odom = messages(file, "/odom");
  for (size_t i = 0; i < odom.size(); ++i) {
    const json& p = odom[i]["value"]["pose"]["pose"]["position"];
    EXPECT_EQ(floats(got.at("/odom")[i].cells.at(id(InstancePoses3D::descriptor_translations()))),
              (std::vector<float>{p["x"], p["y"], p["z"]}));
    EXPECT_EQ(text(got.at("/odom")[i].cells.at(id(CoordinateFrame::descriptor_frame()))), "odom");
    const json& tw = odom[i]["value"]["twist"]["twist"];
    EXPECT_EQ(doubles(got.at("/odom/twist")[i].cells.at(id(Scalars::descriptor_scalars()))),
              (std::vector<double>{tw["linear"]["x"], tw["linear"]["y"], tw["linear"]["z"],
                                   tw["angular"]["x"], tw["angular"]["y"], tw["angular"]["z"]}));
  }
  // OccupancyGrid: a grayscale image, top row first; free 254, occupied 0, unknown 205.
  {
    const Row& row = got.at("/map").at(0);
    EXPECT_EQ(
        image_format(row.cells.at(id(Image::descriptor_format()))),
        (std::vector<uint32_t>{3, 2, uint32_t(ColorModel::kL), uint32_t(ChannelDatatype::kU8)}));
    // Written rows (bottom first): [0, 100, -1], [50, 0, 0].
    EXPECT_EQ(blob(row.cells.at(id(Image::descriptor_buffer()))),
              (std::vector<uint8_t>{127, 254, 254, 254, 0, 205}));
  }
  // Path: one strip of the poses' positions.
  auto plans = messages(file, "/plan");
  for (size_t i = 0; i < plans.size(); ++i) {
    std::vector<float> expected;
    for (const auto& p : plans[i]["value"]["poses"]) {
      const json& q = p["pose"]["position"];
      expected.insert(expected.end(), {q["x"], q["y"], q["z"]});
    }
    const arrow::ArrayPtr& strips =
        got.at("/plan")[i].cells.at(id(LineStrips3D::descriptor_strips()));
    ASSERT_EQ(strips->length, 1);
    EXPECT_EQ(floats(arrow::ListArray(strips).value_slice(0)), expected);
  }
  // /tf_static: the static transforms as Transform3D rows.
  ASSERT_EQ(got.at("/tf_static").size(), 2u);
  EXPECT_EQ(text(got.at("/tf_static")[1].cells.at(id(Transform3D::descriptor_child_frame()))),
            "camera_optical");
  EXPECT_EQ(floats(got.at("/tf_static")[1].cells.at(id(Transform3D::descriptor_translation()))),
            (std::vector<float>{0.25f, -0.125f, 1.0f}));
  // 16UC1 -> DepthImage in millimeters; rgb8 rows padded to a 12-byte step are repacked.
  auto depth = messages(file, "/depth");
  auto padded = messages(file, "/padded");
  for (size_t i = 0; i < depth.size(); ++i) {
    const Row& d = got.at("/depth")[i];
    EXPECT_EQ(blob(d.cells.at(id(DepthImage::descriptor_buffer()))),
              bytes_of(depth[i]["value"]["data"]));
    EXPECT_EQ(image_format(d.cells.at(id(DepthImage::descriptor_format())))[3],
              uint32_t(ChannelDatatype::kU16));
    const arrow::ArrayPtr& meter = d.cells.at(id(DepthImage::descriptor_meter()));
    EXPECT_EQ(meter->values<float>()[0], 1000.0f);
    const auto written = bytes_of(padded[i]["value"]["data"]);
    std::vector<uint8_t> packed(written.begin(), written.begin() + 9);
    packed.insert(packed.end(), written.begin() + 12, written.begin() + 21);
    EXPECT_EQ(blob(got.at("/padded")[i].cells.at(id(Image::descriptor_buffer()))), packed);
  }
}

TEST(ImportMappingTest, FoxgloveProtobufAndJson) {
  for (const char* name : {"foxglove_protobuf.mcap", "foxglove_json.mcap"}) {
    SCOPED_TRACE(name);
    const json file = manifest_file("manifest.json", name);
    Imported got = import(name);
    const std::string p = std::string(name) == "foxglove_json.mcap" ? "/json/" : "/pb/";
    auto images = messages(file, p + "RawImage");
    ASSERT_EQ(got.at(p + "RawImage").size(), images.size());
    for (size_t i = 0; i < images.size(); ++i) {
      const Row& row = got.at(p + "RawImage")[i];
      const json& v = images[i]["value"];
      EXPECT_EQ(blob(row.cells.at(id(Image::descriptor_buffer()))), bytes_of(v["data"]));
      EXPECT_EQ(
          image_format(row.cells.at(id(Image::descriptor_format()))),
          (std::vector<uint32_t>{4, 2, uint32_t(ColorModel::kL), uint32_t(ChannelDatatype::kU8)}));
      EXPECT_EQ(row.times.at("ros_time"), ns(v["timestamp"]));
      EXPECT_EQ(text(row.cells.at(id(CoordinateFrame::descriptor_frame()))), "cam");
    }
    auto clouds = messages(file, p + "PointCloud");
    for (size_t i = 0; i < clouds.size(); ++i) {
      const auto data = bytes_of(clouds[i]["value"]["data"]);
      std::vector<float> xyz(data.size() / 4);
      std::memcpy(xyz.data(), data.data(), data.size());
      EXPECT_EQ(floats(got.at(p + "PointCloud")[i].cells.at(id(Points3D::descriptor_positions()))),
                xyz);
    }
    auto tfs = messages(file, p + "FrameTransform");
    for (size_t i = 0; i < tfs.size(); ++i) {
      const json& v = tfs[i]["value"];
      const Row& row = got.at(p + "FrameTransform")[i];
      EXPECT_EQ(text(row.cells.at(id(Transform3D::descriptor_parent_frame()))),
                v["parent_frame_id"]);
      EXPECT_EQ(text(row.cells.at(id(Transform3D::descriptor_child_frame()))), v["child_frame_id"]);
      EXPECT_EQ(floats(row.cells.at(id(Transform3D::descriptor_quaternion()))),
                (std::vector<float>{v["rotation"]["x"], v["rotation"]["y"], v["rotation"]["z"],
                                    v["rotation"]["w"]}));
    }
    auto fixes = messages(file, p + "LocationFix");
    for (size_t i = 0; i < fixes.size(); ++i) {
      const json& v = fixes[i]["value"];
      EXPECT_EQ(
          doubles(got.at(p + "LocationFix")[i].cells.at(id(GeoPoints::descriptor_positions()))),
          (std::vector<double>{v["latitude"], v["longitude"]}));
    }
    auto logs = messages(file, p + "Log");
    const char* levels[] = {"UNKNOWN", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"};
    for (size_t i = 0; i < logs.size(); ++i) {
      const json& v = logs[i]["value"];
      const Row& row = got.at(p + "Log")[i];
      EXPECT_EQ(text(row.cells.at(id(TextLog::descriptor_text()))), v["message"]);
      EXPECT_EQ(text(row.cells.at(id(TextLog::descriptor_level()))), levels[int(v["level"])]);
    }
  }
}

TEST(ImportMappingTest, TopicFiltersIncludeAndExclude) {
  ImportOptions options;
  options.topics = "/camera/** -/camera/compressed";
  Imported got = import("ros2_mapped.mcap", options);
  std::vector<std::string> entities;
  for (const auto& [e, rows] : got.rows) entities.push_back(e);
  EXPECT_EQ(entities, (std::vector<std::string>{"/camera/camera_info"}));
  EXPECT_EQ(got.report.messages, 3u);
}

TEST(ImportMappingTest, RecordingIdComesFromTheContent) {
  Imported a = import("ros2_lz4.mcap"), b = import("ros2_lz4.mcap"), c = import("ros2_zstd.mcap");
  EXPECT_EQ(a.report.info.recording_id, b.report.info.recording_id);
  EXPECT_NE(a.report.info.recording_id, c.report.info.recording_id);
  EXPECT_EQ(a.report.info.application_id, "ros2_lz4.mcap");
}

// A robot that lost power: the file cut in the middle still gives every message complete
// before the cut, and says where it stopped.
TEST(ImportMappingTest, TruncatedFilesKeepTheirCompleteMessages) {
  for (const char* name : {"ros2_lz4.mcap", "ros2_unchunked.mcap"}) {
    SCOPED_TRACE(name);
    const json file = manifest_file("manifest.json", name);
    std::ifstream in(dir() + "/" + name, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t cut = bytes.size() / 2;
    const std::string cut_name = std::string("cut_") + name;
    std::ofstream(dir() + "/" + cut_name, std::ios::binary)
        .write(bytes.data(), std::streamsize(cut));
    size_t complete = 0;
    for (const auto& m : messages(file, "/imu")) complete += m["complete_at"].get<size_t>() <= cut;
    Imported got = import(cut_name);
    EXPECT_EQ(got.at("/imu").size(), complete);
    ASSERT_FALSE(got.report.warnings.empty());
    EXPECT_NE(got.report.warnings.back().find(cut_name), std::string::npos)
        << got.report.warnings.back();
  }
}

// A corrupt chunk is a warning naming its offset; the other chunks' messages are imported.
TEST(ImportMappingTest, CorruptChunkIsAWarningAndTheRestIsImported) {
  const json file = manifest_file("manifest.json", "ros2_lz4.mcap");
  std::ifstream in(dir() + "/ros2_lz4.mcap", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const json& chunk = file["chunks"][1];
  const size_t at = chunk["offset"].get<size_t>() + chunk["length"].get<size_t>() / 2;
  bytes[at] = char(bytes[at] ^ 0x5A);
  std::ofstream(dir() + "/corrupt_ros2_lz4.mcap", std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size()));
  Imported got = import("corrupt_ros2_lz4.mcap");
  size_t expected = 0;
  const size_t first = chunk["first_message"], count = chunk["message_count"];
  for (size_t i = 0; i < file["messages"].size(); ++i) {
    if (file["messages"][i]["topic"] == "/imu" && (i < first || i >= first + count)) ++expected;
  }
  EXPECT_EQ(got.at("/imu").size(), expected);
  ASSERT_FALSE(got.report.warnings.empty());
  EXPECT_NE(got.report.warnings[0].find(std::to_string(chunk["offset"].get<size_t>())),
            std::string::npos)
      << got.report.warnings[0];
}

}  // namespace

namespace {

// A message shorter than its schema says: a warning naming the topic, schema and the
// message's byte offset; the topic's other messages are imported.
TEST(ImportMappingTest, UndecodableMessageIsAWarningNamingTopicSchemaAndOffset) {
  const json file = manifest_file("manifest.json", "ros2_unchunked.mcap");
  std::ifstream in(dir() + "/ros2_unchunked.mcap", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto imu = messages(file, "/imu");
  // The record: opcode, length (8), channel (2), sequence (4), log and publish time (8 + 8),
  // then the CDR: encapsulation (4), header.stamp (8), the frame_id's length (4).
  const size_t data = imu[1]["complete_at"].get<size_t>() - imu[1]["size"].get<size_t>();
  const size_t record = data - 1 - 8 - 2 - 4 - 8 - 8;
  const uint32_t huge = 0x7FFFFFF0;
  std::memcpy(bytes.data() + data + 12, &huge, 4);
  std::ofstream(dir() + "/bad_message.mcap", std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size()));
  Imported got = import("bad_message.mcap");
  EXPECT_EQ(got.at("/imu").size(), imu.size() - 1);
  ASSERT_EQ(got.report.warnings.size(), 1u);
  const std::string& w = got.report.warnings[0];
  EXPECT_NE(w.find("bad_message.mcap at byte " + std::to_string(record)), std::string::npos) << w;
  EXPECT_NE(w.find("topic /imu (schema sensor_msgs/msg/Imu)"), std::string::npos) << w;
}

TEST(ImportMappingTest, FormatsAreDetectedFromTheirFirstBytes) {
  EXPECT_EQ(*detect_import_format(dir() + "/ros2_lz4.mcap"), ImportFormat::kMcap);
  EXPECT_EQ(*detect_import_format(dir() + "/ros1_none.bag"), ImportFormat::kRosBag);
  EXPECT_EQ(*detect_import_format(dir() + "/manifest.json"), ImportFormat::kNone);
  EXPECT_EQ(*detect_import_format(dir()), ImportFormat::kDirectory);
}

}  // namespace

namespace {

// MarkerArray: each (ns, id) its entity and its shape; points in the marker's pose; DELETE
// clears the marker.
TEST(ImportMappingTest, MarkersBecomeTheShapesReelHas) {
  const json file = manifest_file("manifest.json", "ros2_mapped.mcap");
  Imported got = import("ros2_mapped.mcap");
  const json first = messages(file, "/markers")[0]["value"]["markers"];
  const Row& cube = got.at("/markers/shapes/1").at(0);
  EXPECT_EQ(floats(cube.cells.at(id(Boxes3D::descriptor_half_sizes()))),
            (std::vector<float>{0.25f, 0.5f, 1.0f}));
  EXPECT_EQ(floats(cube.cells.at(id(Boxes3D::descriptor_centers()))),
            (std::vector<float>{1, 2, 3}));
  const arrow::ArrayPtr& color = cube.cells.at(id(Boxes3D::descriptor_colors()));
  EXPECT_EQ(color->values<uint32_t>()[0], 0xFF8000FFu);  // r 1, g 0.5, b 0, a 1
  EXPECT_EQ(text(cube.cells.at(id(CoordinateFrame::descriptor_frame()))), "map");
  EXPECT_EQ(cube.times.at("ros_time"), ns(first[0]["header"]["stamp"]));
  const Row& deleted = got.at("/markers/shapes/1").at(1);
  EXPECT_EQ(deleted.cells.count(id(Boxes3D::descriptor_half_sizes())), 0u);
  EXPECT_EQ(deleted.cells.at(id(Clear::descriptor_is_recursive()))->length, 1);
  EXPECT_EQ(
      floats(got.at("/markers/shapes/2").at(0).cells.at(id(Ellipsoids3D::descriptor_half_sizes()))),
      (std::vector<float>{0.25f, 0.5f, 1.0f}));
  // The strip's points rotated by the pose's quaternion (0, 0, 0.6, 0.8): a turn of
  // atan2(0.96, 0.28) about z, then moved to (1, 2, 3).
  const double c = 0.28, s = 0.96;
  std::vector<float> expected;
  for (const auto& p : first[2]["points"]) {
    const double x = p["x"], y = p["y"], z = p["z"];
    expected.insert(expected.end(),
                    {float(1 + c * x - s * y), float(2 + s * x + c * y), float(3 + z)});
  }
  const arrow::ArrayPtr& strips =
      got.at("/markers/lines/1").at(0).cells.at(id(LineStrips3D::descriptor_strips()));
  const std::vector<float> strip = floats(arrow::ListArray(strips).value_slice(0));
  ASSERT_EQ(strip.size(), expected.size());
  for (size_t i = 0; i < strip.size(); ++i) EXPECT_NEAR(strip[i], expected[i], 1e-6) << i;
  const Row& points = got.at("/markers/7").at(0);
  EXPECT_EQ(floats(points.cells.at(id(Points3D::descriptor_positions()))),
            (std::vector<float>{1, 2, 4}));
  EXPECT_EQ(points.cells.at(id(Points3D::descriptor_colors()))->values<uint32_t>()[0],
            0x0000FF80u);  // r 0, g 0, b 1 (0xFF), a 0.5 (0x80)
  EXPECT_EQ(text(got.at("/markers/labels/1").at(0).cells.at(id(Points3D::descriptor_labels()))),
            "dock");
}

}  // namespace

namespace {

// Damaged messages (no CRC guards an unchunked file's records) reach the decoders and the
// mappers with any values: the import still succeeds, every chunk it makes is valid, and the
// undamaged topics keep their messages.
TEST(ImportMappingTest, DamagedMessagesNeverBreakTheImport) {
  const json file = manifest_file("manifest.json", "ros2_mapped_unchunked.mcap");
  std::ifstream in(dir() + "/ros2_mapped_unchunked.mcap", std::ios::binary);
  const std::vector<char> original((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  const auto& listed = file["messages"];
  for (int round = 0; round < 150; ++round) {
    std::vector<char> bytes = original;
    // Damage a few bytes of one message's data.
    const json& m = listed[next() % listed.size()];
    const size_t end = m["complete_at"], size = m["size"];
    for (int k = 0; k < 4; ++k) bytes[end - size + next() % size] = char(next());
    const std::string name = "damaged.mcap";
    std::ofstream(dir() + "/" + name, std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size()));
    size_t rows = 0;
    auto report = import_file(dir() + "/" + name, [&](ChunkPtr c) {
      rows += size_t(c->num_rows());
      return Status::OK();
    });
    ASSERT_TRUE(report.ok()) << round << ": " << report.status().message();
    EXPECT_GT(rows, 0u);
  }
}

}  // namespace
