// Schema and RecordBatch: equal-length named columns, the unit of Arrow IPC.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reel/arrow/array.hpp"

namespace reel::arrow {

struct Schema {
  std::vector<FieldPtr> fields;
  Metadata metadata;

  int field_index(std::string_view name) const;  // -1 if absent
  const std::string* metadata_value(std::string_view key) const;
};
using SchemaPtr = std::shared_ptr<const Schema>;

// Columns share the schema's order; every column has num_rows values.
struct RecordBatch {
  SchemaPtr schema;
  int64_t num_rows = 0;
  std::vector<ArrayPtr> columns;

  // Checks column count, types against the schema, lengths and each array's layout.
  Status validate() const;
};

const std::string* find_metadata(const Metadata& metadata, std::string_view key);

}  // namespace reel::arrow
