#include "reel/import/message_schema.hpp"

#include <gtest/gtest.h>

namespace {

using namespace reel;
using namespace reel::import;

const FieldDef& field(const MessageSchema& s, std::string_view type, std::string_view name) {
  const MessageType* t = s.find(type);
  EXPECT_NE(t, nullptr) << type;
  for (const auto& f : t->fields) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no field " << name;
  return t->fields.at(0);
}

TEST(Ros1MsgParser, ResolvesHeaderRelativeNamesAndConstants) {
  const char* text =
      "# comment line\n"
      "int32 ANSWER = 42   # a comment\n"
      "string NOTE=keep # this too\n"
      "Header header\n"
      "Point[] points  # relative to the package\n"
      "uint8[16] id\n"
      "time stamp\n"
      "duration span\n"
      "byte b\n"
      "char c\n"
      "================================================================================\n"
      "MSG: geometry_msgs/Point\n"
      "float64 x\n"
      "float64 y\n";
  auto s = parse_ros1msg("geometry_msgs/Thing", text);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->root_type().name, "geometry_msgs/Thing");
  ASSERT_EQ(s->root_type().constants.size(), 2u);
  EXPECT_EQ(s->root_type().constants[0].value, "42");
  EXPECT_EQ(s->root_type().constants[1].value, "keep # this too");  // string constants keep '#'
  const FieldDef& header = field(*s, "geometry_msgs/Thing", "header");
  EXPECT_EQ(s->types[size_t(header.type.message)].name, "std_msgs/Header");  // known built in
  EXPECT_EQ(field(*s, "std_msgs/Header", "stamp").type.scalar, ScalarType::kTime);
  const FieldDef& points = field(*s, "geometry_msgs/Thing", "points");
  EXPECT_EQ(points.type.array, ArrayKind::kUnbounded);
  EXPECT_EQ(s->types[size_t(points.type.message)].name, "geometry_msgs/Point");
  EXPECT_EQ(field(*s, "geometry_msgs/Thing", "id").type.array_size, 16u);
  EXPECT_EQ(field(*s, "geometry_msgs/Thing", "span").type.scalar, ScalarType::kDuration);
  EXPECT_EQ(field(*s, "geometry_msgs/Thing", "b").type.scalar, ScalarType::kInt8);
  EXPECT_EQ(field(*s, "geometry_msgs/Thing", "c").type.scalar, ScalarType::kUInt8);
}

TEST(Ros2MsgParser, DefaultsBoundsAndBuiltinTimes) {
  const char* text =
      "string<=8 name \"robot\"\n"
      "int32[<=4] small [1, 2]\n"
      "float64 RATE=2.5\n"
      "builtin_interfaces/Time stamp\n"
      "std_msgs/Header header\n";  // Header and Time known without their text
  auto s = parse_ros2msg("my_pkg/msg/Status", text);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->root_type().name, "my_pkg/msg/Status");
  const FieldDef& name = field(*s, "my_pkg/msg/Status", "name");
  EXPECT_EQ(name.type.string_bound, 8u);
  EXPECT_EQ(name.default_value, "robot");
  const FieldDef& small = field(*s, "my_pkg/msg/Status", "small");
  EXPECT_EQ(small.type.array, ArrayKind::kBounded);
  EXPECT_EQ(small.type.array_size, 4u);
  EXPECT_EQ(small.default_value, "[1, 2]");
  EXPECT_EQ(field(*s, "my_pkg/msg/Status", "stamp").type.scalar, ScalarType::kTime);
  EXPECT_EQ(field(*s, "std_msgs/msg/Header", "stamp").type.scalar, ScalarType::kTime);
  EXPECT_EQ(s->types.size(), 2u);  // the times are scalars, not types
}

TEST(RosMsgParser, ErrorsNameTheTypeAndLine) {
  auto a = parse_ros1msg("pkg/A", "int32 x\nuint33 y\n");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("uses type 'pkg/uint33'"), std::string::npos)
      << a.status().to_string();
  EXPECT_NE(a.status().message().find("line 2"), std::string::npos);
  auto b = parse_ros1msg("pkg/A", "int32[<=3] x\n");  // bounds are ROS 2 only
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("pkg/A line 1"), std::string::npos);
  auto c = parse_ros1msg("pkg/A", "B b\n=====\nMSG: pkg/B\nA a\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("contains itself"), std::string::npos);
  auto d = parse_ros2msg("pkg/A", "int32 x\n=====\nnot a header\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("MSG:"), std::string::npos);
  EXPECT_FALSE(parse_ros1msg("pkg/A", "int32\n").ok());
  EXPECT_FALSE(parse_ros2msg("pkg/A", "int32[0] x\n").ok());
}

TEST(Ros2IdlParser, RosidlOutput) {
  const char* text =
      "================================================================================\n"
      "IDL: pkg/msg/Reading\n"
      "#include \"pkg/msg/Part.idl\"\n"
      "module pkg {\n"
      "  module msg {\n"
      "    module Reading_Constants {\n"
      "      const uint8 MODE_IDLE = 0;\n"
      "      const string UNIT = \"celsius\";\n"
      "    };\n"
      "    typedef double double__9[9];\n"
      "    @verbatim (language=\"comment\", text=\n"
      "      \"A reading; with (parentheses).\")\n"
      "    struct Reading {\n"
      "      builtin_interfaces::msg::Time stamp;\n"
      "      @default (value=-1)\n"
      "      int8 mode;\n"
      "      double__9 covariance;\n"
      "      sequence<float, 16> samples;\n"
      "      sequence<pkg::msg::Part> parts;\n"
      "      string<32> label;\n"
      "      unsigned long long big, other;\n"
      "      uint16 codes[3];\n"
      "    };\n"
      "  };\n"
      "};\n"
      "================================================================================\n"
      "IDL: pkg/msg/Part\n"
      "module pkg { module msg { struct Part { boolean ok; octet raw; }; }; };\n";
  auto s = parse_ros2idl("pkg/msg/Reading", text);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const MessageType& r = s->root_type();
  EXPECT_EQ(r.name, "pkg/msg/Reading");
  ASSERT_EQ(r.constants.size(), 2u);
  EXPECT_EQ(r.constants[1].name, "UNIT");
  EXPECT_EQ(r.constants[1].value, "celsius");
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "stamp").type.scalar, ScalarType::kTime);
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "mode").default_value, "-1");
  const FieldDef& cov = field(*s, "pkg/msg/Reading", "covariance");
  EXPECT_EQ(cov.type.scalar, ScalarType::kFloat64);
  EXPECT_EQ(cov.type.array, ArrayKind::kFixed);
  EXPECT_EQ(cov.type.array_size, 9u);
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "samples").type.array, ArrayKind::kBounded);
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "label").type.string_bound, 32u);
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "other").type.scalar, ScalarType::kUInt64);
  EXPECT_EQ(field(*s, "pkg/msg/Reading", "codes").type.array_size, 3u);
  EXPECT_EQ(field(*s, "pkg/msg/Part", "raw").type.scalar, ScalarType::kUInt8);

  auto bad =
      parse_ros2idl("pkg/msg/A", "module pkg { module msg { struct A { double x[2][3]; }; }; };");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("arrays of arrays"), std::string::npos);
  EXPECT_FALSE(parse_ros2idl("pkg/msg/A", "module pkg { struct A { int32 x; };").ok());
}

}  // namespace
