// libFuzzer target: the .rrd stream decoder on arbitrary bytes.
//
// Drives what reading an .rrd nobody vouches for does: RRF2 framing, protobuf bodies, LZ4
// blocks, the End's RrdFooter and its manifests, the stream footer, concatenated streams, and
// resynchronisation after corruption; then each ArrowMsg payload through reel's Arrow IPC
// reader and the chunk mapping (rrd_chunk.hpp) both ways. Checks that decoding ends (a bounded
// number of calls), that messages come in increasing byte order, and that the push decoder fed in
// uneven pieces (sizes taken from the input) yields exactly what the whole-buffer reader yields.
// Built only with clang and -fsanitize=fuzzer (REEL_BUILD_FUZZ).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "reel/arrow/ipc.hpp"
#include "reel/format/grpc_web.hpp"
#include "reel/format/rrd.hpp"
#include "reel/format/rrd_chunk.hpp"

namespace {

using namespace reel;
using namespace reel::format::rrd;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "rrd_reader_fuzz: %s\n", what);
  std::abort();
}

struct Event {
  bool error = false;
  MessageKind kind = MessageKind::kEnd;
  uint64_t offset = 0;
  bool operator==(const Event&) const = default;
};

constexpr int kMaxCalls = 1 << 16;

void exercise(const Message& m) {
  if (m.kind == MessageKind::kArrowMsg) {
    if (!m.arrow.payload) fail("ArrowMsg without a payload buffer");
    arrow::ipc::StreamReader ipc({m.arrow.payload->data(), m.arrow.payload->size()},
                                 m.arrow.payload);
    if (ipc.schema().ok()) {
      for (int i = 0; i < 4; ++i) {
        auto batch = ipc.next();
        if (!batch.ok() || !*batch) break;
      }
    }
    // The chunk mapping on whatever decoded: Rerun's layouts converted to reel's, and the
    // chunk it gives converted back (both must stay within bounds and end).
    Warnings warnings;
    auto chunk = decode_rerun_chunk(m.arrow, &warnings);
    if (chunk.ok()) {
      auto again = encode_rerun_chunk(**chunk, &warnings);
      if (!again.ok()) fail("a decoded chunk does not encode again");
    }
  }
  if (m.kind == MessageKind::kEnd) {
    for (const auto& manifest : m.manifests) (void)rrd_manifest_chunk_offsets(manifest);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DecoderOptions options;
  options.max_message_bytes = 64u << 20;  // as a server facing untrusted peers would set it

  std::vector<Event> whole;
  {
    auto reader =
        RrdReader::from_bytes(std::vector<uint8_t>(data, data + size), "fuzz.rrd", options);
    uint64_t last = 0;
    int calls = 0;
    while (true) {
      if (++calls > kMaxCalls) fail("RrdReader does not end");
      auto m = reader->next();
      if (!m.ok()) {
        whole.push_back({true, MessageKind::kEnd, 0});
        if (reader->at_end()) break;
        continue;
      }
      if (!*m) break;
      if (!whole.empty() && (*m)->offset <= last) fail("messages out of byte order");
      last = (*m)->offset;
      if ((*m)->offset + kMessageHeaderBytes + (*m)->body_bytes > size)
        fail("message past the end");
      whole.push_back({false, (*m)->kind, (*m)->offset});
      exercise(**m);
      // The gRPC proxy relays these bodies; wrapping them must hold for any decoded message.
      if ((*m)->kind != MessageKind::kEnd) {
        std::vector<uint8_t> frame;
        const uint8_t* body = data + (*m)->offset + kMessageHeaderBytes;
        if (!format::grpc_web::append_read_messages_response((*m)->kind, {body, (*m)->body_bytes},
                                                             frame)
                 .ok()) {
          fail("a decoded body does not wrap as a ReadMessagesResponse");
        }
      }
    }
  }

  // The same bytes pushed in pieces whose sizes come from the bytes themselves, without the
  // total size known up front.
  std::vector<Event> pushed;
  {
    RrdDecoder decoder("fuzz.rrd", options);
    size_t at = 0;
    int calls = 0;
    while (true) {
      if (++calls > kMaxCalls) fail("RrdDecoder does not end");
      auto m = decoder.next();
      if (!m.ok()) {
        pushed.push_back({true, MessageKind::kEnd, 0});
        if (decoder.at_end()) break;
        continue;
      }
      if (*m) {
        pushed.push_back({false, (*m)->kind, (*m)->offset});
        continue;
      }
      if (decoder.at_end()) break;
      if (at == size) {
        decoder.finish();
        continue;
      }
      const size_t piece = std::min(size - at, size_t(1) + (data[at] % 64) * (data[at] % 7));
      decoder.push({data + at, piece});
      at += piece;
    }
  }
  if (!(pushed == whole)) {
    // Both event lists, to reproduce by hand.
    for (const auto* events : {&whole, &pushed}) {
      std::fprintf(stderr, events == &whole ? "whole:" : "pushed:");
      for (const auto& e : *events) {
        if (e.error) {
          std::fprintf(stderr, " error");
        } else {
          std::fprintf(stderr, " %s@%llu", message_kind_name(e.kind), (unsigned long long)e.offset);
        }
      }
      std::fprintf(stderr, "\n");
    }
    fail("pushing in pieces decodes differently from the whole buffer");
  }
  return 0;
}
