// How every loader of store_io puts a decoded chunk into the store.
#pragma once

#include <string>
#include <vector>

#include "reel/store_io/store_io.hpp"

namespace reel::store_io_internal {

// Inserts `chunk` (read at `where`, e.g. "run.reel: chunk at byte 812") and counts it in
// `report`. A chunk the store refuses for a type conflict (a timeline whose type differs from
// the recording's, a component logged with two types) is left out and the rest loads: it is
// counted in report.refused_chunks and named in `refused`. Any other failure is returned with
// `where` as its context.
inline Status insert_or_refuse(ChunkStore& store, ChunkPtr chunk, const std::string& where,
                               LoadReport& report, std::vector<std::string>& refused) {
  const int64_t rows = chunk->num_rows();
  Status st = store.insert(std::move(chunk)).status();
  if (st.code() == StatusCode::kTypeError) {
    ++report.refused_chunks;
    refused.push_back(where + " not loaded: " + st.message());
    return Status::OK();
  }
  REEL_RETURN_NOT_OK(st.with_context(where));
  ++report.chunks;
  report.rows += rows;
  return Status::OK();
}

}  // namespace reel::store_io_internal
