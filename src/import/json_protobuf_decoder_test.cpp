// JSON (with JSON Schema) and protobuf decoding: presence, wrong types, recursion. Protobuf
// messages are written with libprotobuf itself (descriptors built in the test, a
// DynamicMessage serialized); the Foxglove schemas are covered by tests/import.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include "reel/import/message_decoder.hpp"

namespace {

using namespace reel;
using namespace reel::import;
namespace pb = google::protobuf;

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(JsonDecoder, SchemaTypesPresenceAndWrongTypes) {
  const std::string schema = R"({
    "title": "test.Thing", "type": "object",
    "properties": {
      "stamp": {"type": "object", "title": "time",
                "properties": {"sec": {"type": "integer"}, "nsec": {"type": "integer"}}},
      "name": {"type": "string"},
      "count": {"type": "integer"},
      "ratio": {"type": ["number", "null"]},
      "raw": {"type": "string", "contentEncoding": "base64"},
      "level": {"oneOf": [{"const": 1}, {"const": 2}]},
      "tags": {"type": "array", "items": {"type": "string"}},
      "pose": {"$ref": "#/$defs/Pose"},
      "anything": {}
    },
    "$defs": {"Pose": {"type": "object", "properties": {"x": {"type": "number"}}}}
  })";
  auto d = make_json_decoder(schema, "test.Thing");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_EQ((*d)->type()->to_string(),
            "struct<stamp: int64, name: utf8, count: int64, ratio: float64, raw: binary, "
            "level: int32, tags: list<item: utf8>, pose: struct<x: float64>, anything: utf8>");
  ASSERT_TRUE((*d)->append(bytes(R"({"stamp": {"sec": 3, "nsec": 4}, "name": "a", "count": 7,
      "ratio": 0.5, "raw": "AQID", "level": 2, "tags": ["x", null], "pose": {"x": 1.5},
      "anything": [1, {"b": 2}]})"))
                  .ok());
  // Missing, null and wrongly typed values are nulls.
  ASSERT_TRUE((*d)->append(bytes(R"({"name": 5, "count": "many", "ratio": null})")).ok());
  EXPECT_EQ((*d)->append(bytes("{not json")).code(), StatusCode::kCorrupt);
  EXPECT_EQ((*d)->append(bytes(std::string(300, '[') + std::string(300, ']'))).code(),
            StatusCode::kCorrupt);  // nests too deep
  auto rows = (*d)->finish();
  ASSERT_TRUE(arrow::validate(*rows, true).ok());
  ASSERT_EQ(rows->length, 2);
  arrow::StructArray r(rows);
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(r.field("stamp")).value(0), 3000000004);
  EXPECT_EQ(arrow::BinaryArray(r.field("raw")).value(0), "\x01\x02\x03");
  EXPECT_EQ(arrow::PrimitiveArray<int32_t>(r.field("level")).value(0), 2);
  arrow::ListArray tags(r.field("tags"));
  EXPECT_EQ(tags.value_length(0), 2);
  EXPECT_EQ(arrow::StringArray(tags.values()).value(1), "");  // null element: the zero value
  EXPECT_EQ(arrow::StringArray(r.field("anything")).value(0), "[1,{\"b\":2}]");
  EXPECT_EQ(arrow::StringArray(r.field("name")).value(1), "5");  // strings take any JSON text
  for (const char* f : {"stamp", "count", "ratio", "raw", "pose"}) {
    EXPECT_TRUE(r.field(f)->is_null(1)) << f;
  }
}

TEST(JsonDecoder, Schemaless) {
  auto d = make_decoder("free", "", {}, "json");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  ASSERT_TRUE((*d)->append(bytes(R"({"a": 1})")).ok());
  arrow::StructArray r((*d)->finish());
  EXPECT_EQ(arrow::StringArray(r.field("json")).value(0), R"({"a": 1})");
}

