// The `subscribe` message (subscribe_internal.hpp).
#include "server/subscribe_internal.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

namespace reel::server::internal {

using nlohmann::json;

namespace {

Result<TimeInt> time_of(const json& obj, const char* name) {
  const std::string what = std::string("\"") + name + "\"";
  auto it = obj.find(name);
  if (it == obj.end()) return Status::Invalid(what + " is missing");
  const json& j = *it;
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() > uint64_t(kTimeMax)) return Status::Invalid(what + " is beyond i64");
    return TimeInt(j.get<uint64_t>());
  }
  if (j.is_number_integer()) return TimeInt(j.get<int64_t>());
  if (j.is_number_float()) {
    const double d = j.get<double>();
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
  return Status::Invalid(what + " is not a time (decimal string or integer)");
}

}  // namespace

std::optional<Result<SubscribeRequest>> parse_subscribe(std::string_view text, uint32_t* id) {
  *id = 0;
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string() || *type != "subscribe") return std::nullopt;
  SubscribeRequest r;
  auto idit = j.find("id");
  if (idit == j.end() || !idit->is_number_unsigned() || idit->get<uint64_t>() > UINT32_MAX) {
    return Status::Invalid("subscribe: \"id\" is missing or not an integer in [0, 2^32)");
  }
  r.id = uint32_t(idit->get<uint64_t>());
  *id = r.id;
  auto tl = j.find("timeline");
  if (tl == j.end() || !tl->is_string()) {
    return Status::Invalid("subscribe: \"timeline\" is missing or not a string");
  }
  r.timeline = tl->get<std::string>();
  auto lo = time_of(j, "min");
  if (!lo.ok()) return lo.status().with_context("subscribe");
  auto hi = time_of(j, "max");
  if (!hi.ok()) return hi.status().with_context("subscribe");
  r.range = {*lo, *hi};
  if (r.range.min > r.range.max)
    return Status::Invalid("subscribe: \"min\" is greater than \"max\"");
  auto ents = j.find("entities");
  if (ents != j.end() && !ents->is_null()) {
    if (!ents->is_array()) return Status::Invalid("subscribe: \"entities\" is not an array");
    for (size_t i = 0; i < ents->size(); ++i) {
      const json& e = (*ents)[i];
      if (!e.is_string()) {
        return Status::Invalid("subscribe: entities[" + std::to_string(i) + "] is not a string");
      }
      auto path = EntityPath::parse(e.get<std::string>());
      if (!path.ok()) {
        return path.status().with_context("subscribe: entities[" + std::to_string(i) + "]");
      }
      r.entities.push_back(*path);
    }
  }
  return r;
}

ChunkPtr window_rows(const ChunkPtr& c, const std::string& timeline, const TimeRange& window) {
  const TimeColumn* time = c->timeline(timeline);
  if (!time || c->num_rows() == 0) return nullptr;
  if (window.contains(time->range().min) && window.contains(time->range().max)) return c;
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < c->num_rows(); ++i) {
    if (window.contains(time->time_at(i))) rows.push_back(i);
  }
  if (rows.empty()) return nullptr;
  if (rows.back() - rows.front() + 1 == int64_t(rows.size())) {
    return c->slice(rows.front(), int64_t(rows.size()));
  }
  auto taken = c->take(rows);
  return taken.ok() ? *taken : nullptr;
}

std::vector<ChunkPtr> answer_subscribe(const ChunkStore& store, const SubscribeRequest& request,
                                       const std::function<bool(const Chunk&)>& skip) {
  std::set<EntityPath> entities(request.entities.begin(), request.entities.end());
  if (request.entities.empty()) {
    for (auto& e : store.entities()) entities.insert(e);
  }
  std::vector<ChunkPtr> out;
  const RangeQuery query{request.timeline, request.range};
  for (const auto& entity : entities) {
    std::unordered_set<ChunkId> seen;
    std::vector<ChunkPtr> chunks;
    for (const auto& [desc, type] : store.components(entity)) {
      for (auto& c : store.range_relevant_chunks(query, entity, desc)) {
        if (seen.insert(c->id()).second) chunks.push_back(std::move(c));
      }
    }
    for (const auto& c : chunks) {
      if (skip && skip(*c)) continue;
      if (auto w = window_rows(c, request.timeline, request.range)) out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace reel::server::internal
