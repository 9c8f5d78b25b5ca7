// Importing robot logs (MCAP, ROS 1 bags) and common files (images, point clouds, meshes,
// text) as reel recordings: chunks of the same archetypes the SDK logs.
//
// Robot logs: one entity per topic (the topic name is the entity path), timelines log_time and
// publish_time (timestamps; a bag has only log_time, its record time) and, where the message
// has a header stamp (Foxglove: `timestamp`), ros_time. A message's header.frame_id
// (Foxglove: frame_id) is its entity's CoordinateFrame; /tf and /tf_static become
// Transform3D rows with parent_frame and child_frame. docs/import.md lists how each message
// type maps; any other message becomes one struct column named after its schema
// (`custom_msgs.msg.Kitchen:message`), never dropped.
//
// Importing streams: messages are decoded in batches per topic and each batch becomes chunks
// at once, so memory is bounded by the batch size (DecoderOptions) times the topics. Bad input
// is a warning (naming the file, topic, schema and byte offset) and the rest is imported;
// errors are only for files that cannot be read at all.
//
// Thread safety: the functions may run on several threads for different files; a callback is
// called on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/import/import_report.hpp"
#include "reel/import/message_decoder.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::import {

struct ImportOptions {
  // Which topics to import: entity path filter rules over the topic names, later rules win
  // ("/camera/** -/camera/debug/**"). Empty: every topic.
  std::string topics;
  // Rows per chunk at most, and bytes of messages per chunk: the decoders' batches.
  DecoderOptions batch;
};

// Which importer reads a file, from its first bytes (never its extension), or for the text
// and mesh formats without a magic number (.txt, .md, .obj, .stl), its extension.
enum class ImportFormat : uint8_t {
  kNone = 0,  // not something the importer reads (a .reel or .rrd recording, or unknown)
  kMcap,
  kRosBag,
  kImage,       // PNG, JPEG -> EncodedImage
  kPointCloud,  // PLY -> Points3D
  kMesh,        // OBJ, STL, GLB/glTF -> Asset3D
  kText,        // .txt, .md -> TextDocument
  kDirectory,   // every importable file below it
};
const char* import_format_name(ImportFormat format);
Result<ImportFormat> detect_import_format(const std::string& path);

using ChunkCallback = std::function<Status(ChunkPtr)>;

// Imports one file (or directory) and hands every chunk to `on_chunk` as it is made; an error
// from the callback stops the import and is returned. The recording id comes from the file's
// content (size and first and last MiB), so importing the same file again gives the same id.
Result<ImportReport> import_file(const std::string& path, const ChunkCallback& on_chunk,
                                 const ImportOptions& options = {});

// Imports into a store (ChunkStore::insert, as live data) and sets its StoreInfo.
Result<ImportReport> import_into_store(const std::string& path, ChunkStore& store,
                                       const ImportOptions& options = {});

// What every loader of files uses: a .reel or .rrd recording through store_io's load_file,
// anything the importer reads through import_into_store (its warnings in the report).
Result<LoadReport> load_any_file(const std::string& path, ChunkStore& store,
                                 const ImportOptions& options = {});

}  // namespace reel::import
