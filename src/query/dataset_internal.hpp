// The shared state of a Dataset and the helpers its views and long tables use.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reel/query/dataset.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::dataframe {

namespace internal {

// Element types by their text (arrow::DataType::to_string(), as footers name them), decoded
// once per dataset. Thread-safe.
class TypeTexts {
 public:
  arrow::TypePtr find(const std::string& text) const {
    std::lock_guard lock(mutex_);
    auto it = types_.find(text);
    return it == types_.end() ? nullptr : it->second;
  }
  void add(const std::string& text, arrow::TypePtr type) {
    std::lock_guard lock(mutex_);
    types_.emplace(text, std::move(type));
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, arrow::TypePtr> types_;
};

}  // namespace internal

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
  internal::TypeTexts type_texts;  // for summaries from footers
  std::atomic<bool> all_summarized{false};

  std::mutex warnings_mutex;
  std::vector<std::string> warnings;

  std::atomic<int64_t> recordings_opened{0}, recordings_streamed{0}, recordings_skipped{0},
      chunks_loaded{0}, rows_loaded{0};
  std::atomic<uint64_t> bytes_read{0};

  void warn(const std::string& message);
  // Entries to read (not failed), after summarize().
  std::vector<size_t> readable() const;
};

namespace internal {

// The one function that loads a recording file whole for a read (.reel or Rerun's .rrd, which
// the reader tells apart by their first bytes; blueprints left out). A file whose reader
// reports corruption or truncation, or that fails, is an error naming it (the caller reports
// it and skips the file). `keep`, if given, chooses the chunks to load (a view's entities).
struct OpenedRecording {
  std::shared_ptr<const ChunkStore> store;
  std::optional<View> view;  // a streamed view of the file instead of a store
  uint64_t file_bytes = 0;   // a loaded file's size
  int64_t chunks = 0;
  int64_t rows = 0;
  std::vector<std::string> notes;  // warnings that do not make the file unusable
  size_t warnings_reported = 0;    // of view->warnings(): the first ones, among `notes`
};
Result<OpenedRecording> open_recording_file(const std::string& path, const ChunkStoreConfig& config,
                                            const std::function<bool(const Chunk&)>& keep = {});

// Where a recording's data is read: its store in memory, or its file loaded now.
Result<OpenedRecording> load_entry(const Dataset::State& state, const Dataset::State::Entry& entry);
// As load_entry, but of a file only the chunks `selection` needs (load_selected: from the
// footer when there is one). A damaged chunk is left out with a note, the rest loads.
Result<OpenedRecording> load_entry_selected(const Dataset::State& state,
                                            const Dataset::State::Entry& entry,
                                            const ChunkSelection& selection);

// Opens a recording for a read, on one of the cursor's threads: load_entry, or a streamed
// view (OpenedRecording::view), or neither (the recording has nothing for the read).
using RecordingOpener =
    std::function<Result<OpenedRecording>(const Dataset::State&, const Dataset::State::Entry&)>;
// Dataset::open_recordings with another opener than load_entry.
std::unique_ptr<RecordingCursor> open_recordings(std::shared_ptr<Dataset::State> state,
                                                 std::vector<size_t> which, RecordingOpener opener);

// Utf8 array of `n` copies of `value`.
arrow::ArrayPtr repeated_string(const std::string& value, int64_t n);

}  // namespace internal
}  // namespace reel::dataframe
