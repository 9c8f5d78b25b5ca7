// RecordingWriter writing Rerun's .rrd (writer_rrd_internal.hpp).
#include "format/writer_rrd_internal.hpp"
#include "reel/format/rrd_chunk.hpp"

namespace reel::format {

Status RecordingWriter::rrd_store_info(const StoreInfo& info) {
  const rrd::SetStoreInfo s = rrd::to_set_store_info(info);
  scratch_.clear();
  REEL_RETURN_NOT_OK(rrd_->encoder.set_store_info(s, scratch_).status());
  REEL_RETURN_NOT_OK(write_bytes(scratch_));
  rrd_->store = s.store_id;
  return Status::OK();
}

Status RecordingWriter::rrd_chunk(const Chunk& chunk) {
  if (!rrd_->store) {
    return Status::Invalid(name_ + ": a chunk of " + chunk.entity_path().str() +
                           " before any store info (.rrd messages name their store)");
  }
  auto& written = rrd_->chunk_ids[*rrd_->store];
  if (written.count(chunk.id())) {
    return Status::Invalid(name_ + ": a chunk of " + chunk.entity_path().str() +
                           " reuses chunk id " + chunk.id().to_string() +
                           " of an earlier chunk of " + rrd_->store->to_string() +
                           " (Rerun keeps one chunk per id and would drop rows; give it a fresh "
                           "id, e.g. Chunk::with_id(RowId::create()))");
  }
  rrd::Warnings warnings;
  auto payload = rrd::encode_rerun_chunk(chunk, &warnings);
  if (!payload.ok()) {
    return payload.status().with_context(name_ + ": chunk of " + chunk.entity_path().str());
  }
  for (auto& w : warnings) warnings_.push_back(name_ + ": " + w);
  scratch_.clear();
  REEL_RETURN_NOT_OK(
      rrd_->encoder
          .arrow_msg(*rrd_->store, *payload, rrd::to_tuid(chunk.id()), chunk.is_static(), scratch_)
          .status());
  REEL_RETURN_NOT_OK(write_bytes(scratch_));
  written.insert(chunk.id());
  return Status::OK();
}

Status RecordingWriter::rrd_finish() {
  // An End message without a footer body: valid, and what Rerun reads to the end.
  scratch_.clear();
  rrd_->encoder.message(rrd::MessageKind::kEnd, {}, scratch_);
  return write_bytes(scratch_);
}

}  // namespace reel::format
