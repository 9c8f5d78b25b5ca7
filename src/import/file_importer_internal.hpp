// Plain files as recordings: images (EncodedImage), PLY point clouds (Points3D), meshes
// (Asset3D), text (TextDocument), and directories of these. Each file is one static row on
// the entity named after the file (`/photo.png`; in a directory its relative path).
#pragma once

#include <string>

#include "reel/import/importer.hpp"

namespace reel::import::internal {

// kImage, kPointCloud, kMesh, kText from the magic bytes or the extension; kNone otherwise.
Result<ImportFormat> detect_plain_file(const std::string& path);

Status import_plain(const std::string& path, ImportFormat format, const ChunkCallback& on_chunk,
                    ImportReport& report);

// A directory's recording id: from the names, sizes and content ids of what it holds.
std::string directory_id(const std::string& path);

// The PLY vertices of `bytes` (ascii, binary_little_endian or binary_big_endian 1.0) as
// Points3D positions, colors (red/green/blue[/alpha]) and other properties as named columns.
Result<std::vector<ComponentColumn>> parse_ply(std::string_view bytes, const std::string& name);

}  // namespace reel::import::internal
