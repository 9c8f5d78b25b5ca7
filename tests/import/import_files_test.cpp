// reel's MCAP and ROS bag readers and message decoders on files written by independent
// writers (generate.mjs: Foxglove's npm libraries; write_bags.py: Debian's python3-rosbag),
// found in $REEL_IMPORT_TEST_DIR with manifests of what was written.
//
// Every message of every file is decoded and compared, field by field, with the value the
// writer was given; cut and corrupted copies of each file must still yield every message that
// is complete before the cut (or outside the damaged chunk), with a warning naming the offset.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "reel/import/mcap_reader.hpp"
#include "reel/import/message_decoder.hpp"
#include "reel/import/ros1_bag_reader.hpp"

namespace {

using namespace reel;
using namespace reel::import;
using json = nlohmann::json;

std::string dir() {
  const char* d = std::getenv("REEL_IMPORT_TEST_DIR");
  return d ? d : "";
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

json manifest(const char* name) {
  std::ifstream f(dir() + "/" + name);
  return json::parse(f);
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

// ---- comparing a decoded row with the value the writer was given ---------------------------

template <typename T>
bool int_equals(const json& e, T v) {
  if (e.is_string()) return e.get<std::string>() == std::to_string(v);
  if (e.is_boolean()) return T(e.get<bool>()) == v;
  if (e.is_number_unsigned())
    return std::is_unsigned_v<T> ? e.get<uint64_t>() == uint64_t(v)
                                 : int64_t(e.get<uint64_t>()) == int64_t(v);
  if (e.is_number_integer()) return e.get<int64_t>() == int64_t(v);
  return false;
}

// "" when row i of `a` equals `e`, else where and how it differs.
std::string mismatch(const arrow::ArrayData& a, int64_t i, const json& e, const std::string& path) {
  auto bad = [&](const std::string& got) {
    return path + ": expected " + e.dump() + ", decoded " + got;
  };
  if (e.is_null()) return a.is_null(i) ? "" : bad("a value");
  if (a.is_null(i)) return bad("null");
  const int64_t j = a.offset + i;
  switch (a.type->id()) {
    case arrow::TypeId::kStruct: {
      if (!e.is_object()) return bad("a struct");
      const auto& fields = a.type->fields();
      for (size_t f = 0; f < fields.size(); ++f) {
        auto it = e.find(fields[f]->name);
        const json none;
        std::string m =
            mismatch(*a.children[f], j, it == e.end() ? none : *it, path + "." + fields[f]->name);
        if (!m.empty()) return m;
      }
      for (const auto& [k, v] : e.items()) {
        bool found = false;
        for (const auto& f : fields) found = found || f->name == k;
        if (!found) return path + ": the writer's field '" + k + "' was not decoded";
      }
      return "";
    }
    case arrow::TypeId::kBool: {
      const bool v = arrow::bit_util::get_bit(a.buffers[1]->data(), j);
      return e.is_boolean() && e.get<bool>() == v ? "" : bad(v ? "true" : "false");
    }
#define REEL_INT_CASE(ID, T)                                  \
  case arrow::TypeId::ID: {                                   \
    const T v = a.buffers[1]->data_as<T>()[j];                \
    return int_equals<T>(e, v) ? "" : bad(std::to_string(v)); \
  }
      REEL_INT_CASE(kInt8, int8_t)
      REEL_INT_CASE(kInt16, int16_t)
      REEL_INT_CASE(kInt32, int32_t)
      REEL_INT_CASE(kInt64, int64_t)
      REEL_INT_CASE(kUInt8, uint8_t)
      REEL_INT_CASE(kUInt16, uint16_t)
      REEL_INT_CASE(kUInt32, uint32_t)
      REEL_INT_CASE(kUInt64, uint64_t)
#undef REEL_INT_CASE
    case arrow::TypeId::kFloat32: {
      const float v = a.buffers[1]->data_as<float>()[j];
      return e.is_number() && float(e.get<double>()) == v ? "" : bad(std::to_string(v));
    }
    case arrow::TypeId::kFloat64: {
      const double v = a.buffers[1]->data_as<double>()[j];
      return e.is_number() && e.get<double>() == v ? "" : bad(std::to_string(v));
    }
    case arrow::TypeId::kUtf8:
    case arrow::TypeId::kBinary: {
      const int32_t* o = a.buffers[1]->data_as<int32_t>();
      const std::string v(reinterpret_cast<const char*>(a.buffers[2]->data()) + o[j],
                          size_t(o[j + 1] - o[j]));
      if (a.type->id() == arrow::TypeId::kUtf8) return e == v ? "" : bad(json(v).dump());
      if (!e.is_object() || !e.contains("base64")) return bad("bytes");
      const auto want = unbase64(e["base64"].get<std::string>());
      return std::string(want.begin(), want.end()) == v ? ""
                                                        : bad(std::to_string(v.size()) + " bytes");
    }
    case arrow::TypeId::kFixedSizeBinary: {
      const int32_t w = a.type->byte_width();
      const std::string v(reinterpret_cast<const char*>(a.buffers[1]->data()) + j * w, size_t(w));
      const auto want = unbase64(e.value("base64", ""));
      return std::string(want.begin(), want.end()) == v ? "" : bad("other bytes");
    }
    case arrow::TypeId::kList:
    case arrow::TypeId::kFixedSizeList: {
      int64_t begin, len;
      if (a.type->id() == arrow::TypeId::kList) {
        const int32_t* o = a.buffers[1]->data_as<int32_t>();
        begin = o[j];
        len = o[j + 1] - o[j];
      } else {
        len = a.type->list_size();
        begin = j * len;
      }
      if (!e.is_array() || int64_t(e.size()) != len) return bad(std::to_string(len) + " elements");
      for (int64_t k = 0; k < len; ++k) {
        std::string m =
            mismatch(*a.children[0], begin + k, e[size_t(k)], path + "[" + std::to_string(k) + "]");
        if (!m.empty()) return m;
      }
      return "";
    }
    default:
      return bad("a type the test does not know: " + a.type->to_string());
  }
}

// ---- reading ---------------------------------------------------------------------------------

struct Read {
  struct Message {
    std::string topic;
    uint64_t log_time = 0, publish_time = 0;
    uint32_t sequence = 0;
    std::vector<uint8_t> data;
    const McapSchema* schema = nullptr;
    const McapChannel* channel = nullptr;
  };
  std::unique_ptr<McapReader> reader;
  std::vector<Message> messages;
  std::vector<std::string> attachments;
  std::vector<std::string> metadata;
  std::vector<ImportWarning> warnings;
};

Read read_mcap(std::vector<uint8_t> bytes, const std::string& name) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  Read r;
  auto reader = McapReader::open(memory_source(*owner, name, owner));
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return r;
  r.reader = std::move(reader).value();
  McapEvent ev;
  while (true) {
    auto more = r.reader->next(&ev);
    EXPECT_TRUE(more.ok()) << more.status().to_string();
    if (!more.ok() || !*more) break;
    if (ev.kind == McapEventKind::kMessage) {
      const McapMessage& m = ev.message;
      r.messages.push_back({m.channel->topic,
                            m.log_time,
                            m.publish_time,
                            m.sequence,
                            {m.data.begin(), m.data.end()},
                            m.schema,
                            m.channel});
    } else if (ev.kind == McapEventKind::kAttachment) {
      r.attachments.push_back(ev.attachment.name + "=" +
                              std::string(ev.attachment.data.begin(), ev.attachment.data.end()));
    } else if (ev.kind == McapEventKind::kMetadata) {
      for (const auto& [k, v] : ev.metadata.metadata)
        r.metadata.push_back(ev.metadata.name + "." + k + "=" + v);
    }
  }
  r.warnings = r.reader->warnings();
  return r;
}

std::string warnings_text(const std::vector<ImportWarning>& w) {
  std::string s;
  for (const auto& x : w) s += "\n  " + x.message;
  return s;
}

class ImportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    if (dir().empty()) GTEST_SKIP() << "REEL_IMPORT_TEST_DIR is not set (run through ctest)";
  }
};

