// RecordingWriter writing Rerun's .rrd (writer_rrd_internal.hpp).
#include "format/writer_rrd_internal.hpp"
#include "reel/format/rrd_chunk.hpp"

namespace reel::format {

Status RecordingWriter::rrd_store_info(const StoreInfo& info) {
  rrd::SetStoreInfo s;
  const RowId id = RowId::create();
  s.row_id = {info.started_ns > 0 ? uint64_t(info.started_ns) : id.time_ns, id.inc};
  s.store_id.kind = info.is_blueprint ? rrd::StoreKind::kBlueprint : rrd::StoreKind::kRecording;
  s.store_id.application_id = info.application_id;
  s.store_id.recording_id = info.recording_id;
  s.source = rrd::reel_store_source();
  s.store_version = rrd::kWrittenVersion;
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
  return write_bytes(scratch_);
}

Status RecordingWriter::rrd_finish() {
  // An End message without a footer body: valid, and what Rerun reads to the end.
  scratch_.clear();
  rrd_->encoder.message(rrd::MessageKind::kEnd, {}, scratch_);
  return write_bytes(scratch_);
}

}  // namespace reel::format
