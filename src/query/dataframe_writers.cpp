// Dataframe output: CSV, JSON lines, Arrow IPC stream.
#include <nlohmann/json.hpp>

#include <algorithm>

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

// A component cell: null, the single instance, or an array of instances.
json cell_json(const arrow::ArrayData& list, int64_t row) {
  if (list.is_null(row)) return nullptr;
  json instances = value_json(list, row);
  if (instances.is_array() && instances.size() == 1) return instances[0];
  return instances;
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

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_escape(v.get<std::string>());
  return csv_escape(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// An aligned text table for a terminal: a header, a rule, then the rows (at most
// kMaxTableRows; the rest are counted, not shown). Cells as in CSV, strings unquoted.
constexpr int64_t kMaxTableRows = 1000;

Result<int64_t> write_text_table(RecordBatchReader& reader, std::ostream& out) {
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
      for (const auto& col : batch->columns) {
        json v = cell_json(*col, r);
        row.push_back(v.is_null() ? "null" : v.is_string() ? v.get<std::string>() : v.dump());
      }
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

Result<int64_t> write_table(const View& view, OutputFormat format, std::ostream& out) {
  REEL_ASSIGN_OR_RETURN(auto reader, view.read());
  return write_table(*reader, format, out);
}

Result<int64_t> write_table(RecordBatchReader& reader, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kTable) return write_text_table(reader, out);
  const auto& schema = *reader.schema();
  int64_t rows = 0;
  std::vector<uint8_t> bytes;
  if (format == OutputFormat::kCsv) {
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      out << (f ? "," : "") << csv_escape(schema.fields[f]->name);
    }
    out << "\n";
  } else if (format == OutputFormat::kArrow) {
    REEL_RETURN_NOT_OK(arrow::ipc::write_schema_message(schema, bytes));
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto batch, reader.next());
    if (!batch) break;
    rows += batch->num_rows;
    if (format == OutputFormat::kArrow) {
      bytes.clear();
      REEL_RETURN_NOT_OK(arrow::ipc::write_record_batch_message(*batch, bytes));
      out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      continue;
    }
    for (int64_t r = 0; r < batch->num_rows; ++r) {
      if (format == OutputFormat::kCsv) {
        for (size_t c = 0; c < batch->columns.size(); ++c) {
          if (c) out << ',';
          out << csv_cell(cell_json(*batch->columns[c], r));
        }
        out << '\n';
      } else {
        json row = json::object();
        for (size_t c = 0; c < batch->columns.size(); ++c) {
          row[schema.fields[c]->name] = cell_json(*batch->columns[c], r);
        }
        out << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      }
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

}  // namespace reel::dataframe
