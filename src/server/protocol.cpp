#include "server/protocol.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "reel/arrow/ipc.hpp"
#include "reel/chunk/chunk_arrow.hpp"
#include "reel/format/recording_file.hpp"
#include "server/file_pager.hpp"

namespace reel::server {

using nlohmann::json;

namespace {

// Text from the network or from recordings may hold invalid UTF-8: replace it rather than
// throw (nlohmann's default).
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// i64 times travel as decimal strings: JSON numbers lose precision beyond 2^53.
std::string time_text(TimeInt t) { return std::to_string(t); }

}  // namespace

void frame_prefix(FrameKind kind, uint32_t request_id, uint8_t out[kFramePrefixBytes]) {
  out[0] = uint8_t(kind);
  for (int i = 0; i < 4; ++i) out[1 + i] = uint8_t(request_id >> (8 * i));
}

Result<std::vector<uint8_t>> encode_viewer_payload(const Chunk& chunk, bool compact_row_ids) {
  if (!compact_row_ids || chunk.empty() || !chunk.row_ids().is_consecutive()) {
    return format::encode_chunk_payload(chunk);
  }
  REEL_ASSIGN_OR_RETURN(auto batch, chunk_to_record_batch(chunk));
  auto schema = std::make_shared<arrow::Schema>(*batch.schema);
  for (size_t i = 0; i < schema->fields.size(); ++i) {
    const std::string* kind = arrow::find_metadata(schema->fields[i]->metadata, "reel.kind");
    if (kind && *kind == "row_id") {
      schema->fields.erase(schema->fields.begin() + std::ptrdiff_t(i));
      batch.columns.erase(batch.columns.begin() + std::ptrdiff_t(i));
      break;
    }
  }
  schema->metadata.emplace_back("reel.row_ids_first", chunk.row_id(0).to_string());
  batch.schema = std::move(schema);
  std::vector<uint8_t> out;
  out.reserve(size_t(chunk.heap_size_bytes()) + 1024);
  REEL_RETURN_NOT_OK(arrow::ipc::write_stream(batch, out));
  return out;
}

Result<std::vector<uint8_t>> encode_frame(FrameKind kind, uint32_t request_id, const Chunk& chunk,
                                          bool compact_row_ids) {
  REEL_ASSIGN_OR_RETURN(auto payload, encode_viewer_payload(chunk, compact_row_ids));
  std::vector<uint8_t> frame(kFramePrefixBytes);
  frame_prefix(kind, request_id, frame.data());
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

Result<DecodedFrame> decode_frame(std::span<const uint8_t> frame) {
  if (frame.size() < kFramePrefixBytes) {
    return Status::Corrupt("frame of " + std::to_string(frame.size()) + " bytes: no prefix");
  }
  if (frame[0] != uint8_t(FrameKind::kChunkAdded) && frame[0] != uint8_t(FrameKind::kQueryResult)) {
    return Status::Corrupt("frame kind " + std::to_string(frame[0]) + " is unknown");
  }
  DecodedFrame out;
  out.kind = FrameKind(frame[0]);
  out.request_id = 0;
  for (int i = 0; i < 4; ++i) out.request_id |= uint32_t(frame[1 + size_t(i)]) << (8 * i);
  auto copy =
      std::make_shared<std::vector<uint8_t>>(frame.begin() + kFramePrefixBytes, frame.end());
  REEL_ASSIGN_OR_RETURN(out.chunk, format::decode_chunk_payload(*copy, copy));
  return out;
}

namespace {

void tag(json& j, std::optional<uint32_t> recording) {
  if (recording) j["recording"] = *recording;
}

json listing(const std::vector<RecordingListing>& recordings) {
  json list = json::array();
  for (const auto& r : recordings) {
    list.push_back({{"recording", r.number},
                    {"application_id", r.info.application_id},
                    {"recording_id", r.info.recording_id}});
  }
  return list;
}

}  // namespace

std::string hello_json(const StoreInfo& info) {
  return dump({{"type", "hello"},
               {"version", kProtocolVersion},
               {"application_id", info.application_id},
               {"recording_id", info.recording_id}});
}

std::string hello_json(const StoreInfo& info, std::optional<uint32_t> recording,
                       const std::vector<RecordingListing>& recordings) {
  json j = {{"type", "hello"},
            {"version", kProtocolVersion},
            {"application_id", info.application_id},
            {"recording_id", info.recording_id},
            {"recordings", listing(recordings)}};
  tag(j, recording);
  return dump(j);
}

std::string recordings_json(const std::vector<RecordingListing>& recordings) {
  return dump({{"type", "recordings"}, {"recordings", listing(recordings)}});
}

std::string selected_json(uint32_t recording, const StoreInfo& info) {
  return dump({{"type", "selected"},
               {"recording", recording},
               {"application_id", info.application_id},
               {"recording_id", info.recording_id}});
}

std::string store_info_json(const StoreInfo& info, std::optional<uint32_t> recording) {
  json j = {{"type", "store_info"},
            {"application_id", info.application_id},
            {"recording_id", info.recording_id}};
  tag(j, recording);
  return dump(j);
}

std::string backlog_json(const std::string& url, uint64_t chunks,
                         std::optional<uint32_t> recording) {
  json j = {{"type", "backlog"}, {"url", url}, {"chunks", chunks}};
  tag(j, recording);
  return dump(j);
}

std::string caught_up_json(uint64_t chunks, std::optional<uint32_t> recording) {
  json j = {{"type", "caught_up"}, {"chunks", chunks}};
  tag(j, recording);
  return dump(j);
}

std::string chunks_removed_json(const std::vector<ChunkId>& ids,
                                std::optional<uint32_t> recording) {
  json list = json::array();
  for (const auto& id : ids) list.push_back(id.to_string());
  json j = {{"type", "chunks_removed"}, {"chunk_ids", std::move(list)}};
  tag(j, recording);
  return dump(j);
}

std::string query_done_json(uint32_t id, uint64_t chunks, std::optional<TimeRange> covered) {
  json j = {{"type", "query_done"}, {"id", id}, {"chunks", chunks}};
  if (covered) {
    j["min"] = std::to_string(covered->min);
    j["max"] = std::to_string(covered->max);
  }
  return dump(j);
}

std::string error_json(uint32_t id, std::string_view message) {
  return dump({{"type", "error"}, {"id", id}, {"message", std::string(message)}});
}

std::string info_json(const ChunkStore& store, const InfoExtras& extras) {
  const StoreInfo info = store.info();
  const ChunkStoreStats stats = store.stats();
  json connections = json::array();
  for (const auto& v : extras.viewer_connections) {
    connections.push_back({{"peer", v.peer},
                           {"queued_bytes", v.queued_bytes},
                           {"queued_messages", v.queued_messages}});
  }
  json recordings = json::array();
  uint64_t total_bytes = 0;
  for (const auto& r : extras.recordings) {
    total_bytes += r.store->memory_bytes();
    const StoreInfo ri = r.store->info();
    const ChunkStoreStats rs = r.store->stats();
    json entry = {{"recording", r.number},
                  {"application_id", ri.application_id},
                  {"recording_id", ri.recording_id},
                  {"chunks", rs.num_chunks},
                  {"rows", rs.num_rows},
                  {"bytes", r.store->memory_bytes()}};
    if (r.pager) {
      const PagerStats ps = r.pager->stats();
      total_bytes += ps.cached_bytes;
      entry["paged"] = {{"path", r.pager->extent().path},
                        {"file_chunks", r.pager->extent().chunks},
                        {"file_bytes", r.pager->extent().bytes},
                        {"chunks_read", ps.chunks_read},
                        {"bytes_read", ps.bytes_read},
                        {"cached_chunks", ps.cached_chunks},
                        {"cached_bytes", ps.cached_bytes},
                        {"cache_limit", ps.cache_limit},
                        {"answers", ps.answers}};
    }
    recordings.push_back(std::move(entry));
  }
  return dump({{"application_id", info.application_id},
               {"recording_id", info.recording_id},
               {"chunks", stats.num_chunks},
               {"bytes", store.memory_bytes()},
               {"rows", stats.num_rows},
               {"memory_limit", extras.memory_limit},
               {"viewers", extras.viewers},
               {"max_viewers", extras.max_viewers},
               {"viewer_connections", std::move(connections)},
               {"ingest_clients", extras.ingest_clients},
               {"protocol_version", kProtocolVersion},
               {"recordings", std::move(recordings)},
               {"total_bytes", extras.recordings.empty() ? store.memory_bytes() : total_bytes}});
}

std::string entities_json(const ChunkStore& store) {
  const std::vector<Timeline> timelines = store.timelines();
  json tl = json::array();
  for (const auto& t : timelines) {
    TimeRange r = store.time_range(t.name());
    json e = {{"name", t.name()}, {"type", time_type_name(t.type())}};
    if (!r.empty()) {
      e["min"] = time_text(r.min);
      e["max"] = time_text(r.max);
    }
    tl.push_back(std::move(e));
  }
  // Components per entity, from one statistics snapshot.
  std::map<std::string, json> components;
  std::map<std::string, bool> has_static;
  for (const auto& cs : store.component_stats()) {
    json c = {{"name", cs.component.identifier()},
              {"component_type", cs.component.component_type()},
              {"rows", cs.num_rows},
              {"static", cs.has_static}};
    auto& list = components[cs.entity.str()];
    if (list.is_null()) list = json::array();
    list.push_back(std::move(c));
    has_static[cs.entity.str()] = has_static[cs.entity.str()] || cs.has_static;
  }
  json entities = json::array();
  for (const auto& path : store.entities()) {
    json ranges = json::object();
    for (const auto& t : timelines) {
      TimeRange r = store.time_range(t.name(), path);
      if (!r.empty()) ranges[t.name()] = {{"min", time_text(r.min)}, {"max", time_text(r.max)}};
    }
    auto cit = components.find(path.str());
    entities.push_back({{"path", path.str()},
                        {"static", has_static[path.str()]},
                        {"time_ranges", std::move(ranges)},
                        {"components", cit == components.end() ? json::array() : cit->second}});
  }
  return dump({{"timelines", std::move(tl)}, {"entities", std::move(entities)}});
}

namespace {

Result<TimeInt> parse_time(const json& j, const char* name) {
  const std::string what = std::string("\"") + name + "\"";
  if (j.is_number_integer() && !j.is_number_unsigned()) return TimeInt(j.get<int64_t>());
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > uint64_t(kTimeMax)) return Status::Invalid(what + " is beyond the i64 range");
    return TimeInt(v);
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    // Integral doubles within the exact range are accepted (JavaScript numbers).
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740992.0) {
      return TimeInt(d);
    }
    return Status::Invalid(what + " must be an integer (or a decimal string)");
  }
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    TimeInt v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      return Status::Invalid(what + " is not a decimal i64: '" + s.substr(0, 40) + "'");
    }
    return v;
  }
  return Status::Invalid(what + " is missing or not a time (decimal string or integer)");
}

