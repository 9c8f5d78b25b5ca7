// convert_recording: .reel / .rrd in, either out, message by message.
#include <map>
#include <optional>

#include "reel/store_io/store_io.hpp"

namespace reel {

Result<ConvertReport> convert_recording(format::RecordingReader& reader,
                                        format::RecordingWriter& writer, ConvertReport report) {
  const bool to_rrd = writer.file_format() == format::FileFormat::kRrd;
  std::map<uint32_t, StoreInfo> stores;  // stream -> its store, as last written
  std::map<uint32_t, bool> kept;         // stream -> copied
  std::string first_recording;
  bool have_first = false;
  std::optional<uint32_t> current;  // the stream whose store info was written last
  auto keep = [&](uint32_t stream, const StoreInfo& info) {
    auto it = kept.find(stream);
    if (it != kept.end()) return it->second;
    bool k = true;
    if (!to_rrd) {  // .reel: the first recording, and every blueprint (a store of kind blueprint)
      if (!have_first && !info.is_blueprint) {
        have_first = true;
        first_recording = info.recording_id;
      }
      k = info.is_blueprint || info.recording_id == first_recording;
      if (!k) {
        report.warnings.push_back(reader.name() + ": recording '" + info.recording_id +
                                  "' left out: a .reel file holds one recording (write .rrd to "
                                  "keep every store)");
      }
    }
    kept[stream] = k;
    return k;
  };
  for (;;) {
    auto m = reader.next();
    if (!m.ok()) return m.status();
    if (!*m) break;
    if ((*m)->kind == format::MessageKind::kStoreInfo) {
      if (!keep((*m)->stream, (*m)->info)) continue;
      report.stores += !stores.count((*m)->stream);  // a store announced again counts once
      stores[(*m)->stream] = (*m)->info;
      REEL_RETURN_NOT_OK(writer.write_store_info((*m)->info));
      current = (*m)->stream;
    } else if ((*m)->kind == format::MessageKind::kChunk && (*m)->chunk) {
      const uint32_t stream = (*m)->stream;
      // A chunk whose store was never announced (a .reel stream without store info, an .rrd
      // ArrowMsg before its SetStoreInfo) gets the store the reader knows it by.
      if (!stores.count(stream)) {
        if (!keep(stream, (*m)->info)) continue;
        stores[stream] = (*m)->info;
        REEL_RETURN_NOT_OK(writer.write_store_info((*m)->info));
        current = stream;
        ++report.stores;
      }
      if (!kept[stream]) continue;
      if (current != stream) {  // .rrd interleaves stores: switch the writer's
        REEL_RETURN_NOT_OK(writer.write_store_info(stores[stream]));
        current = stream;
      }
      ++report.chunks;
      report.rows += (*m)->chunk->num_rows();
      REEL_RETURN_NOT_OK(writer.write_chunk(*(*m)->chunk));
    }
  }
  report.warnings.insert(report.warnings.end(), reader.warnings().begin(), reader.warnings().end());
  report.warnings.insert(report.warnings.end(), writer.warnings().begin(), writer.warnings().end());
  return report;
}

}  // namespace reel
