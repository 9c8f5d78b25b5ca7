// reel Chunk <-> Rerun's sorbet chunk record batch (include/reel/format/rrd_chunk.hpp).
#include "reel/format/rrd_chunk.hpp"

#include <cstdio>

#include "format/rrd_layout_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/types/registry.hpp"

namespace reel::format::rrd {

namespace {

constexpr const char* kSorbetVersion = "0.1.3";
constexpr std::string_view kReelArchetypePrefix = "reel.archetypes.";

void warn(Warnings* w, std::string message) {
  if (w) w->push_back(std::move(message));
}

std::string short_name(const std::string& archetype) {
  const size_t dot = archetype.rfind('.');
  return dot == std::string::npos ? archetype : archetype.substr(dot + 1);
}

// Rerun prints TUIDs as 16 upper-case then 16 lower-case hex digits.
std::string tuid_hex(const RowId& id) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llX%016llx", static_cast<unsigned long long>(id.time_ns),
                static_cast<unsigned long long>(id.inc));
  return buf;
}

std::optional<RowId> parse_tuid_hex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  uint64_t parts[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    const int v = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
    if (v < 0) return std::nullopt;
    parts[i / 16] = parts[i / 16] << 4 | uint64_t(v);
  }
  return RowId{parts[0], parts[1]};
}

// The Rerun descriptor and layout of a reel component column.
struct RerunColumn {
  std::string archetype, component, component_type;
  const char* convert = "";
};

RerunColumn rerun_column(const ComponentDescriptor& d) {
  RerunColumn out;
  const ArchetypeInfo* arch = d.archetype().empty() ? nullptr : find_archetype(d.archetype());
  const ArchetypeField* f = arch ? arch->field(d.field()) : nullptr;
  if (arch && f && arch->rerun_name[0] && f->rerun_field[0] && f->descriptor == d) {
    out.archetype = arch->rerun_name;
    out.component = short_name(out.archetype) + ":" + f->rerun_field;
    out.component_type = f->rerun_component;
    if (const ComponentInfo* c = find_component(d.component_type())) out.convert = c->rerun_convert;
    return out;
  }
  out.archetype = arch && arch->name == d.archetype()
                      ? std::string(kReelArchetypePrefix) + arch->name
                      : d.archetype();
  out.component = out.archetype.empty() ? d.field() : short_name(out.archetype) + ":" + d.field();
  out.component_type = d.component_type();
  return out;
}

// The reel descriptor of a Rerun component column, with the converter and reel's element
// type; `known` false when the archetype table does not know it.
struct ReelColumn {
  ComponentDescriptor descriptor;
  const char* convert = "";
  arrow::TypePtr reel_type;
  bool known = false;
};

ReelColumn reel_column(const std::string& archetype, const std::string& component,
                       const std::string& component_type) {
  ReelColumn out;
  const size_t colon = component.rfind(':');
  const std::string field = colon == std::string::npos ? component : component.substr(colon + 1);
  std::string_view lookup = archetype;
  if (lookup.starts_with(kReelArchetypePrefix)) lookup.remove_prefix(kReelArchetypePrefix.size());
  const ArchetypeInfo* arch = archetype.empty() ? nullptr : find_archetype(lookup);
  if (arch && !archetype.starts_with(kReelArchetypePrefix)) {
    for (const ArchetypeField& f : arch->fields()) {
      if (field == f.rerun_field && component_type == f.rerun_component) {
        const ComponentInfo* c = find_component(f.descriptor.component_type());
        if (!c) break;
        out.descriptor = f.descriptor;
        out.convert = c->rerun_convert;
        out.reel_type = c->type();
        out.known = true;
        return out;
      }
    }
  }
  if (arch && archetype.starts_with(kReelArchetypePrefix)) {
    out.descriptor = ComponentDescriptor(arch->name, field, component_type);
    return out;
  }
  out.descriptor = ComponentDescriptor(archetype, field, component_type);
  return out;
}

std::string meta(const arrow::Field& f, const char* key) {
  const std::string* v = arrow::find_metadata(f.metadata, key);
  return v ? *v : std::string();
}

}  // namespace

