// A chunk as an Arrow record batch (docs/chunk-arrow-layout.md), both ways.
#pragma once

#include "reel/arrow/record_batch.hpp"
#include "reel/chunk/chunk.hpp"

namespace reel {

// Materializes compact encodings (row id runs, unit lists) into the standard layout.
Result<arrow::RecordBatch> chunk_to_record_batch(const Chunk& chunk);
// Checks the metadata and column roles; errors name the column and what is wrong.
Result<ChunkPtr> chunk_from_record_batch(const arrow::RecordBatch& batch);

}  // namespace reel
