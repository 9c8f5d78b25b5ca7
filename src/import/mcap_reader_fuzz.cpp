// libFuzzer target: the MCAP reader on arbitrary bytes, and the decoders of what it yields.
//
// Reads every record (with CRC checks on, then off, so that mutations also reach the chunk
// decompressors and the records inside chunks), makes a decoder for each channel from its
// schema (ros2msg / ros2idl / ros1msg / protobuf / jsonschema) and decodes every message into
// Arrow batches, which must validate. Built only with clang and -fsanitize=fuzzer
// (REEL_BUILD_FUZZ); seeds come from tests/import/write_fuzz_seeds.sh.
#include <map>

#include "import/fuzz_util_internal.hpp"
#include "reel/import/mcap_reader.hpp"

namespace {

using namespace reel;
using namespace reel::import;

void run(const uint8_t* data, size_t size, bool check_crcs) {
  McapReaderOptions options;
  options.max_record_bytes = 16u << 20;
  options.check_crcs = check_crcs;
  auto reader = McapReader::open(memory_source({data, size}, "fuzz.mcap"), options);
  if (!reader.ok()) return;
  std::map<uint16_t, std::unique_ptr<MessageDecoder>> decoders;
  std::map<uint16_t, bool> tried;
  McapEvent ev;
  for (int records = 0; records < 4096; ++records) {
    auto more = (*reader)->next(&ev);
    if (!more.ok() || !*more) break;
    if (ev.kind != McapEventKind::kMessage) continue;
    const McapMessage& m = ev.message;
    if (m.data.data() < m.buffer->data() ||
        m.data.data() + m.data.size() > m.buffer->data() + m.buffer->size()) {
      reel::import::internal::fuzz_fail("mcap_reader_fuzz", "message data outside its buffer",
                                        m.channel->topic);
    }
    if (!m.schema) continue;
    if (!tried[m.channel->id]) {
      tried[m.channel->id] = true;
      auto d = make_decoder(m.schema->name, m.schema->encoding, m.schema->data,
                            m.channel->message_encoding);
      if (d.ok()) decoders[m.channel->id] = std::move(d).value();
    }
    auto it = decoders.find(m.channel->id);
    if (it != decoders.end())
      reel::import::internal::fuzz_decode("mcap_reader_fuzz", *it->second, m.data);
  }
  for (auto& [id, d] : decoders) reel::import::internal::fuzz_finish("mcap_reader_fuzz", *d);
  (void)(*reader)->statistics();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run(data, size, true);
  run(data, size, false);
  return 0;
}
