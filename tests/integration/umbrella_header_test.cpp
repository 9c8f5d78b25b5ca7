// `#include <reel/reel.hpp>` gives a logging program the SDK, archetypes, the store and
// archetype queries, not the file-format API (reel/format/recording_file.hpp, which sinks
// reach through factories): this file includes nothing else from reel.
#include <reel/reel.hpp>

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

namespace reel::format {
// The worst overload there is: picked only when recording_file.hpp's
// `read_footer(const std::string&)` was not declared.
struct NotDeclared {};
NotDeclared read_footer(...);
}  // namespace reel::format

namespace reel {
namespace {

TEST(UmbrellaHeaderTest, DoesNotIncludeTheFileFormatApi) {
  constexpr bool file_format_api_absent =
      std::is_same_v<decltype(format::read_footer(std::string())), format::NotDeclared>;
  EXPECT_TRUE(file_format_api_absent) << "reel/reel.hpp includes reel/format/recording_file.hpp";
}

// What the sinks' options need of the format module is there.
TEST(UmbrellaHeaderTest, SinkOptionsNameTheirCompression) {
  TcpSinkOptions tcp;
  FileSinkOptions file;
  EXPECT_STREQ(format::compression_name(tcp.compression), "lz4");
  EXPECT_STREQ(format::compression_name(file.compression), "lz4");
}

}  // namespace
}  // namespace reel