TEST_F(ImportFiles, McapMessagesAndValuesMatchTheWriter) {
  const json m = manifest("manifest.json");
  ASSERT_GE(m["files"].size(), 8u);
  for (const json& file : m["files"]) {
    const std::string name = file["name"];
    SCOPED_TRACE(name);
    Read r = read_mcap(read_file(dir() + "/" + name), name);
    EXPECT_TRUE(r.warnings.empty()) << warnings_text(r.warnings);
    const json& want = file["messages"];
    ASSERT_EQ(r.messages.size(), want.size());
    EXPECT_EQ(r.attachments, std::vector<std::string>{"calibration.txt=fx=500 fy=500"});
    EXPECT_EQ(r.metadata, std::vector<std::string>{"robot.serial=R2-D2"});
    if (file["indexed"].get<bool>()) {
      ASSERT_TRUE(r.reader->statistics().has_value());
      EXPECT_EQ(r.reader->statistics()->message_count, want.size());
    }
    std::map<uint16_t, std::unique_ptr<MessageDecoder>> decoders;
    std::map<uint16_t, std::vector<size_t>> rows_of;  // manifest indices per channel
    for (size_t k = 0; k < r.messages.size(); ++k) {
      const auto& got = r.messages[k];
      const json& w = want[k];
      ASSERT_EQ(got.topic, w["topic"].get<std::string>()) << "message " << k;
      EXPECT_EQ(std::to_string(got.log_time), w["log_time"].get<std::string>());
      EXPECT_EQ(std::to_string(got.publish_time), w["publish_time"].get<std::string>());
      EXPECT_EQ(got.sequence, w["sequence"].get<uint32_t>());
      EXPECT_EQ(got.data.size(), w["size"].get<size_t>());
      ASSERT_NE(got.schema, nullptr);
      EXPECT_EQ(got.schema->name, w["schema"].get<std::string>());
      auto& dec = decoders[got.channel->id];
      if (!dec) {
        auto made = make_decoder(got.schema->name, got.schema->encoding, got.schema->data,
                                 got.channel->message_encoding);
        ASSERT_TRUE(made.ok()) << got.topic << ": " << made.status().to_string();
        dec = std::move(made).value();
      }
      Status st = dec->append(got.data);
      ASSERT_TRUE(st.ok()) << got.topic << " message " << k << ": " << st.to_string();
      rows_of[got.channel->id].push_back(k);
    }
    for (auto& [id, dec] : decoders) {
      auto batch = dec->finish();
      ASSERT_TRUE(arrow::validate(*batch).ok()) << arrow::validate(*batch).to_string();
      const auto& rows = rows_of[id];
      ASSERT_EQ(batch->length, int64_t(rows.size()));
      for (size_t k = 0; k < rows.size(); ++k) {
        const std::string diff =
            mismatch(*batch, int64_t(k), want[rows[k]]["value"], want[rows[k]]["topic"]);
        EXPECT_EQ(diff, "") << "row " << k;
      }
    }
  }
}