Result<arrow::RecordBatch> chunk_to_rerun_batch(const Chunk& chunk, Warnings* warnings) {
  auto schema = std::make_shared<arrow::Schema>();
  arrow::RecordBatch batch;
  batch.num_rows = chunk.num_rows();
  schema->metadata = {{"sorbet:version", kSorbetVersion},
                      {"rerun:id", "chunk_" + tuid_hex(chunk.id())},
                      {"rerun:entity_path", chunk.entity_path().str()}};
  arrow::Metadata row_meta = {{"rerun:kind", "control"},
                              {"ARROW:extension:name", "rerun.datatypes.TUID"},
                              {"ARROW:extension:metadata", "{\"namespace\":\"row\"}"}};
  if (chunk.is_sorted()) row_meta.emplace_back("rerun:is_sorted", "true");
  schema->fields.push_back(
      arrow::field("rerun.controls.RowId", arrow::fixed_size_binary(16), false, row_meta));
  batch.columns.push_back(chunk.row_ids().to_arrow());
  for (const auto& t : chunk.timelines()) {
    arrow::Metadata m = {{"rerun:kind", "index"}, {"rerun:index_name", t.name()}};
    if (t.is_sorted()) m.emplace_back("rerun:is_sorted", "true");
    auto type = time_arrow_type(t.timeline().type());
    auto i64 = t.to_arrow();
    schema->fields.push_back(arrow::field(t.name(), type, true, std::move(m)));
    batch.columns.push_back(
        arrow::ArrayData::make(type, i64->length, i64->null_count, i64->buffers, {}, i64->offset));
  }
  for (const auto& c : chunk.components()) {
    RerunColumn r = rerun_column(c.descriptor);
    arrow::ArrayPtr list = c.list.to_arrow();
    auto converted = internal::column_to_rerun(r.convert, list);
    if (!converted.ok()) {
      warn(warnings, "entity " + chunk.entity_path().str() + ", column '" +
                         c.descriptor.identifier() + "': written in reel's layout (" +
                         converted.status().message() + ")");
      r = RerunColumn{std::string(kReelArchetypePrefix) + c.descriptor.archetype(),
                      c.descriptor.identifier(), c.descriptor.component_type()};
      r.component = c.descriptor.archetype() + ":" + c.descriptor.field();
    } else {
      list = *converted;
    }
    arrow::Metadata m = {{"rerun:kind", "data"}, {"rerun:component", r.component}};
    if (!r.archetype.empty()) m.emplace_back("rerun:archetype", r.archetype);
    if (!r.component_type.empty()) m.emplace_back("rerun:component_type", r.component_type);
    schema->fields.push_back(arrow::field(r.component, list->type, true, std::move(m)));
    batch.columns.push_back(std::move(list));
  }
  batch.schema = std::move(schema);
  return batch;
}

