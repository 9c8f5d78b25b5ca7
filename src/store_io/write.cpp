#include "reel/store_io/store_io.hpp"

namespace reel {

Status write_store(const ChunkStore& store, format::RecordingWriter& writer) {
  REEL_RETURN_NOT_OK(writer.write_store_info(store.info()));
  for (const auto& chunk : store.chunks()) REEL_RETURN_NOT_OK(writer.write_chunk(*chunk));
  return Status::OK();
}

}  // namespace reel