// A few values spelled out, as a reader of the test would check them.
TEST_F(ImportFiles, McapSpotChecks) {
  Read r = read_mcap(read_file(dir() + "/ros2_zstd.mcap"), "ros2_zstd.mcap");
  std::map<std::string, std::unique_ptr<MessageDecoder>> dec;
  for (const auto& m : r.messages) {
    auto& d = dec[m.topic];
    if (!d) d = make_decoder(m.schema->name, m.schema->encoding, m.schema->data, "cdr").value();
    ASSERT_TRUE(d->append(m.data).ok());
  }
  // Image 2: 8x6 rgb8, pixel byte k = (k * 7 + 2 * 13) & 255, stamp 1700000000.060000001 s.
  auto images = dec["/camera/image_raw"]->finish();
  arrow::StructArray img(images);
  EXPECT_EQ(dec["/camera/image_raw"]->type_name(), "sensor_msgs/msg/Image");
  arrow::BinaryArray data(img.field("data"));
  const std::string_view px = data.value(2);
  ASSERT_EQ(px.size(), 144u);
  for (size_t k = 0; k < px.size(); ++k) ASSERT_EQ(uint8_t(px[k]), uint8_t((k * 7 + 26) & 255));
  arrow::StructArray header(img.field("header"));
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(header.field("stamp")).value(2), 1700000000060000001);
  EXPECT_EQ(arrow::StringArray(header.field("frame_id")).value(2), "camera_optical");
  // Point cloud 1: point 3 is (3, -1.5, 1, 30) as four float32 in its data.
  arrow::StructArray cloud(dec["/points"]->finish());
  const std::string_view pts = arrow::BinaryArray(cloud.field("data")).value(1);
  float p3[4];
  std::memcpy(p3, pts.data() + 3 * 16, 16);
  EXPECT_EQ(p3[0], 3.f);
  EXPECT_EQ(p3[1], -1.5f);
  EXPECT_EQ(p3[2], 1.f);
  EXPECT_EQ(p3[3], 30.f);
  // TF message 1: the second transform is base_link -> camera_optical.
  arrow::StructArray tf(dec["/tf"]->finish());
  arrow::ListArray transforms(tf.field("transforms"));
  ASSERT_EQ(transforms.value_length(1), 2);
  arrow::StructArray ts(transforms.values());
  EXPECT_EQ(arrow::StringArray(ts.field("child_frame_id")).value(transforms.value_offset(1) + 1),
            "camera_optical");
  // The kitchen sink: 64-bit extremes and CDR alignment after an empty float64[].
  arrow::StructArray k(dec["/kitchen"]->finish());
  EXPECT_EQ(arrow::PrimitiveArray<uint64_t>(k.field("huge")).value(1), (uint64_t(1) << 63) + 1);
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(k.field("big")).value(1), -(int64_t(1) << 40) - 1);
  EXPECT_EQ(arrow::PrimitiveArray<uint8_t>(k.field("after_empty")).value(0), 7);
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(k.field("span")).value(0), -2000000000 + 500);
}

