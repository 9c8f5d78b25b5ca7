// RecordingStream::try_log_file_from_path: the importer's chunks sent as columns.
#include "reel/sdk/recording_stream.hpp"

#include "reel/import/importer.hpp"

namespace reel {

Result<import::ImportReport> RecordingStream::try_log_file_from_path(
    const std::string& path, std::string_view entity_path_prefix, bool is_static) {
  const EntityPath prefix(entity_path_prefix);
  return import::import_file(path, [&](ChunkPtr chunk) -> Status {
    std::vector<std::string> parts = prefix.parts();
    for (const auto& p : chunk->entity_path().parts()) parts.push_back(p);
    std::vector<TimeColumn> times;
    if (!is_static) times = chunk->timelines();
    return try_send_columns(EntityPath(std::move(parts)).str(), std::move(times),
                            chunk->components());
  });
}

}  // namespace reel
