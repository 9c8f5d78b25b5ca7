// libFuzzer target: the .reel streaming decoder on arbitrary bytes.
//
// Drives what `reel view`/`load_file` do with a file nobody vouches for: framing, CRC,
// LZ4/zstd decompression, the Arrow IPC chunk payload, chunk invariants, then insertion into a
// ChunkStore (compaction on) and queries over what was inserted; and the same bytes through
// load_into_store, whose decodes run on a thread pool. A chunk the decoder accepts
// must be safe for the store, the query engine and the encoder: a crash anywhere here is a
// decoder bug (it let an inconsistent chunk through).
//
// The harness rewrites every complete message's CRC-32C before decoding, so mutations reach
// the payload decoders instead of dying at the checksum (CRC mismatches are covered by
// recording_file_test.cpp). Built only with clang and -fsanitize=fuzzer (REEL_BUILD_FUZZ).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "format/codec_internal.hpp"
#include "format/crc32c.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/store_io/store_io.hpp"

namespace {

using namespace reel;
using namespace reel::format;

// Recomputes the checksum of each complete message, walking the framing as the reader does.
void fix_checksums(std::vector<uint8_t>& bytes) {
  size_t at = kFileHeaderBytes;
  while (at + kMessageHeaderBytes <= bytes.size()) {
    uint8_t* h = bytes.data() + at;
    const uint64_t stored = format::internal::get_u64(h + 16);
    if (stored > bytes.size() - at - kMessageHeaderBytes) return;
    format::internal::put_u32(h + 4, crc32c(h + kMessageHeaderBytes, size_t(stored)));
    at += kMessageHeaderBytes + size_t(stored);
  }
}

[[noreturn]] void fail(const char* what, const Status& st) {
  std::fprintf(stderr, "recording_reader_fuzz: %s: %s\n", what, st.to_string().c_str());
  std::abort();
}

// Every decoded chunk must encode again (plain, and as a version 3 payload compressed per
// buffer) and decode to the same rows.
void check_reencodes(const Chunk& chunk) {
  for (int v3 = 0; v3 < 2; ++v3) {
    auto payload =
        v3 ? encode_chunk_payload(chunk, Compression::kLz4, 3) : encode_chunk_payload(chunk);
    if (!payload.ok()) fail("a decoded chunk does not encode", payload.status());
    auto owner = std::make_shared<std::vector<uint8_t>>(std::move(*payload));
    auto back = decode_chunk_payload(*owner, owner);
    if (!back.ok()) fail("a re-encoded chunk does not decode", back.status());
    if ((*back)->num_rows() != chunk.num_rows()) fail("re-encoded chunk rows", Status::OK());
  }
}

void query_everything(const std::shared_ptr<ChunkStore>& store) {
  const auto timelines = store->timelines();
  for (const auto& entity : store->entities()) {
    for (const auto& [component, type] : store->components(entity)) {
      (void)store->latest_static(entity, component);
      for (const auto& timeline : timelines) {
        const TimeRange r = store->time_range(timeline.name(), entity);
        for (TimeInt t : {r.min, r.max, kTimeMax}) {
          if (auto hit = store->latest_at({timeline.name(), t}, entity, component)) {
            (void)hit->instances(component);
          }
        }
        auto range = store->range({timeline.name(), {kTimeMin, kTimeMax}}, entity, component);
        for (const auto& c : range.chunks) (void)c->densified(component);
      }
    }
  }
  // A dataframe over the first timeline touches every cell through the query engine.
  if (!timelines.empty()) {
    auto view = dataframe::View::create(store, timelines.front().name(), "/**");
    if (view.ok()) (void)view->fill_latest_at().with_batch_rows(256).read_all();
  }
  (void)store->stats();
  (void)store->component_stats();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  fix_checksums(bytes);
  ReaderOptions options;
  options.max_message_bytes = 64u << 20;  // as a server facing untrusted peers would set it
  {
    // The file-load path: decodes run ahead on two threads, inserts follow in stream order.
    auto reader = RecordingReader::from_bytes(bytes, "fuzz.reel", options);
    ChunkStore store;
    (void)load_into_store(*reader, store, 2);
  }
  auto reader = RecordingReader::from_bytes(std::move(bytes), "fuzz.reel", options);
  ChunkStoreConfig config;
  config.chunk_max_rows = 64;  // small: fuzzed chunks compact with each other
  auto store = std::make_shared<ChunkStore>(config);
  for (int messages = 0; messages < 256; ++messages) {
    auto m = reader->next();
    if (!m.ok() || !*m) break;
    if ((*m)->kind != MessageKind::kChunk || !(*m)->chunk) continue;
    const ChunkPtr& chunk = (*m)->chunk;
    check_reencodes(*chunk);
    for (const auto& tc : chunk->timelines()) (void)chunk->sorted_by_timeline(tc.name());
    (void)chunk->sorted_by_row_id();
    (void)store->insert(chunk);
  }
  query_everything(store);
  return 0;
}