Result<ChunkPtr> chunk_from_rerun_batch(const arrow::RecordBatch& batch, Warnings* warnings) {
  const arrow::Schema& schema = *batch.schema;
  const std::string* path = schema.metadata_value("rerun:entity_path");
  if (!path) return Status::Invalid("Rerun chunk without rerun:entity_path metadata");
  auto entity = EntityPath::parse(*path);
  if (!entity.ok()) return entity.status().with_context("rerun:entity_path");
  const std::string where = "chunk of " + entity->str();
  ChunkId id = RowId::create();
  if (const std::string* rid = schema.metadata_value("rerun:id")) {
    std::string_view hex = *rid;
    if (hex.starts_with("chunk_")) hex.remove_prefix(6);
    auto parsed = parse_tuid_hex(hex);
    if (!parsed) return Status::Invalid(where + ": rerun:id '" + *rid + "' is not a chunk id");
    id = *parsed;
  }
  std::optional<RowIdColumn> row_ids;
  std::vector<TimeColumn> times;
  std::vector<ComponentColumn> components;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const arrow::Field& f = *schema.fields[i];
    const arrow::ArrayPtr& column = batch.columns[i];
    const std::string kind = meta(f, "rerun:kind");
    const std::string col = where + ", column '" + f.name + "'";
    if (kind == "control" || (kind.empty() && f.name == "rerun.controls.RowId")) {
      if (row_ids) return Status::Invalid(where + ": two row id columns");
      auto ids = RowIdColumn::from_arrow(column);
      if (!ids.ok()) return ids.status().with_context(col);
      row_ids = std::move(*ids);
    } else if (kind == "index") {
      TimeType tt;
      const auto& type = *column->type;
      if (type.id() == arrow::TypeId::kInt64) {
        tt = TimeType::kSequence;
      } else if (type.id() == arrow::TypeId::kDuration &&
                 type.time_unit() == arrow::TimeUnit::kNano) {
        tt = TimeType::kDuration;
      } else if (type.id() == arrow::TypeId::kTimestamp &&
                 type.time_unit() == arrow::TimeUnit::kNano) {
        tt = TimeType::kTimestamp;
      } else {
        warn(warnings, col + ": index of type " + type.to_string() + " dropped");
        continue;
      }
      const std::string name =
          meta(f, "rerun:index_name").empty() ? f.name : meta(f, "rerun:index_name");
      auto i64 = arrow::ArrayData::make(arrow::int64(), column->length, column->null_count,
                                        column->buffers, {}, column->offset);
      auto t = TimeColumn::from_arrow(Timeline(name, tt), i64);
      if (!t.ok()) return t.status().with_context(col);
      times.push_back(std::move(*t));
    } else if (kind == "data" || kind.empty()) {
      if (column->type->id() != arrow::TypeId::kList) {
        warn(warnings, col + ": component of type " + column->type->to_string() +
                           " dropped (components are lists)");
        continue;
      }
      const std::string component =
          meta(f, "rerun:component").empty() ? f.name : meta(f, "rerun:component");
      ReelColumn r =
          reel_column(meta(f, "rerun:archetype"), component, meta(f, "rerun:component_type"));
      arrow::ArrayPtr list = column;
      if (r.known) {
        auto converted = internal::column_from_rerun(r.convert, column, r.reel_type);
        if (converted.ok() && type_equals((*converted)->type->value_type(), r.reel_type)) {
          list = *converted;
        } else {
          warn(warnings, col + ": kept in Rerun's layout " + column->type->to_string() +
                             (converted.ok() ? ", reel's is list<" + r.reel_type->to_string() + ">"
                                             : " (" + converted.status().message() + ")"));
          r.descriptor = ComponentDescriptor(meta(f, "rerun:archetype"), r.descriptor.field(),
                                             meta(f, "rerun:component_type"));
        }
      }
      auto lc = ListColumn::from_arrow(list, true);
      if (!lc.ok()) return lc.status().with_context(col);
      components.push_back({r.descriptor, std::move(*lc)});
    } else {
      warn(warnings, col + ": rerun:kind '" + kind + "' dropped");
    }
  }
  if (!row_ids) return Status::Invalid(where + ": no row id column");
  return Chunk::make(id, std::move(*entity), std::move(*row_ids), std::move(times),
                     std::move(components));
}

Result<std::vector<uint8_t>> encode_rerun_chunk(const Chunk& chunk, Warnings* warnings) {
  REEL_ASSIGN_OR_RETURN(auto batch, chunk_to_rerun_batch(chunk, warnings));
  std::vector<uint8_t> out;
  REEL_RETURN_NOT_OK(arrow::ipc::write_stream(batch, out));
  return out;
}

Result<ChunkPtr> decode_rerun_chunk(const ArrowMsg& msg, Warnings* warnings,
                                    std::vector<DroppedColumn>* dropped) {
  if (!msg.payload) return Status::Invalid("ArrowMsg without a payload");
  std::vector<arrow::ipc::SkippedField> skipped;
  REEL_ASSIGN_OR_RETURN(
      auto batch,
      arrow::ipc::read_stream({msg.payload->data(), msg.payload->size()}, msg.payload, &skipped));
  REEL_ASSIGN_OR_RETURN(auto chunk, chunk_from_rerun_batch(batch, warnings));
  for (const auto& f : skipped) {
    if (dropped) {
      dropped->push_back({f.name, f.type});
    } else {
      warn(warnings, "chunk of " + chunk->entity_path().str() + ", column '" + f.name +
                         "': dropped, reel does not represent its Arrow type " + f.type);
    }
  }
  return chunk;
}

SetStoreInfo to_set_store_info(const StoreInfo& info) {
  SetStoreInfo s;
  const RowId id = RowId::create();
  s.row_id = {info.started_ns > 0 ? uint64_t(info.started_ns) : id.time_ns, id.inc};
  s.store_id.kind = info.is_blueprint ? StoreKind::kBlueprint : StoreKind::kRecording;
  s.store_id.application_id = info.application_id;
  s.store_id.recording_id = info.recording_id;
  s.source = reel_store_source();
  s.store_version = kWrittenVersion;
  return s;
}

}  // namespace reel::format::rrd