// Cut copies: every message complete before the cut, in order and byte for byte, then a warning.
void check_cuts(
    const json& file, const std::vector<uint8_t>& full, bool exact,
    const std::function<std::vector<std::vector<uint8_t>>(std::vector<uint8_t>)>& read) {
  const json& want = file["messages"];
  const auto all = read(full);
  ASSERT_EQ(all.size(), want.size());
  std::vector<size_t> cuts;
  for (const json& w : want) {
    const size_t at = w["complete_at"];
    cuts.push_back(at);
    cuts.push_back(at - 1);
  }
  for (size_t k = 1; k < 40; ++k) cuts.push_back(full.size() * k / 40);
  for (size_t cut : cuts) {
    if (cut == 0 || cut >= full.size()) continue;
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const auto got = read(std::vector<uint8_t>(full.begin(), full.begin() + long(cut)));
    size_t complete = 0;
    for (const json& w : want) complete += w["complete_at"].get<size_t>() <= cut;
    ASSERT_LE(got.size(), all.size());
    if (exact) {
      EXPECT_EQ(got.size(), complete);
    } else {
      EXPECT_GE(got.size(), complete);
    }
    for (size_t k = 0; k < got.size(); ++k) ASSERT_EQ(got[k], all[k]) << "message " << k;
  }
}

TEST_F(ImportFiles, McapCutShortKeepsEveryCompleteMessage) {
  const json m = manifest("manifest.json");
  for (const json& file : m["files"]) {
    const std::string name = file["name"];
    SCOPED_TRACE(name);
    size_t cut_size = 0;
    auto read = [&](std::vector<uint8_t> bytes) {
      cut_size = bytes.size();
      Read r = read_mcap(std::move(bytes), name);
      std::vector<std::vector<uint8_t>> out;
      for (auto& msg : r.messages) out.push_back(msg.data);
      if (cut_size < file["size"].get<size_t>()) {
        // The cut is reported, at an offset no further than the end of what is there.
        bool named = false;
        for (const auto& w : r.warnings) {
          named =
              named || (w.offset <= cut_size &&
                        w.message.find("at byte " + std::to_string(w.offset)) != std::string::npos);
        }
        EXPECT_TRUE(named) << warnings_text(r.warnings);
      }
      return out;
    };
    check_cuts(file, read_file(dir() + "/" + name), !file["chunked"].get<bool>(), read);
  }
}

