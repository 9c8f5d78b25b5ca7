// libFuzzer target: a message schema and message bytes, decoded from the schema.
//
// Input: [kind u8][schema length u16 LE][schema name NUL schema text][message bytes...]. kind
// % 3 picks the schema language and encoding: ros2msg + CDR, ros2idl + CDR, ros1msg + ROS 1.
// The message bytes are decoded whole, then as a few prefixes (messages cut short), and each
// batch must validate. Built only with clang and -fsanitize=fuzzer (REEL_BUILD_FUZZ); seeds
// (every channel's first message of the test files) come from tests/import/write_fuzz_seeds.sh.
#include <cstring>
#include <string_view>

#include "import/fuzz_util_internal.hpp"
#include "reel/import/message_schema.hpp"

using namespace reel;
using namespace reel::import;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const int kind = data[0] % 3;
  const size_t schema_len = std::min<size_t>(size - 3, size_t(data[1]) | (size_t(data[2]) << 8));
  const std::string_view schema(reinterpret_cast<const char*>(data + 3), schema_len);
  const std::span<const uint8_t> message(data + 3 + schema_len, size - 3 - schema_len);
  const size_t nul = schema.find('\0');
  const std::string_view name =
      nul == std::string_view::npos ? "fuzz/msg/Fuzz" : schema.substr(0, nul);
  const std::string_view text = nul == std::string_view::npos ? schema : schema.substr(nul + 1);
  Result<MessageSchema> parsed = kind == 0   ? parse_ros2msg(name, text)
                                 : kind == 1 ? parse_ros2idl(name, text)
                                             : parse_ros1msg(name, text);
  if (!parsed.ok()) return 0;
  (void)parsed->to_string();
  auto decoder = kind == 2 ? make_ros1_decoder(std::move(parsed).value())
                           : make_cdr_decoder(std::move(parsed).value());
  if (!decoder.ok()) return 0;
  reel::import::internal::fuzz_decode("cdr_fuzz", **decoder, message);
  for (size_t cut : {message.size() / 2, message.size() * 3 / 4, size_t(7)}) {
    if (cut < message.size())
      reel::import::internal::fuzz_decode("cdr_fuzz", **decoder, message.first(cut));
  }
  reel::import::internal::fuzz_finish("cdr_fuzz", **decoder);
  return 0;
}
