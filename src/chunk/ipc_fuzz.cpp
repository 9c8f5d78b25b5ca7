// libFuzzer target: the Arrow IPC stream reader on arbitrary bytes.
//
// Reads the schema and every record batch (failing on fields of types reel does not
// represent, then again passing over them), then uses what the reader accepted the way reel
// does: prints every value, writes the batch again and reads it back (it must be equal), and
// turns it into a chunk when its metadata says it is one. The reader promises that an array
// it returns is valid; anything that trips a sanitizer after that promise is a reader bug.
//
// The input is copied at an offset of 0..7 bytes (from its length), so both the zero-copy
// path for aligned buffers and the copying path for misaligned ones are fuzzed. Built only
// with clang and -fsanitize=fuzzer (REEL_BUILD_FUZZ).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "reel/arrow/array.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/chunk/chunk_arrow.hpp"

namespace {

using namespace reel;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ipc_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_batch(const arrow::RecordBatch& batch) {
  for (const auto& column : batch.columns) (void)arrow::array_to_string(*column, 4096);
  std::vector<uint8_t> again;
  Status st = arrow::ipc::write_stream(batch, again);
  if (!st.ok()) fail("an accepted batch does not write", st.to_string());
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(again));
  auto back = arrow::ipc::read_stream(*owner, owner);
  if (!back.ok()) fail("a rewritten batch does not read", back.status().to_string());
  if (back->num_rows != batch.num_rows || back->columns.size() != batch.columns.size()) {
    fail("a rewritten batch changed shape", "");
  }
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    if (!arrow::array_equals(batch.columns[i], back->columns[i])) {
      fail("a rewritten batch changed values", batch.schema->fields[i]->name);
    }
  }
  // Chunk payloads: the reader's output feeds chunk decoding, which must not trust it blindly.
  if (auto chunk = chunk_from_record_batch(batch); chunk.ok()) {
    for (const auto& c : (*chunk)->components()) (void)(*chunk)->densified(c.descriptor);
    (void)(*chunk)->copy_buffers();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t shift = size % 8;
  auto owner = std::make_shared<std::vector<uint8_t>>(size + shift);
  if (size) std::memcpy(owner->data() + shift, data, size);
  std::span<const uint8_t> bytes(owner->data() + shift, size);
  // Both ways: failing on a type reel does not represent, and passing over such fields.
  for (bool skip : {false, true}) {
    arrow::ipc::StreamReader reader(bytes, owner,
                                    arrow::ipc::ReadOptions{.skip_unsupported_fields = skip});
    if (!reader.schema().ok()) continue;  // passing over fields, it may read
    for (int batches = 0; batches < 64; ++batches) {
      auto batch = reader.next();
      if (!batch.ok() || !*batch) break;
      check_batch(**batch);
    }
    break;  // the schema read without skipping: skipping would read the same
  }
  return 0;
}