TEST_F(ImportFiles, McapCorruptChunkIsSkippedWithAWarning) {
  const json m = manifest("manifest.json");
  int checked = 0;
  for (const json& file : m["files"]) {
    if (!file.contains("chunks")) continue;
    const std::string name = file["name"];
    const auto full = read_file(dir() + "/" + name);
    for (const json& chunk : file["chunks"]) {
      const size_t at = chunk["offset"], length = chunk["length"];
      const size_t first = chunk["first_message"], count = chunk["message_count"];
      SCOPED_TRACE(name + " chunk at " + std::to_string(at));
      for (int how = 0; how < 2; ++how) {
        auto bytes = full;
        if (how == 0) {
          bytes[at + length / 2] ^= 0x5A;  // inside the compressed records: CRC or codec fails
        } else {
          // The records' length field (after op, length, 3 u64, crc, compression) set past
          // the record.
          const size_t compression_len = chunk["compression"].get<std::string>().size();
          const size_t field = at + 9 + 24 + 4 + 4 + compression_len;
          const uint64_t huge = uint64_t(1) << 40;
          std::memcpy(bytes.data() + field, &huge, 8);
        }
        Read r = read_mcap(std::move(bytes), name);
        bool named = false;
        for (const auto& w : r.warnings) {
          named = named ||
                  w.message.find("at byte " + std::to_string(at) + ": Chunk") != std::string::npos;
        }
        EXPECT_TRUE(named) << warnings_text(r.warnings);
        // Every other chunk's messages, in order: the summary defines their channels even
        // when the corrupt chunk held the first definition.
        std::vector<std::string> want, got;
        for (size_t k = 0; k < file["messages"].size(); ++k) {
          if (k < first || k >= first + count) {
            want.push_back(file["messages"][k]["log_time"].get<std::string>());
          }
        }
        for (const auto& msg : r.messages) got.push_back(std::to_string(msg.log_time));
        EXPECT_EQ(got, want);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10);
}

TEST_F(ImportFiles, DecodeErrorNamesFieldAndOffset) {
  Read r = read_mcap(read_file(dir() + "/ros2_lz4.mcap"), "ros2_lz4.mcap");
  for (const auto& msg : r.messages) {
    if (msg.topic != "/camera/image_raw") continue;
    auto dec =
        make_decoder(msg.schema->name, msg.schema->encoding, msg.schema->data, "cdr").value();
    // Cut inside the pixel data: the data field's bytes run past the end.
    std::vector<uint8_t> cut(msg.data.begin(), msg.data.end() - 10);
    Status st = dec->append(cut);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("field 'data' at byte"), std::string::npos) << st.to_string();
    EXPECT_EQ(dec->num_rows(), 0);
    // Cut inside header.frame_id.
    std::vector<uint8_t> cut2(msg.data.begin(), msg.data.begin() + 20);
    st = dec->append(cut2);
    EXPECT_NE(st.message().find("field 'header.frame_id' at byte 16"), std::string::npos)
        << st.to_string();
    ASSERT_TRUE(dec->append(msg.data).ok());
    EXPECT_EQ(dec->num_rows(), 1);
    return;
  }
  FAIL() << "no image";
}

// ---- ROS 1 bags ------------------------------------------------------------------------------

struct BagRead {
  std::unique_ptr<Ros1BagReader> reader;
  struct Message {
    const Ros1Connection* connection;
    uint64_t time;
    std::vector<uint8_t> data;
  };
  std::vector<Message> messages;
  std::vector<ImportWarning> warnings;
};

BagRead read_bag(std::vector<uint8_t> bytes, const std::string& name) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  BagRead r;
  auto reader = Ros1BagReader::open(memory_source(*owner, name, owner));
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return r;
  r.reader = std::move(reader).value();
  Ros1Event ev;
  while (true) {
    auto more = r.reader->next(&ev);
    EXPECT_TRUE(more.ok()) << more.status().to_string();
    if (!more.ok() || !*more) break;
    if (ev.kind == Ros1EventKind::kMessage) {
      r.messages.push_back({ev.message.connection,
                            ev.message.time,
                            {ev.message.data.begin(), ev.message.data.end()}});
    }
  }
  r.warnings = r.reader->warnings();
  return r;
}

