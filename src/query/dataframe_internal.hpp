// Internals of dataframe views and their reader, shared by the query module's files (and
// its tests).
#pragma once

#include <cstdint>
#include <string>

#include "reel/query/dataframe.hpp"

namespace reel::dataframe::internal {

// "/entity/path:Archetype:field", the name of an entity's component column.
std::string column_name(const EntityPath& entity, const ComponentDescriptor& d);
// The column of `entity`'s component `d` whose instances have type `element`.
ColumnDescription describe(const ChunkStore& store, const EntityPath& entity,
                           const ComponentDescriptor& d, const arrow::TypePtr& element);

// Times in CSV, JSON and text tables (write_table): an Arrow timestamp as ISO 8601 with
// exactly nine fractional digits, "2023-11-14T22:13:20.000000001Z" ("Z" when the type has
// a time zone: the instant in UTC; none for a zoneless, wall-clock timestamp); a duration as
// decimal seconds with exactly nine fractional digits, "-1.500000000". Exact in every unit.
std::string timestamp_text(int64_t value, arrow::TimeUnit unit, bool utc);
std::string seconds_text(int64_t value, arrow::TimeUnit unit);

// What a reader made by View::read() opened while reading: evidence that it walks chunks
// lazily instead of copying them.
struct ReaderStats {
  int64_t chunks_opened = 0;    // chunk cursors created (chunks with rows in the window)
  int64_t max_open_chunks = 0;  // most cursors open at once on one column (1 unless chunks
                                // overlap in time on the index timeline)
  int64_t sorted_rows = 0;      // rows of chunks unsorted on the index timeline that were
                                // given a row order
  int64_t max_order_rows = 0;   // the largest such row order (rows of one chunk)
  int64_t block_rows = 0;       // index values read in blocks (every column's rows at once)
};

// The statistics of a reader returned by View::read(); null for any other reader.
const ReaderStats* reader_stats(const RecordBatchReader& reader);

}  // namespace reel::dataframe::internal
