// Dataframe output: CSV, JSON lines, Arrow IPC stream, text tables; times as text.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "query/dataframe_internal.hpp"
#include "reel/arrow/ipc.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::dataframe {

namespace {

using nlohmann::json;

// One Arrow value as JSON (numbers, strings, arrays of bytes, nested arrays and objects).
json value_json(const arrow::ArrayData& a, int64_t i) {
  using arrow::TypeId;
  if (a.is_null(i)) return nullptr;
  switch (a.type->id()) {
    case TypeId::kBool:
      return arrow::bit_util::get_bit(a.buffers[1]->data(), a.offset + i);
    case TypeId::kInt8:
      return a.values<int8_t>()[i];
    case TypeId::kInt16:
      return a.values<int16_t>()[i];
    case TypeId::kInt32:
      return a.values<int32_t>()[i];
    case TypeId::kInt64:
      return a.values<int64_t>()[i];
    case TypeId::kUInt8:
      return a.values<uint8_t>()[i];
    case TypeId::kUInt16:
      return a.values<uint16_t>()[i];
    case TypeId::kUInt32:
      return a.values<uint32_t>()[i];
    case TypeId::kUInt64:
      return a.values<uint64_t>()[i];
    case TypeId::kFloat32:
      return double(a.values<float>()[i]);
    case TypeId::kFloat64:
      return a.values<double>()[i];
    case TypeId::kUtf8: {
      const int32_t* o = a.values<int32_t>(1);
      return std::string(reinterpret_cast<const char*>(a.buffers[2]->data()) + o[i],
                         size_t(o[i + 1] - o[i]));
    }
    case TypeId::kBinary: {
      const int32_t* o = a.values<int32_t>(1);
      return "<" + std::to_string(o[i + 1] - o[i]) + " bytes>";
    }
    case TypeId::kList: {
      const int32_t* o = a.values<int32_t>(1);
      json out = json::array();
      for (int32_t k = o[i]; k < o[i + 1]; ++k) out.push_back(value_json(*a.children[0], k));
      return out;
    }
    case TypeId::kFixedSizeList: {
      const int64_t ls = a.type->list_size();
      json out = json::array();
      for (int64_t k = 0; k < ls; ++k)
        out.push_back(value_json(*a.children[0], (a.offset + i) * ls + k));
      return out;
    }
    case TypeId::kStruct: {
      json out = json::object();
      for (size_t f = 0; f < a.children.size(); ++f) {
        out[a.type->fields()[f]->name] = value_json(*a.children[f], a.offset + i);
      }
      return out;
    }
    default:
      return nullptr;
  }
}

// One Arrow value as JSON text: as value_json, except that timestamps are ISO 8601 strings
// and durations decimal seconds (exact JSON numbers), unless `raw` (their integers).
void append_json(std::string& out, const arrow::ArrayData& a, int64_t i, bool raw);

void append_list(std::string& out, const arrow::ArrayData& child, int64_t from, int64_t to,
                 bool raw) {
  out += '[';
  for (int64_t k = from; k < to; ++k) {
    if (k > from) out += ',';
    append_json(out, child, k, raw);
  }
  out += ']';
}

void append_json(std::string& out, const arrow::ArrayData& a, int64_t i, bool raw) {
  using arrow::TypeId;
  if (a.is_null(i)) {
    out += "null";
    return;
  }
  switch (a.type->id()) {
    case TypeId::kTimestamp:
      if (raw) break;
      out += '"';
      out += internal::timestamp_text(a.values<int64_t>()[i], a.type->time_unit(),
                                      !a.type->timezone().empty());
      out += '"';
      return;
    case TypeId::kDuration:
      if (raw) break;
      out += internal::seconds_text(a.values<int64_t>()[i], a.type->time_unit());
      return;
    case TypeId::kList: {
      const int32_t* o = a.values<int32_t>(1);
      append_list(out, *a.children[0], o[i], o[i + 1], raw);
      return;
    }
    case TypeId::kFixedSizeList: {
      const int64_t ls = a.type->list_size();
      append_list(out, *a.children[0], (a.offset + i) * ls, (a.offset + i + 1) * ls, raw);
      return;
    }
    case TypeId::kStruct: {
      // Keys in name order, as a JSON object prints them.
      std::map<std::string, size_t> order;
      for (size_t f = 0; f < a.children.size(); ++f) order.emplace(a.type->fields()[f]->name, f);
      out += '{';
      bool first = true;
      for (const auto& [name, f] : order) {
        if (!first) out += ',';
        first = false;
        out += json(name).dump(-1, ' ', false, json::error_handler_t::replace);
        out += ':';
        append_json(out, *a.children[f], a.offset + i, raw);
      }
      out += '}';
      return;
    }
    default:
      break;
  }
  if (a.type->id() == TypeId::kTimestamp || a.type->id() == TypeId::kDuration) {
    out += std::to_string(a.values<int64_t>()[i]);
    return;
  }
  out += value_json(a, i).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A cell: a component list's single instance, or the list of its instances, or a plain
// value (the index). Returns the array and row of what the cell shows.
struct CellRef {
  const arrow::ArrayData* array = nullptr;  // null: the cell is null
  int64_t row = 0;
};

CellRef cell_ref(const arrow::ArrayData& column, int64_t row) {
  if (column.is_null(row)) return {};
  if (column.type->id() == arrow::TypeId::kList) {
    const int32_t* o = column.values<int32_t>(1);
    if (o[row + 1] - o[row] == 1) return {column.children[0].get(), o[row]};
  }
  return {&column, row};
}

// The cell as JSON text ("null" when null).
std::string cell_json_text(const arrow::ArrayData& column, int64_t row, bool raw) {
  CellRef c = cell_ref(column, row);
  std::string out;
  if (!c.array) return "null";
  append_json(out, *c.array, c.row, raw);
  return out;
}

// The cell as CSV / table text: strings (and ISO timestamps) bare, other values as JSON;
// nullopt when null.
std::optional<std::string> cell_text(const arrow::ArrayData& column, int64_t row, bool raw) {
  CellRef c = cell_ref(column, row);
  if (!c.array || c.array->is_null(c.row)) return std::nullopt;
  const auto id = c.array->type->id();
  if (id == arrow::TypeId::kUtf8) return value_json(*c.array, c.row).get<std::string>();
  if (id == arrow::TypeId::kBinary) return value_json(*c.array, c.row).get<std::string>();
  if (id == arrow::TypeId::kTimestamp && !raw) {
    const auto& t = *c.array->type;
    return internal::timestamp_text(c.array->values<int64_t>()[c.row], t.time_unit(),
                                    !t.timezone().empty());
  }
  std::string out;
  append_json(out, *c.array, c.row, raw);
  return out;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// With raw times, top-level timestamp and duration columns become int64 (same buffers).
bool is_time(const arrow::TypePtr& t) {
  return t->id() == arrow::TypeId::kTimestamp || t->id() == arrow::TypeId::kDuration;
}

arrow::SchemaPtr raw_schema(const arrow::Schema& schema) {
  auto out = std::make_shared<arrow::Schema>(schema);
  for (auto& f : out->fields) {
    if (!is_time(f->type)) continue;
    f = arrow::field(f->name, arrow::int64(), f->nullable, f->metadata);
  }
  return out;
}

arrow::RecordBatch raw_batch(const arrow::RecordBatch& batch, const arrow::SchemaPtr& schema) {
  arrow::RecordBatch out = batch;
  out.schema = schema;
  for (auto& c : out.columns) {
    if (!is_time(c->type)) continue;
    auto a = std::make_shared<arrow::ArrayData>(*c);
    a->type = arrow::int64();
    c = std::move(a);
  }
  return out;
}

// An aligned text table for a terminal: a header, a rule, then the rows (at most
// kMaxTableRows; the rest are counted, not shown). Cells as in CSV, strings unquoted.
constexpr int64_t kMaxTableRows = 1000;

Result<int64_t> write_text_table(RecordBatchReader& reader, std::ostream& out, bool raw) {
  const auto& schema = *reader.schema();
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header;
  for (const auto& f : schema.fields) header.push_back(f->name);
  int64_t rows = 0;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
    if (!batch) break;
    for (int64_t r = 0; r < batch->num_rows; ++r, ++rows) {
      if (rows >= kMaxTableRows) continue;
      std::vector<std::string> row;
      for (const auto& col : batch->columns)
        row.push_back(cell_text(*col, r, raw).value_or("null"));
      cells.push_back(std::move(row));
    }
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      out << (c ? " | " : "") << row[c];
      if (c + 1 < row.size()) out << std::string(width[c] - row[c].size(), ' ');
    }
    out << '\n';
  };
  line(header);
  for (size_t c = 0; c < width.size(); ++c) out << (c ? "-+-" : "") << std::string(width[c], '-');
  out << '\n';
  for (const auto& row : cells) line(row);
  if (rows > kMaxTableRows) {
    out << "(" << rows << " rows, the first " << kMaxTableRows
        << " shown; --format csv, json or arrow writes them all)\n";
  }
  if (!out) return Status::IOError("writing the table failed (disk full or closed pipe?)");
  return rows;
}

}  // namespace

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "arrow") return OutputFormat::kArrow;
  return Status::Invalid("unknown format '" + std::string(name) +
                         "' (expected csv, json or arrow)");
}