// package t; message Node { string name = 1; Node child = 2; repeated int32 v = 3;
//   optional double w = 4; google.protobuf.Timestamp at = 5; }
std::string node_descriptors() {
  pb::FileDescriptorSet set;
  pb::FileDescriptorProto* ts = set.add_file();
  ts->set_name("google/protobuf/timestamp.proto");
  ts->set_package("google.protobuf");
  ts->set_syntax("proto3");
  auto* t = ts->add_message_type();
  t->set_name("Timestamp");
  auto add = [](pb::DescriptorProto* m, const char* name, int number,
                pb::FieldDescriptorProto::Type type, const char* type_name = nullptr,
                bool repeated = false) {
    auto* f = m->add_field();
    f->set_name(name);
    f->set_number(number);
    f->set_type(type);
    f->set_label(repeated ? pb::FieldDescriptorProto::LABEL_REPEATED
                          : pb::FieldDescriptorProto::LABEL_OPTIONAL);
    if (type_name) f->set_type_name(type_name);
    return f;
  };
  add(t, "seconds", 1, pb::FieldDescriptorProto::TYPE_INT64);
  add(t, "nanos", 2, pb::FieldDescriptorProto::TYPE_INT32);
  pb::FileDescriptorProto* file = set.add_file();
  file->set_name("node.proto");
  file->set_package("t");
  file->set_syntax("proto3");
  file->add_dependency("google/protobuf/timestamp.proto");
  auto* n = file->add_message_type();
  n->set_name("Node");
  add(n, "name", 1, pb::FieldDescriptorProto::TYPE_STRING);
  add(n, "child", 2, pb::FieldDescriptorProto::TYPE_MESSAGE, ".t.Node");
  add(n, "v", 3, pb::FieldDescriptorProto::TYPE_INT32, nullptr, true);
  add(n, "w", 4, pb::FieldDescriptorProto::TYPE_DOUBLE)->set_proto3_optional(true);
  n->add_oneof_decl()->set_name("_w");
  n->mutable_field(3)->set_oneof_index(0);
  add(n, "at", 5, pb::FieldDescriptorProto::TYPE_MESSAGE, ".google.protobuf.Timestamp");
  return set.SerializeAsString();
}

TEST(ProtobufDecoder, PresenceRecursionAndTimes) {
  const std::string fds = node_descriptors();
  // A message written by libprotobuf from the same descriptors.
  pb::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(fds));
  pb::DescriptorPool pool;
  for (const auto& f : set.file()) ASSERT_NE(pool.BuildFile(f), nullptr);
  pb::DynamicMessageFactory factory(&pool);
  const pb::Descriptor* node = pool.FindMessageTypeByName("t.Node");
  std::unique_ptr<pb::Message> m(factory.GetPrototype(node)->New());
  const pb::Reflection* r = m->GetReflection();
  r->SetString(m.get(), node->FindFieldByName("name"), "root");
  r->AddInt32(m.get(), node->FindFieldByName("v"), 4);
  r->AddInt32(m.get(), node->FindFieldByName("v"), -5);
  pb::Message* child = r->MutableMessage(m.get(), node->FindFieldByName("child"));
  child->GetReflection()->SetString(child, node->FindFieldByName("name"), "leaf");
  pb::Message* at = r->MutableMessage(m.get(), node->FindFieldByName("at"));
  at->GetReflection()->SetInt64(at, at->GetDescriptor()->FindFieldByName("seconds"), 2);
  at->GetReflection()->SetInt32(at, at->GetDescriptor()->FindFieldByName("nanos"), 9);
  const std::string wire = m->SerializeAsString();

  auto d = make_decoder("t.Node", "protobuf", bytes(fds), "protobuf");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  // The recursive field holds the sub-message's bytes; w has presence; at is a time.
  EXPECT_EQ((*d)->type()->to_string(),
            "struct<name: utf8, child: binary, v: list<item: int32>, w: float64, at: int64>");
  ASSERT_TRUE((*d)->append(bytes(wire)).ok());
  EXPECT_EQ((*d)->append(bytes(std::string("\xff\xff\xff", 3))).code(), StatusCode::kCorrupt);
  auto rows = (*d)->finish();
  ASSERT_TRUE(arrow::validate(*rows, true).ok());
  arrow::StructArray row(rows);
  EXPECT_EQ(arrow::StringArray(row.field("name")).value(0), "root");
  EXPECT_EQ(arrow::BinaryArray(row.field("child")).value(0), child->SerializeAsString());
  arrow::ListArray v(row.field("v"));
  EXPECT_EQ(arrow::PrimitiveArray<int32_t>(v.values()).value(1), -5);
  EXPECT_TRUE(row.field("w")->is_null(0));
  EXPECT_EQ(arrow::PrimitiveArray<int64_t>(row.field("at")).value(0), 2000000009);

  EXPECT_FALSE(make_decoder("t.Missing", "protobuf", bytes(fds), "protobuf").ok());
  EXPECT_FALSE(make_decoder("t.Node", "protobuf", bytes("garbage"), "protobuf").ok());
}

}  // namespace
