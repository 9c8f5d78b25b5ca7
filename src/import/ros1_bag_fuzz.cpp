// libFuzzer target: the ROS 1 bag reader on arbitrary bytes, and the ROS 1 decoder of every
// message it yields (schemas from the connection records' message definitions); batches must
// validate. Built only with clang and -fsanitize=fuzzer (REEL_BUILD_FUZZ); seeds are the bags
// python3-rosbag writes for the tests (tests/import/write_fuzz_seeds.sh).
#include <map>

#include "import/fuzz_util_internal.hpp"
#include "reel/import/message_schema.hpp"
#include "reel/import/ros1_bag_reader.hpp"

using namespace reel;
using namespace reel::import;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Ros1BagReaderOptions options;
  options.max_record_bytes = 16u << 20;
  auto reader = Ros1BagReader::open(memory_source({data, size}, "fuzz.bag"), options);
  if (!reader.ok()) return 0;
  std::map<uint32_t, std::unique_ptr<MessageDecoder>> decoders;
  std::map<uint32_t, bool> tried;
  Ros1Event ev;
  for (int records = 0; records < 4096; ++records) {
    auto more = (*reader)->next(&ev);
    if (!more.ok() || !*more) break;
    if (ev.kind != Ros1EventKind::kMessage) continue;
    const Ros1Message& m = ev.message;
    const uint32_t id = m.connection->id;
    if (!tried[id]) {
      tried[id] = true;
      auto schema = parse_ros1msg(m.connection->type, m.connection->message_definition);
      if (schema.ok()) {
        auto d = make_ros1_decoder(std::move(schema).value());
        if (d.ok()) decoders[id] = std::move(d).value();
      }
    }
    auto it = decoders.find(id);
    if (it != decoders.end())
      reel::import::internal::fuzz_decode("ros1_bag_fuzz", *it->second, m.data);
  }
  for (auto& [id, d] : decoders) reel::import::internal::fuzz_finish("ros1_bag_fuzz", *d);
  return 0;
}