Result<int64_t> write_table(const View& view, OutputFormat format, std::ostream& out,
                            const WriteOptions& options) {
  REEL_ASSIGN_OR_RETURN(auto reader, view.read());
  return write_table(*reader, format, out, options);
}

Result<int64_t> write_table(RecordBatchReader& reader, OutputFormat format, std::ostream& out,
                            const WriteOptions& options) {
  const bool raw = options.raw_times;
  if (format == OutputFormat::kTable) return write_text_table(reader, out, raw);
  const auto& schema = *reader.schema();
  int64_t rows = 0;
  std::vector<uint8_t> bytes;
  arrow::SchemaPtr arrow_schema = raw ? raw_schema(schema) : reader.schema();
  // JSON objects list their keys in name order.
  std::map<std::string, size_t> json_order;
  std::vector<std::string> json_keys(schema.fields.size());
  if (format == OutputFormat::kCsv) {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      out << (f ? "," : "") << csv_escape(schema.fields[f]->name);
    }
    out << "\n";
  } else if (format == OutputFormat::kArrow) {
    REEL_RETURN_NOT_OK(arrow::ipc::write_schema_message(*arrow_schema, bytes));
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  } else {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      json_order[schema.fields[f]->name] = f;  // a repeated name: the last column
      json_keys[f] =
          json(schema.fields[f]->name).dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  std::string line;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
    if (!batch) break;
    rows += batch->num_rows;
    if (format == OutputFormat::kArrow) {
      bytes.clear();
      REEL_RETURN_NOT_OK(arrow::ipc::write_record_batch_message(
          raw ? raw_batch(*batch, arrow_schema) : *batch, bytes));
      out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      continue;
    }
    for (int64_t r = 0; r < batch->num_rows; ++r) {
      line.clear();
      if (format == OutputFormat::kCsv) {
        for (size_t c = 0; c < batch->columns.size(); ++c) {
          if (c) line += ',';
          if (auto text = cell_text(*batch->columns[c], r, raw)) line += csv_escape(*text);
        }
      } else {
        line += '{';
        bool first = true;
        for (const auto& [name, c] : json_order) {
          if (!first) line += ',';
          first = false;
          line += json_keys[c];
          line += ':';
          line += cell_json_text(*batch->columns[c], r, raw);
        }
        line += '}';
      }
      line += '\n';
      out << line;
    }
  }
  if (format == OutputFormat::kArrow) {
    bytes.clear();
    arrow::ipc::write_end_of_stream(bytes);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  if (!out) return Status::IOError("writing the table failed (disk full or closed pipe?)");
  return rows;
}

