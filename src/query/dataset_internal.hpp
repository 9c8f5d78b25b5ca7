// The shared state of a Dataset and the helpers its views and long tables use.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reel/query/dataset.hpp"

namespace reel::dataframe {

struct Dataset::State {
  struct Entry {
    RecordingSummary summary;
    std::shared_ptr<const ChunkStore> memory;  // a store given in memory (no file)
    bool summarized = false;
    bool failed = false;  // unreadable: reported, left out of every read
  };
  DatasetOptions options;
  std::vector<Entry> entries;  // fixed after open; summaries filled once under summarize_mutex

  std::mutex summarize_mutex;
  std::atomic<bool> all_summarized{false};

  std::mutex warnings_mutex;
  std::vector<std::string> warnings;

  std::atomic<int64_t> recordings_opened{0}, recordings_skipped{0}, chunks_loaded{0},
      rows_loaded{0};

  void warn(const std::string& message);
  // Entries to read (not failed), after summarize().
  std::vector<size_t> readable() const;
};

namespace internal {

// The one function that opens a recording file for a read: today the whole file is loaded
// into a store. A file whose reader reports corruption or truncation, or that fails, is an
// error naming it (the caller reports it and skips the file). `.rrd` files are detected by
// their first bytes and plug in here.
struct OpenedRecording {
  std::shared_ptr<const ChunkStore> store;
  int64_t chunks = 0;
  int64_t rows = 0;
  std::vector<std::string> notes;  // warnings that do not make the file unusable
};
Result<OpenedRecording> open_recording_file(const std::string& path,
                                            const ChunkStoreConfig& config);

// Where a recording's data is read: its store in memory, or its file loaded now.
Result<OpenedRecording> load_entry(const Dataset::State& state, const Dataset::State::Entry& entry);

// Utf8 array of `n` copies of `value`.
arrow::ArrayPtr repeated_string(const std::string& value, int64_t n);

}  // namespace internal
}  // namespace reel::dataframe