TEST_F(ImportFiles, BagMessagesAndValuesMatchTheWriter) {
  const json m = manifest("bags.json");
  ASSERT_EQ(m["files"].size(), 4u);
  for (const json& file : m["files"]) {
    const std::string name = file["name"];
    SCOPED_TRACE(name);
    BagRead r = read_bag(read_file(dir() + "/" + name), name);
    EXPECT_TRUE(r.warnings.empty()) << warnings_text(r.warnings);
    const json& want = file["messages"];
    ASSERT_EQ(r.messages.size(), want.size());
    std::map<std::string, std::unique_ptr<MessageDecoder>> decoders;
    std::map<std::string, std::vector<size_t>> rows_of;
    for (size_t k = 0; k < r.messages.size(); ++k) {
      const auto& got = r.messages[k];
      ASSERT_EQ(got.connection->topic, want[k]["topic"].get<std::string>());
      EXPECT_EQ(got.connection->type, want[k]["type"].get<std::string>());
      EXPECT_EQ(std::to_string(got.time), want[k]["time"].get<std::string>());
      auto& dec = decoders[got.connection->topic];
      if (!dec) {
        auto schema = parse_ros1msg(got.connection->type, got.connection->message_definition);
        ASSERT_TRUE(schema.ok()) << schema.status().to_string();
        auto made = make_ros1_decoder(std::move(schema).value());
        ASSERT_TRUE(made.ok()) << made.status().to_string();
        dec = std::move(made).value();
      }
      Status st = dec->append(got.data);
      ASSERT_TRUE(st.ok()) << got.connection->topic << ": " << st.to_string();
      rows_of[got.connection->topic].push_back(k);
    }
    EXPECT_EQ(decoders.size(), 8u);
    for (auto& [topic, dec] : decoders) {
      auto batch = dec->finish();
      ASSERT_TRUE(arrow::validate(*batch).ok());
      const auto& rows = rows_of[topic];
      for (size_t k = 0; k < rows.size(); ++k) {
        EXPECT_EQ(mismatch(*batch, int64_t(k), want[rows[k]]["value"], topic), "") << "row " << k;
      }
    }
  }
}

TEST_F(ImportFiles, BagCutShortKeepsEveryCompleteMessage) {
  const json m = manifest("bags.json");
  for (const json& file : m["files"]) {
    const std::string name = file["name"];
    SCOPED_TRACE(name);
    auto read = [&](std::vector<uint8_t> bytes) {
      BagRead r = read_bag(std::move(bytes), name);
      std::vector<std::vector<uint8_t>> out;
      for (auto& msg : r.messages) out.push_back(msg.data);
      return out;
    };
    check_cuts(file, read_file(dir() + "/" + name), false, read);
  }
}

TEST_F(ImportFiles, BagCorruptChunkIsSkippedWithAWarning) {
  const json m = manifest("bags.json");
  int checked = 0;
  for (const json& file : m["files"]) {
    if (file["compression"] == "none") continue;  // bags have no checksums of their own
    const std::string name = file["name"];
    const auto full = read_file(dir() + "/" + name);
    for (const json& chunk : file["chunks"]) {
      const size_t at = chunk["offset"];
      const size_t first = chunk["first_message"], count = chunk["message_count"];
      SCOPED_TRACE(name + " chunk at " + std::to_string(at));
      // The record: header_len, header, data_len, data; flip a byte in the middle of the data.
      uint32_t header_len, data_len;
      std::memcpy(&header_len, full.data() + at, 4);
      std::memcpy(&data_len, full.data() + at + 4 + header_len, 4);
      auto bytes = full;
      bytes[at + 8 + header_len + data_len / 2] ^= 0x5A;
      BagRead r = read_bag(std::move(bytes), name);
      bool named = false;
      for (const auto& w : r.warnings) {
        named = named ||
                w.message.find("at byte " + std::to_string(at) + ": chunk") != std::string::npos;
      }
      EXPECT_TRUE(named) << warnings_text(r.warnings);
      // Every other chunk's messages, in order. A closed bag defines every connection again
      // in its index; an unclosed one loses the topics first seen in the corrupt chunk.
      std::vector<std::string> want, got;
      std::set<std::string> lost;
      for (size_t k = 0; k < file["messages"].size(); ++k) {
        const json& msg = file["messages"][k];
        const bool in_chunk = k >= first && k < first + count;
        bool first_of_topic = true;
        for (size_t e = 0; e < k; ++e)
          first_of_topic &= file["messages"][e]["topic"] != msg["topic"];
        if (in_chunk && first_of_topic && !file["closed"].get<bool>()) lost.insert(msg["topic"]);
        if (!in_chunk && !lost.count(msg["topic"])) want.push_back(msg["time"]);
      }
      for (const auto& msg : r.messages) got.push_back(std::to_string(msg.time));
      EXPECT_EQ(got, want);
      ++checked;
    }
  }
  EXPECT_GT(checked, 6);
}

}  // namespace
