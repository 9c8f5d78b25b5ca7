// reel_scan: a DuckDB table function (C API) over Dataset::read_rows. Bind opens the dataset
// and declares the columns; init receives the projection and opens a reader of just those
// columns; each call converts the next at most duckdb_vector_size() rows from reel's Arrow
// arrays to a DuckDB data chunk (duckdb_data_chunk_from_arrow) and hands its vectors to the
// output by reference (duckdb_vector_reference_vector).
#include <algorithm>
#include <cstring>

#include "reel/arrow/c_data.hpp"
#include "sql/session_internal.hpp"

namespace reel::sql::internal {

namespace {

using dataframe::RowsColumn;

struct ScanBind {
  Session::Impl* session = nullptr;
  std::optional<dataframe::Dataset> dataset;
  dataframe::RowsOptions options;
  std::vector<RowsColumn> columns;
  bool raw_time = false;
};

struct ScanInit {
  const DuckDbApi* api = nullptr;
  std::unique_ptr<dataframe::RecordBatchReader> reader;
  duckdb_arrow_converted_schema converted = nullptr;
  std::optional<arrow::RecordBatch> batch;
  int64_t offset = 0;
  size_t columns = 0;  // projected columns in the output
  ~ScanInit() {
    if (converted) api->duckdb_destroy_arrow_converted_schema(&converted);
  }
};

// The Arrow C schema DuckDB converts from: reel's, with time columns typed as Arrow
// timestamp[ns] / duration[ns] (the same int64 buffers), unless raw_time.
Result<duckdb_arrow_converted_schema> convert_schema(const Session::Impl& s,
                                                     const arrow::Schema& schema, bool raw_time) {
  ArrowSchema c{};
  REEL_RETURN_NOT_OK(arrow::export_schema(schema, &c));
  if (!raw_time) {
    for (int64_t i = 0; i < c.n_children; ++i) {
      const auto* kind = arrow::find_metadata(schema.fields[size_t(i)]->metadata, "reel.time_type");
      if (!kind) continue;
      // Static strings: the schema's release frees its private data, never `format`.
      if (*kind == "timestamp") c.children[i]->format = "tsn:";
      if (*kind == "duration") c.children[i]->format = "tDn";
    }
  }
  duckdb_arrow_converted_schema out = nullptr;
  Status st =
      take_error(*s.api, s.api->duckdb_schema_from_arrow(s.convert, &c, &out), "reel_scan schema");
  c.release(&c);
  if (!st.ok()) return st;
  return out;
}

// A DuckDB data chunk of `batch` (at most duckdb_vector_size() rows).
Result<duckdb_data_chunk> to_chunk(const Session::Impl& s, const arrow::RecordBatch& batch,
                                   duckdb_arrow_converted_schema converted) {
  ArrowArray a{};
  REEL_RETURN_NOT_OK(arrow::export_record_batch(batch, &a));
  duckdb_data_chunk chunk = nullptr;
  Status st =
      take_error(*s.api, s.api->duckdb_data_chunk_from_arrow(s.convert, &a, converted, &chunk),
                 "reel_scan conversion");
  if (a.release) a.release(&a);  // DuckDB took it unless the conversion failed early
  if (!st.ok()) return st;
  return chunk;
}

std::string take_string(const DuckDbApi& api, duckdb_value v) {
  char* text = api.duckdb_get_varchar(v);
  std::string out = text ? text : "";
  api.duckdb_free(text);
  return out;
}

// min := / max := as a reel time: integers as they are, timestamps and intervals in ns.
Result<TimeInt> time_value(const DuckDbApi& api, duckdb_value v, const char* name) {
  switch (api.duckdb_get_type_id(api.duckdb_get_value_type(v))) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_INTEGER_LITERAL:
      return api.duckdb_get_int64(v);
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return api.duckdb_get_timestamp(v).micros * 1000;
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return api.duckdb_get_timestamp_ns(v).nanos;
    case DUCKDB_TYPE_INTERVAL: {
      duckdb_interval i = api.duckdb_get_interval(v);
      return ((int64_t(i.months) * 30 + i.days) * 86'400'000'000LL + i.micros) * 1000;
    }
    default:
      return Status::TypeError(std::string("reel_scan: ") + name +
                               " must be an integer (a sequence, or nanoseconds), a TIMESTAMP or "
                               "an INTERVAL");
  }
}

Status bind_parameters(const DuckDbApi& api, duckdb_bind_info info, ScanBind& b,
                       std::vector<std::string>& paths) {
  duckdb_value path = api.duckdb_bind_get_parameter(info, 0);
  Status st;
  if (!path || api.duckdb_is_null_value(path)) {
    st = Status::Invalid("reel_scan: the path (a file, directory, glob or list of them) is NULL");
  } else if (api.duckdb_get_type_id(api.duckdb_get_value_type(path)) == DUCKDB_TYPE_LIST) {
    const idx_t n = api.duckdb_get_list_size(path);
    for (idx_t i = 0; i < n; ++i) {
      duckdb_value item = api.duckdb_get_list_child(path, i);
      paths.push_back(take_string(api, item));
      api.duckdb_destroy_value(&item);
    }
  } else {
    paths.push_back(take_string(api, path));
  }
  if (path) api.duckdb_destroy_value(&path);
  REEL_RETURN_NOT_OK(st);
  auto named = [&](const char* name, auto&& use) -> Status {
    duckdb_value v = api.duckdb_bind_get_named_parameter(info, name);
    if (!v) return Status::OK();
    Status s = api.duckdb_is_null_value(v) ? Status::OK() : use(v);
    api.duckdb_destroy_value(&v);
    return s;
  };
  auto& o = b.options;
  REEL_RETURN_NOT_OK(named("entity", [&](duckdb_value v) {
    o.entities = take_string(api, v);
    return Status::OK();
  }));
  REEL_RETURN_NOT_OK(named("archetype", [&](duckdb_value v) {
    o.archetype = take_string(api, v);
    return Status::OK();
  }));
  REEL_RETURN_NOT_OK(named("index", [&](duckdb_value v) {
    o.index = take_string(api, v);
    return Status::OK();
  }));
  REEL_RETURN_NOT_OK(named("recording_id", [&](duckdb_value v) {
    o.recording_id = take_string(api, v);
    return Status::OK();
  }));
  REEL_RETURN_NOT_OK(named("raw_time", [&](duckdb_value v) {
    b.raw_time = api.duckdb_get_bool(v);
    return Status::OK();
  }));
  for (const char* bound : {"min", "max"}) {
    REEL_RETURN_NOT_OK(named(bound, [&](duckdb_value v) -> Status {
      REEL_ASSIGN_OR_RETURN(TimeInt t, time_value(api, v, bound));
      (std::strcmp(bound, "min") == 0 ? o.range.min : o.range.max) = t;
      return Status::OK();
    }));
  }
  if ((o.range.min != kTimeMin || o.range.max != kTimeMax) && !o.index) {
    return Status::Invalid("reel_scan: min := and max := need index := (the timeline they bound)");
  }
  return Status::OK();
}

void scan_bind(duckdb_bind_info info) {
  auto* s =
      static_cast<Session::Impl*>(duckdb_api().value_or_die()->duckdb_bind_get_extra_info(info));
  const DuckDbApi& api = *s->api;
  auto b = std::make_unique<ScanBind>();
  b->session = s;
  std::vector<std::string> paths;
  Status st = bind_parameters(api, info, *b, paths);
  if (st.ok()) {
    auto ds = s->dataset(paths);
    if (ds.ok()) {
      b->dataset = std::move(*ds);
    } else {
      st = ds.status();
    }
  }
  if (st.ok()) {
    auto cols = b->dataset->rows_schema(b->options);
    if (cols.ok()) {
      b->columns = std::move(*cols);
    } else {
      st = cols.status();
    }
  }
  // The DuckDB type of every column, as DuckDB converts it: one row of nulls, converted.
  duckdb_arrow_converted_schema converted = nullptr;
  duckdb_data_chunk chunk = nullptr;
  if (st.ok()) {
    auto schema = std::make_shared<arrow::Schema>();
    arrow::RecordBatch one;
    one.num_rows = 1;
    for (const auto& c : b->columns) {
      schema->fields.push_back(
          arrow::field(c.name, c.type, true,
                       c.kind == RowsColumn::Kind::kTime
                           ? arrow::Metadata{{"reel.time_type", time_type_name(c.timeline.type())}}
                           : arrow::Metadata{}));
      one.columns.push_back(arrow::make_null_array(c.type, 1));
    }
    one.schema = schema;
    auto conv = convert_schema(*s, *schema, b->raw_time);
    if (conv.ok()) {
      converted = *conv;
      auto ch = to_chunk(*s, one, converted);
      if (ch.ok()) {
        chunk = *ch;
      } else {
        st = ch.status();
      }
    } else {
      st = conv.status();
    }
  }
  if (st.ok()) {
    for (size_t i = 0; i < b->columns.size(); ++i) {
      duckdb_logical_type t =
          api.duckdb_vector_get_column_type(api.duckdb_data_chunk_get_vector(chunk, idx_t(i)));
      api.duckdb_bind_add_result_column(info, b->columns[i].name.c_str(), t);
      api.duckdb_destroy_logical_type(&t);
    }
  }
  if (chunk) api.duckdb_destroy_data_chunk(&chunk);
  if (converted) api.duckdb_destroy_arrow_converted_schema(&converted);
  if (!st.ok()) {
    api.duckdb_bind_set_error(info, st.message().c_str());
    return;
  }
  api.duckdb_bind_set_bind_data(info, b.release(),
                                [](void* p) { delete static_cast<ScanBind*>(p); });
}

void scan_init(duckdb_init_info info) {
  const DuckDbApi& api = *duckdb_api().value_or_die();
  auto* b = static_cast<ScanBind*>(api.duckdb_init_get_bind_data(info));
  auto init = std::make_unique<ScanInit>();
  init->api = &api;
  api.duckdb_init_set_max_threads(info, 1);  // one reader; it loads recordings in parallel
  dataframe::RowsOptions o = b->options;
  std::vector<std::string> names;
  const idx_t n = api.duckdb_init_get_column_count(info);
  for (idx_t i = 0; i < n; ++i) {
    const idx_t c = api.duckdb_init_get_column_index(info, i);
    if (c < b->columns.size()) names.push_back(b->columns[c].name);
  }
  init->columns = names.size();
  // No column asked for (count(*)): rows are still counted, from the cheapest column.
  if (names.empty()) names.push_back("entity_path");
  o.columns = names;
  Status st;
  auto reader = b->dataset->read_rows(o);
  if (reader.ok()) {
    init->reader = std::move(*reader);
    auto conv = convert_schema(*b->session, *init->reader->schema(), b->raw_time);
    if (conv.ok()) {
      init->converted = *conv;
    } else {
      st = conv.status();
    }
  } else {
    st = reader.status();
  }
  if (!st.ok()) {
    api.duckdb_init_set_error(info, st.message().c_str());
    return;
  }
  api.duckdb_init_set_init_data(info, init.release(),
                                [](void* p) { delete static_cast<ScanInit*>(p); });
}

void scan_function(duckdb_function_info info, duckdb_data_chunk output) {
  const DuckDbApi& api = *duckdb_api().value_or_die();
  auto* b = static_cast<ScanBind*>(api.duckdb_function_get_bind_data(info));
  auto* s = static_cast<ScanInit*>(api.duckdb_function_get_init_data(info));
  while (!s->batch || s->offset >= s->batch->num_rows) {
    auto next = s->reader->next();
    if (!next.ok()) {
      api.duckdb_function_set_error(info, next.status().message().c_str());
      return;
    }
    if (!*next) {
      api.duckdb_data_chunk_set_size(output, 0);
      return;
    }
    s->batch = std::move(*next);
    s->offset = 0;
  }
  const int64_t rows =
      std::min<int64_t>(int64_t(api.duckdb_vector_size()), s->batch->num_rows - s->offset);
  if (s->columns > 0) {
    arrow::RecordBatch slice;
    slice.schema = s->batch->schema;
    slice.num_rows = rows;
    for (const auto& c : s->batch->columns) slice.columns.push_back(c->slice(s->offset, rows));
    auto chunk = to_chunk(*b->session, slice, s->converted);
    if (!chunk.ok()) {
      api.duckdb_function_set_error(info, chunk.status().message().c_str());
      return;
    }
    for (size_t i = 0; i < s->columns; ++i) {
      api.duckdb_vector_reference_vector(api.duckdb_data_chunk_get_vector(output, idx_t(i)),
                                         api.duckdb_data_chunk_get_vector(*chunk, idx_t(i)));
    }
    api.duckdb_destroy_data_chunk(&*chunk);
  }
  s->offset += rows;
  api.duckdb_data_chunk_set_size(output, idx_t(rows));
}

}  // namespace

Status take_error(const DuckDbApi& api, duckdb_error_data error, const std::string& context) {
  if (!error) return Status::OK();
  Status st;
  if (api.duckdb_error_data_has_error(error)) {
    st = Status::Invalid(context + ": " + api.duckdb_error_data_message(error));
  }
  api.duckdb_destroy_error_data(&error);
  return st;
}

Status register_reel_scan(Session::Impl& s) {
  const DuckDbApi& api = *s.api;
  duckdb_table_function f = api.duckdb_create_table_function();
  api.duckdb_table_function_set_name(f, "reel_scan");
  duckdb_logical_type any = api.duckdb_create_logical_type(DUCKDB_TYPE_ANY);
  duckdb_logical_type text = api.duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type boolean = api.duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
  api.duckdb_table_function_add_parameter(f, any);
  for (const char* name : {"entity", "index", "archetype", "recording_id"}) {
    api.duckdb_table_function_add_named_parameter(f, name, text);
  }
  api.duckdb_table_function_add_named_parameter(f, "min", any);
  api.duckdb_table_function_add_named_parameter(f, "max", any);
  api.duckdb_table_function_add_named_parameter(f, "raw_time", boolean);
  api.duckdb_destroy_logical_type(&any);
  api.duckdb_destroy_logical_type(&text);
  api.duckdb_destroy_logical_type(&boolean);
  api.duckdb_table_function_set_extra_info(f, &s, nullptr);
  api.duckdb_table_function_set_bind(f, scan_bind);
  api.duckdb_table_function_set_init(f, scan_init);
  api.duckdb_table_function_set_function(f, scan_function);
  api.duckdb_table_function_supports_projection_pushdown(f, true);
  const duckdb_state state = api.duckdb_register_table_function(s.conn, f);
  api.duckdb_destroy_table_function(&f);
  if (state != DuckDBSuccess) return Status::Invalid("DuckDB refused to register reel_scan");
  return Status::OK();
}

}  // namespace reel::sql::internal