Result<std::string> get_string(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) {
    return Status::Invalid(std::string("\"") + name + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

}  // namespace

std::optional<Result<SelectRecording>> parse_select_recording(std::string_view text, uint32_t* id) {
  *id = 0;
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string() || *type != "select_recording") return std::nullopt;
  SelectRecording r;
  auto idit = j.find("id");
  if (idit != j.end()) {
    if (!idit->is_number_unsigned() || idit->get<uint64_t>() > UINT32_MAX) {
      return Status::Invalid("select_recording: \"id\" is not an integer in [0, 2^32)");
    }
    r.id = uint32_t(idit->get<uint64_t>());
    *id = r.id;
  }
  auto rid = j.find("recording_id");
  auto num = j.find("recording");
  if (rid != j.end() && rid->is_string()) {
    r.recording_id = rid->get<std::string>();
  } else if (num != j.end() && num->is_number_unsigned() && num->get<uint64_t>() <= UINT32_MAX) {
    r.number = uint32_t(num->get<uint64_t>());
  } else {
    return Status::Invalid(
        "select_recording: needs \"recording_id\" (a string) or \"recording\" (a number)");
  }
  return r;
}

Result<ViewerQuery> parse_query(std::string_view text, uint32_t* id) {
  *id = 0;
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid("message is not a JSON object");
  ViewerQuery q;
  auto idit = j.find("id");
  if (idit == j.end() || !idit->is_number_unsigned() || idit->get<uint64_t>() > UINT32_MAX) {
    return Status::Invalid("\"id\" is missing or not an integer in [0, 2^32)");
  }
  q.id = uint32_t(idit->get<uint64_t>());
  *id = q.id;
  auto tit = j.find("type");
  if (tit == j.end() || !tit->is_string() || *tit != "query") {
    return Status::Invalid("unknown message type (expected \"query\")");
  }
  REEL_ASSIGN_OR_RETURN(std::string kind, get_string(j, "kind"));
  if (kind == "latest_at") {
    q.kind = ViewerQuery::Kind::kLatestAt;
  } else if (kind == "range") {
    q.kind = ViewerQuery::Kind::kRange;
  } else {
    return Status::Invalid("unknown query kind '" + kind + "' (latest_at or range)");
  }
  REEL_ASSIGN_OR_RETURN(std::string entity, get_string(j, "entity"));
  auto path = EntityPath::parse(entity);
  if (!path.ok()) return path.status().with_context("bad \"entity\"");
  q.entity = *path;
  REEL_ASSIGN_OR_RETURN(q.timeline, get_string(j, "timeline"));
  if (q.kind == ViewerQuery::Kind::kLatestAt) {
    auto at = j.find("at");
    REEL_ASSIGN_OR_RETURN(q.at, parse_time(at == j.end() ? json() : *at, "at"));
  } else {
    auto lo = j.find("min");
    auto hi = j.find("max");
    REEL_ASSIGN_OR_RETURN(q.range.min, parse_time(lo == j.end() ? json() : *lo, "min"));
    REEL_ASSIGN_OR_RETURN(q.range.max, parse_time(hi == j.end() ? json() : *hi, "max"));
    if (q.range.min > q.range.max) return Status::Invalid("\"min\" is greater than \"max\"");
  }
  auto cit = j.find("component");
  if (cit != j.end() && !cit->is_null()) {
    if (!cit->is_string()) return Status::Invalid("\"component\" is not a string");
    q.component = cit->get<std::string>();
  }
  return q;
}

std::vector<ChunkPtr> answer_query(const ChunkStore& store, const ViewerQuery& query) {
  std::vector<ComponentDescriptor> components;
  for (const auto& [desc, type] : store.components(query.entity)) {
    if (!query.component || desc.identifier() == *query.component) components.push_back(desc);
  }
  std::sort(components.begin(), components.end());
  std::vector<ChunkPtr> out;
  for (const auto& c : components) {
    std::vector<ComponentDescriptor> keep = {c};
    if (query.kind == ViewerQuery::Kind::kLatestAt) {
      auto r = store.latest_at({query.timeline, query.at}, query.entity, c);
      if (r) out.push_back(r->as_slice()->with_components(keep));
    } else {
      for (const auto& piece : store.range({query.timeline, query.range}, query.entity, c).chunks) {
        out.push_back(piece->with_components(keep));
      }
    }
  }
  return out;
}

}  // namespace reel::server
