// A recording file's table of contents, and reads of single chunks through it.
//
// A cleanly closed version 2 file carries its index in the footer: index_recording() reads
// that (a few hundred bytes per chunk) and no chunk at all. Version 1 files, files without a
// footer (a killed writer) and stdin are indexed by one streaming pass that decodes one chunk
// at a time and keeps only its description. ChunkFileReader then reads the chunks a query
// needs, each with one pread, so a narrow query over a large file touches only its chunks.
//
// Thread safety: a RecordingIndex is a value. ChunkFileReader::read_chunk may be called from
// several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reel/format/recording_file.hpp"

namespace reel::format {

struct RecordingIndex {
  std::string path;
  uint16_t version = 0;                // the file header's format version
  bool from_footer = false;            // read from a version 2 footer; else from a streaming pass
  uint64_t file_bytes = 0;             // bytes in the input (read, for stdin)
  std::vector<FooterStoreInfo> infos;  // in file order
  std::vector<FooterEntry> chunks;     // in file order; every entry complete
  // Offsets are from the start of the input. A streaming pass over concatenated recordings
  // (`cat a.reel b.reel`) lists all of them; `stream` says which recording each chunk is in.
  std::vector<uint32_t> chunk_streams;
  // Per chunk: it belongs to a blueprint store (Rerun's view layout), which queries skip.
  std::vector<bool> chunk_blueprint;
  std::vector<std::string> warnings;  // truncation, damage, an unusable footer
};

struct IndexOptions {
  // false: always index by a streaming pass (tests; `reel verify` checks the footer so).
  bool use_footer = true;
  // true: only a usable footer is read; without one the index is left empty (from_footer
  // false) for the caller to stream the file itself.
  bool footer_only = false;
  // Called during a streaming pass with (bytes read, total bytes or 0).
  std::function<void(uint64_t, uint64_t)> progress;
  ReaderOptions reader;
};

// Indexes `path` ("-": stdin). On an error (a corrupt header, an I/O error), `index` holds
// what was found before it, warnings included.
Status index_recording(const std::string& path, RecordingIndex& index, IndexOptions options = {});

// Reads chunk messages at known offsets of a file. The file may be replaced or cut while it
// is read: a message that is no longer whole is an error naming the file and byte offset
// ("... was truncated while being read"), never a crash or a partial chunk.
class ChunkFileReader {
 public:
  static Result<std::unique_ptr<ChunkFileReader>> open(const std::string& path,
                                                       ReaderOptions options = {});
  ~ChunkFileReader();

  // Reads, checks (kind, CRC) and decodes the chunk message at `offset`. A damaged message is
  // an error for which is_damage() holds; a short read (the file was cut) is an IOError.
  Result<ChunkPtr> read_chunk(uint64_t offset) const;

  // Chunk messages read so far, and their bytes (headers included).
  uint64_t chunks_read() const { return chunks_read_.load(); }
  uint64_t bytes_read() const { return bytes_read_.load(); }
  const std::string& name() const { return name_; }

 private:
  ChunkFileReader(int fd, std::string name, ReaderOptions options)
      : fd_(fd), name_(std::move(name)), options_(options) {}
  int fd_;
  std::string name_;
  ReaderOptions options_;
  mutable std::atomic<uint64_t> chunks_read_{0}, bytes_read_{0};
};

}  // namespace reel::format
