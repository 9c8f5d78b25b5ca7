// The footer: what each chunk of a file holds and where it is, as JSON (docs/file-format.md).
#include <nlohmann/json.hpp>

#include "format/codec_internal.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::format {

namespace {

// Bytes of the Arrow values a column holds (what it takes in the Arrow layout), independent
// of how its buffers are shared with other columns.
uint64_t array_bytes(const arrow::ArrayData& a, int64_t offset, int64_t length) {
  const arrow::TypeId id = a.type->id();
  uint64_t n = a.null_count ? uint64_t(arrow::bit_util::bytes_for_bits(length)) : 0;
  switch (id) {
    case arrow::TypeId::kNull:
      return 0;
    case arrow::TypeId::kBool:
      return n + uint64_t(arrow::bit_util::bytes_for_bits(length));
    case arrow::TypeId::kUtf8:
    case arrow::TypeId::kBinary: {
      if (length == 0) return n;
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + a.offset + offset;
      return n + uint64_t(length + 1) * 4 + uint64_t(o[length] - o[0]);
    }
    case arrow::TypeId::kList: {
      if (length == 0) return n;
      const int32_t* o = a.buffers[1]->data_as<int32_t>() + a.offset + offset;
      return n + uint64_t(length + 1) * 4 + array_bytes(*a.children[0], o[0], o[length] - o[0]);
    }
    case arrow::TypeId::kFixedSizeList: {
      const int64_t ls = a.type->list_size();
      return n + array_bytes(*a.children[0], (a.offset + offset) * ls, length * ls);
    }
    case arrow::TypeId::kStruct: {
      for (const auto& c : a.children) n += array_bytes(*c, a.offset + offset, length);
      return n;
    }
    default:
      return n + uint64_t(length * a.type->primitive_width());
  }
}

nlohmann::json ranges_json(const std::map<std::string, TimeRange>& ranges) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, r] : ranges) out[name] = {r.min, r.max};
  return out;
}

// Reads {"timeline": [min, max], ...}; false when malformed.
bool parse_ranges(const nlohmann::json& j, std::map<std::string, TimeRange>& out) {
  if (!j.is_object()) return false;
  for (const auto& [name, r] : j.items()) {
    if (!r.is_array() || r.size() != 2 || !r[0].is_number_integer() || !r[1].is_number_integer())
      return false;
    out[name] = {r[0].get<int64_t>(), r[1].get<int64_t>()};
  }
  return true;
}

bool is_uint(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned();
}
bool is_int(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number_integer();
}
bool is_str(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string();
}

}  // namespace

uint64_t arrow_bytes(const ListColumn& list) {
  auto arrow_form = list.to_arrow();
  return array_bytes(*arrow_form, 0, arrow_form->length);
}

FooterEntry describe_chunk(const Chunk& chunk, uint64_t offset) {
  FooterEntry e;
  e.offset = offset;
  e.entity = chunk.entity_path();
  e.rows = chunk.num_rows();
  e.is_static = chunk.is_static();
  for (const auto& t : chunk.timelines()) {
    e.time_ranges[t.name()] = t.range();
    e.timeline_types[t.name()] = t.timeline().type();
  }
  for (const auto& comp : chunk.components()) {
    FooterComponent c;
    c.descriptor = comp.descriptor;
    c.arrow_type = comp.list.value_type()->to_string();
    const ListColumn& list = comp.list;
    c.rows = list.length() - list.null_count();
    for (int64_t i = 0; i < list.length(); ++i) c.instances += list.num_instances(i);
    c.bytes = arrow_bytes(list);
    for (const auto& t : chunk.timelines()) {
      if (list.null_count() == 0) {
        if (list.length() > 0) c.time_ranges[t.name()] = t.range();
        continue;
      }
      TimeRange r;
      for (int64_t i = 0; i < list.length(); ++i) {
        if (list.is_valid(i)) r.extend(t[i]);
      }
      if (!r.empty()) c.time_ranges[t.name()] = r;
    }
    e.components.push_back(std::move(c));
  }
  e.complete = true;
  return e;
}

