// libFuzzer target: decoded messages through the archetype mapping (topic_mapper, mappers).
//
// Input as cdr_fuzz's: [kind u8][schema length u16 LE][schema name NUL schema text][message].
// The message and a few prefixes of it are decoded into one batch, which is mapped as its
// schema name says (sensor_msgs/msg/PointCloud2, visualization_msgs/msg/MarkerArray, ...);
// every chunk made must be valid (Chunk::make checks it) and nothing may crash whatever the
// decoded values claim (point steps, image sizes, list lengths). Seeds: cdr_fuzz's.
#include <string_view>

#include "import/topic_mapper_internal.hpp"
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
  auto decoder = kind == 2 ? make_ros1_decoder(std::move(parsed).value())
                           : make_cdr_decoder(std::move(parsed).value());
  if (!decoder.ok()) return 0;
  reel::import::internal::TopicMapper mapper("fuzz.mcap", "/fuzz", std::string(name),
                                             std::move(*decoder), true, DecoderOptions{});
  std::vector<std::string> warnings;
  int64_t t = 0;
  mapper.append(message, t, t, 0, warnings);
  ++t;
  for (size_t cut : {message.size() / 2, message.size() * 3 / 4}) {
    if (cut < message.size()) mapper.append(message.first(cut), t, t, 0, warnings);
    ++t;
  }
  uint64_t chunks = 0;
  (void)mapper.flush([](ChunkPtr) { return Status::OK(); }, warnings, &chunks);
  return 0;
}
