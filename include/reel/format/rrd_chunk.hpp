// reel chunks <-> the Arrow IPC payloads of Rerun's ArrowMsg (Rerun's "sorbet" chunk schema).
//
// docs/rrd-format.md lists the metadata. A chunk's record batch has the row id column
// (rerun.controls.RowId), one index column per timeline (int64 sequences, duration(ns),
// timestamp(ns)) and one list column per component named `Archetype:field`, with
// rerun:archetype, rerun:component and rerun:component_type. Archetypes, fields and component
// types map through the archetype table (reel.* <-> rerun.*), converting the layouts that
// differ (blobs, image formats, tensors, annotation contexts, marker shapes, line strips).
// Components reel does not know keep Rerun's names and data, and map back unchanged; a
// reel archetype Rerun does not have is written as `reel.archetypes.<Name>`.
//
// Thread-safe: the functions share no state.
#pragma once

#include <string>
#include <vector>

#include "reel/arrow/record_batch.hpp"
#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format::rrd {

// Non-fatal findings of a conversion (a column kept in Rerun's layout, dropped, ...), each
// naming the entity and column.
using Warnings = std::vector<std::string>;

Result<arrow::RecordBatch> chunk_to_rerun_batch(const Chunk& chunk, Warnings* warnings = nullptr);
Result<ChunkPtr> chunk_from_rerun_batch(const arrow::RecordBatch& batch,
                                        Warnings* warnings = nullptr);

// The whole payload: an Arrow IPC stream of chunk_to_rerun_batch.
Result<std::vector<uint8_t>> encode_rerun_chunk(const Chunk& chunk, Warnings* warnings = nullptr);
// An ArrowMsg's chunk (its payload decompressed by the decoder). Columns of types reel does not
// represent are left out, the rest of the chunk kept: listed in `dropped`, or without it
// given as warnings.
Result<ChunkPtr> decode_rerun_chunk(const ArrowMsg& msg, Warnings* warnings = nullptr,
                                    std::vector<DroppedColumn>* dropped = nullptr);

// The SetStoreInfo reel writes for `info` (.rrd files and the gRPC proxy alike): its store
// id, source reel, Rerun version 0.33.0, and a row id whose time is the recording's start
// when known.
SetStoreInfo to_set_store_info(const StoreInfo& info);

inline Tuid to_tuid(const RowId& id) { return {id.time_ns, id.inc}; }
inline RowId from_tuid(const Tuid& t) { return {t.time_ns, t.inc}; }

}  // namespace reel::format::rrd