namespace internal {

std::vector<uint8_t> footer_json(const Footer& footer) {
  const bool v2 = footer.version >= 2;
  nlohmann::json chunks = nlohmann::json::array();
  for (const auto& e : footer.chunks) {
    nlohmann::json c = {{"offset", e.offset},
                        {"entity", e.entity.str()},
                        {"rows", e.rows},
                        {"static", e.is_static},
                        {"time_ranges", ranges_json(e.time_ranges)}};
    if (v2) {
      nlohmann::json types = nlohmann::json::object();
      for (const auto& [name, type] : e.timeline_types) types[name] = time_type_name(type);
      nlohmann::json comps = nlohmann::json::array();
      for (const auto& comp : e.components) {
        comps.push_back({{"archetype", comp.descriptor.archetype()},
                         {"field", comp.descriptor.field()},
                         {"component_type", comp.descriptor.component_type()},
                         {"arrow_type", comp.arrow_type},
                         {"rows", comp.rows},
                         {"instances", comp.instances},
                         {"bytes", comp.bytes},
                         {"time_ranges", ranges_json(comp.time_ranges)}});
      }
      c["timelines"] = std::move(types);
      c["stored_bytes"] = e.stored_bytes;
      c["payload_bytes"] = e.payload_bytes;
      c["compression"] = compression_name(e.compression);
      c["components"] = std::move(comps);
    }
    chunks.push_back(std::move(c));
  }
  nlohmann::json j = {{"chunks", std::move(chunks)}};
  if (v2) {
    nlohmann::json infos = nlohmann::json::array();
    for (const auto& i : footer.infos) {
      infos.push_back({{"offset", i.offset},
                       {"application_id", i.info.application_id},
                       {"recording_id", i.info.recording_id},
                       {"started_ns", i.info.started_ns}});
      if (i.info.is_blueprint) infos.back()["kind"] = "blueprint";  // as the store info says
    }
    j["version"] = 2;
    j["infos"] = std::move(infos);
  }
  // Names are UTF-8 (EntityPath and chunk decoding make sure of it); the replacing handler
  // only keeps dump() from throwing should one not be.
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return {s.begin(), s.end()};
}

Result<Footer> parse_footer(std::span<const uint8_t> bytes, uint64_t offset) {
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  auto bad = [&](const std::string& what) {
    return Status::Corrupt("footer at byte " + std::to_string(offset) + ": " + what);
  };
  if (j.is_discarded() || !j.is_object() || !j.contains("chunks") || !j["chunks"].is_array()) {
    return bad("not a JSON object with a chunks array");
  }
  Footer footer;
  footer.version = 1;
  if (j.contains("version")) {
    if (!j["version"].is_number_unsigned() || j["version"].get<uint64_t>() < 2) {
      return bad("version is not an integer from 2 up");
    }
    footer.version = 2;  // later versions only add fields
    if (!j.contains("infos") || !j["infos"].is_array()) return bad("no infos array");
    for (const auto& i : j["infos"]) {
      if (!i.is_object() || !is_uint(i, "offset") || !is_str(i, "application_id") ||
          !is_str(i, "recording_id") || !is_int(i, "started_ns")) {
        return bad("store info entry without offset, application_id, recording_id, started_ns");
      }
      footer.infos.push_back(
          {i["offset"].get<uint64_t>(),
           {i["application_id"].get<std::string>(), i["recording_id"].get<std::string>(),
            i["started_ns"].get<int64_t>(), i.contains("kind") && i["kind"] == "blueprint"}});
    }
  }
  size_t index = 0;
  for (const auto& c : j["chunks"]) {
    const std::string which = "chunk entry " + std::to_string(index++);
    if (!c.is_object() || !is_uint(c, "offset") || !is_str(c, "entity")) {
      return bad(which + " has no offset or entity");
    }
    FooterEntry e;
    e.offset = c["offset"].get<uint64_t>();
    e.entity = EntityPath(c["entity"].get<std::string>());
    if (is_int(c, "rows")) e.rows = c["rows"].get<int64_t>();
    if (c.contains("static") && c["static"].is_boolean()) e.is_static = c["static"].get<bool>();
    if (c.contains("time_ranges") && !parse_ranges(c["time_ranges"], e.time_ranges)) {
      return bad(which + ": a time range is not [min, max]");
    }
    if (footer.version >= 2) {
      if (!c.contains("timelines") || !c["timelines"].is_object() || !is_uint(c, "stored_bytes") ||
          !is_uint(c, "payload_bytes") || !is_str(c, "compression") || !c.contains("components") ||
          !c["components"].is_array()) {
        return bad(which + " lacks timelines, sizes, compression or components");
      }
      for (const auto& [name, type] : c["timelines"].items()) {
        auto t = type.is_string() ? parse_time_type(type.get<std::string>())
                                  : Result<TimeType>(Status::Invalid("not a string"));
        if (!t.ok()) return bad(which + ": timeline '" + name + "' has no valid type");
        e.timeline_types[name] = *t;
      }
      e.stored_bytes = c["stored_bytes"].get<uint64_t>();
      e.payload_bytes = c["payload_bytes"].get<uint64_t>();
      auto compression = parse_compression(c["compression"].get<std::string>());
      if (!compression.ok()) return bad(which + ": " + compression.status().message());
      e.compression = *compression;
      for (const auto& comp : c["components"]) {
        if (!comp.is_object() || !is_str(comp, "archetype") || !is_str(comp, "field") ||
            !is_str(comp, "component_type") || !is_str(comp, "arrow_type") ||
            !is_int(comp, "rows") || !is_int(comp, "instances") || !is_uint(comp, "bytes") ||
            !comp.contains("time_ranges")) {
          return bad(which + ": a component entry lacks a field");
        }
        FooterComponent fc;
        fc.descriptor = ComponentDescriptor(comp["archetype"].get<std::string>(),
                                            comp["field"].get<std::string>(),
                                            comp["component_type"].get<std::string>());
        fc.arrow_type = comp["arrow_type"].get<std::string>();
        fc.rows = comp["rows"].get<int64_t>();
        fc.instances = comp["instances"].get<int64_t>();
        fc.bytes = comp["bytes"].get<uint64_t>();
        if (!parse_ranges(comp["time_ranges"], fc.time_ranges)) {
          return bad(which + ": component " + fc.descriptor.identifier() +
                     ": a time range is not [min, max]");
        }
        e.components.push_back(std::move(fc));
      }
      e.complete = true;
    }
    footer.chunks.push_back(std::move(e));
  }
  return footer;
}

}  // namespace internal
}  // namespace reel::format
