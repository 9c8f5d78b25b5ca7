#include "reel/chunk/chunk_arrow.hpp"
#include "reel/common/utf8.hpp"

#include <cstdio>

namespace reel {

namespace {

// Parses 32 hex digits into a RowId.
Result<RowId> parse_row_id(const std::string& hex) {
  if (hex.size() != 32) return Status::Invalid("chunk id '" + hex + "' is not 32 hex digits");
  uint64_t parts[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    char c = hex[i];
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) return Status::Invalid("chunk id '" + hex + "' is not 32 hex digits");
    parts[i / 16] = parts[i / 16] << 4 | uint64_t(v);
  }
  return RowId{parts[0], parts[1]};
}

}  // namespace

Result<arrow::RecordBatch> chunk_to_record_batch(const Chunk& chunk) {
  auto schema = std::make_shared<arrow::Schema>();
  arrow::RecordBatch batch;
  batch.num_rows = chunk.num_rows();
  schema->metadata = {{"reel.version", "1"},
                      {"reel.entity_path", chunk.entity_path().str()},
                      {"reel.chunk_id", chunk.id().to_string()},
                      {"reel.is_sorted", chunk.is_sorted() ? "true" : "false"}};
  schema->fields.push_back(
      arrow::field("reel.row_id", arrow::fixed_size_binary(16), false, {{"reel.kind", "row_id"}}));
  batch.columns.push_back(chunk.row_ids().to_arrow());
  for (const auto& t : chunk.timelines()) {
    schema->fields.push_back(arrow::field(t.name(), arrow::int64(), false,
                                          {{"reel.kind", "time"},
                                           {"reel.time_type", time_type_name(t.timeline().type())},
                                           {"reel.is_sorted", t.is_sorted() ? "true" : "false"}}));
    batch.columns.push_back(t.to_arrow());
  }
  for (const auto& c : chunk.components()) {
    auto list = c.list.to_arrow();
    schema->fields.push_back(
        arrow::field(c.descriptor.identifier(), list->type, true,
                     {{"reel.kind", "component"},
                      {"reel.archetype", c.descriptor.archetype()},
                      {"reel.archetype_field", c.descriptor.field()},
                      {"reel.component_type", c.descriptor.component_type()}}));
    batch.columns.push_back(std::move(list));
  }
  batch.schema = std::move(schema);
  return batch;
}

Result<ChunkPtr> chunk_from_record_batch(const arrow::RecordBatch& batch) {
  const arrow::Schema& schema = *batch.schema;
  const std::string* path = schema.metadata_value("reel.entity_path");
  if (!path)
    return Status::Invalid("record batch is not a reel chunk: no reel.entity_path metadata");
  auto entity = EntityPath::parse(*path);
  if (!entity.ok()) return entity.status().with_context("reel.entity_path");
  ChunkId id = RowId::create();
  if (const std::string* hex = schema.metadata_value("reel.chunk_id")) {
    REEL_ASSIGN_OR_RETURN(id, parse_row_id(*hex));
  }
  const std::string where = "chunk of " + entity->str();
  std::optional<RowIdColumn> row_ids;
  std::vector<TimeColumn> times;
  std::vector<ComponentColumn> components;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const arrow::Field& f = *schema.fields[i];
    const arrow::ArrayPtr& column = batch.columns[i];
    if (auto bad = utf8::first_invalid(f.name)) {
      return Status::Invalid(where + ": column name: " + utf8::describe_invalid(f.name, *bad));
    }
    const std::string* kind = arrow::find_metadata(f.metadata, "reel.kind");
    if (!kind) {
      return Status::Invalid(where + ": column '" + f.name + "' has no reel.kind metadata");
    }
    if (*kind == "row_id") {
      if (row_ids) return Status::Invalid(where + ": two row id columns");
      auto ids = RowIdColumn::from_arrow(column);
      if (!ids.ok()) return ids.status().with_context(where + ", column '" + f.name + "'");
      row_ids = std::move(*ids);
    } else if (*kind == "time") {
      const std::string* tt = arrow::find_metadata(f.metadata, "reel.time_type");
      if (!tt)
        return Status::Invalid(where + ": time column '" + f.name + "' has no reel.time_type");
      auto type = parse_time_type(*tt);
      if (!type.ok()) return type.status().with_context(where + ", time column '" + f.name + "'");
      auto t = TimeColumn::from_arrow(Timeline(f.name, *type), column);
      if (!t.ok()) return t.status().with_context(where);
      times.push_back(std::move(*t));
    } else if (*kind == "component") {
      auto meta = [&](const char* key) {
        const std::string* v = arrow::find_metadata(f.metadata, key);
        return v ? *v : std::string();
      };
      for (const char* key : {"reel.archetype", "reel.archetype_field", "reel.component_type"}) {
        const std::string v = meta(key);
        if (auto bad = utf8::first_invalid(v)) {
          return Status::Invalid(where + ", component '" + utf8::replace_invalid(f.name) +
                                 "': " + key + ": " + utf8::describe_invalid(v, *bad));
        }
      }
      ComponentDescriptor d(meta("reel.archetype"), meta("reel.archetype_field"),
                            meta("reel.component_type"));
      if (d.field().empty()) d = ComponentDescriptor::from_identifier(f.name);
      auto list = ListColumn::from_arrow(column, true);
      if (!list.ok()) return list.status().with_context(where + ", component '" + f.name + "'");
      components.push_back({d, std::move(*list)});
    } else {
      return Status::Invalid(where + ": column '" + f.name + "' has unknown reel.kind '" + *kind +
                             "'");
    }
  }
  if (!row_ids) return Status::Invalid(where + ": no row id column");
  return Chunk::make(id, std::move(*entity), std::move(*row_ids), std::move(times),
                     std::move(components));
}

}  // namespace reel