namespace internal {

namespace {

// Times as text (see write_table): the value split into whole seconds (floored) and
// nanoseconds, whatever the unit.
struct SecondsNanos {
  int64_t secs = 0;
  int64_t nanos = 0;  // [0, 1e9)
};

SecondsNanos split_time(int64_t v, arrow::TimeUnit unit) {
  int64_t per_second = 1, ns_per_tick = 1;
  switch (unit) {
    case arrow::TimeUnit::kSecond:
      return {v, 0};
    case arrow::TimeUnit::kMilli:
      per_second = 1000, ns_per_tick = 1000000;
      break;
    case arrow::TimeUnit::kMicro:
      per_second = 1000000, ns_per_tick = 1000;
      break;
    case arrow::TimeUnit::kNano:
      per_second = 1000000000, ns_per_tick = 1;
      break;
  }
  int64_t secs = v / per_second, rest = v % per_second;
  if (rest < 0) rest += per_second, secs -= 1;
  return {secs, rest * ns_per_tick};
}

// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
// civil_from_days).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = int64_t(yoe) + era * 400 + (m <= 2);
}

}  // namespace

std::string timestamp_text(int64_t value, arrow::TimeUnit unit, bool utc) {
  const SecondsNanos t = split_time(value, unit);
  int64_t days = t.secs / 86400, in_day = t.secs % 86400;
  if (in_day < 0) in_day += 86400, days -= 1;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lld%s",
                static_cast<long long>(y), m, d, static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(t.nanos), utc ? "Z" : "");
  return buf;
}

std::string seconds_text(int64_t value, arrow::TimeUnit unit) {
  SecondsNanos t = split_time(value, unit);
  const bool negative = t.secs < 0;
  // |value| as whole seconds and nanoseconds (floored parts of a negative value flipped).
  uint64_t secs = negative ? uint64_t(-(t.secs + 1)) : uint64_t(t.secs);
  int64_t nanos = t.nanos;
  if (negative) {
    if (nanos == 0) {
      secs += 1;
    } else {
      nanos = 1000000000 - nanos;
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%llu.%09lld", negative ? "-" : "",
                static_cast<unsigned long long>(secs), static_cast<long long>(nanos));
  return buf;
}

}  // namespace internal

}  // namespace reel::dataframe
