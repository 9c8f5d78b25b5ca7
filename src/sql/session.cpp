// Session: an in-memory DuckDB with reel_scan, archetype views, and query results streamed
// out as reel Arrow record batches (duckdb_fetch_chunk + duckdb_data_chunk_to_arrow).
#include <algorithm>
#include <cctype>

#include "reel/arrow/c_data.hpp"
#include "sql/session_internal.hpp"

namespace reel::sql {

using internal::DuckDbApi;

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? "\"\"" : std::string(1, c);
  return out + "\"";
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? "''" : std::string(1, c);
  return out + "'";
}

namespace internal {

std::vector<std::string> split_statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  bool has_code = false;
  auto flush = [&] {
    if (has_code) out.push_back(current);
    current.clear();
    has_code = false;
  };
  for (size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    auto copy_until = [&](size_t end) {
      end = std::min(end, sql.size());
      current.append(sql, i, end - i);
      i = end;
    };
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      has_code = true;
      copy_until(j + 1);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_until(sql.find('\n', i));
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      copy_until(end == std::string::npos ? end : end + 2);
    } else if (c == '$') {
      // $tag$ ... $tag$ (tag may be empty)
      size_t j = i + 1;
      while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_'))
        ++j;
      if (j < sql.size() && sql[j] == '$') {
        const std::string tag = sql.substr(i, j - i + 1);
        const size_t end = sql.find(tag, j + 1);
        has_code = true;
        copy_until(end == std::string::npos ? end : end + tag.size());
      } else {
        has_code = true;
        copy_until(i + 1);
      }
    } else if (c == ';') {
      ++i;
      flush();
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) has_code = true;
      copy_until(i + 1);
    }
  }
  flush();
  return out;
}

}  // namespace internal

namespace {

// What reel's Arrow can hold as DuckDB exports it, or the type to cast to first.
enum class Cast { kNone, kBigint, kDouble, kVarchar };

bool representable(const DuckDbApi& api, duckdb_logical_type t) {
  switch (api.duckdb_get_type_id(t)) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_SQLNULL:
      return true;
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY: {
      duckdb_logical_type child = api.duckdb_get_type_id(t) == DUCKDB_TYPE_LIST
                                      ? api.duckdb_list_type_child_type(t)
                                      : api.duckdb_array_type_child_type(t);
      const bool ok = representable(api, child);
      api.duckdb_destroy_logical_type(&child);
      return ok;
    }
    case DUCKDB_TYPE_STRUCT: {
      bool ok = true;
      for (idx_t i = 0; ok && i < api.duckdb_struct_type_child_count(t); ++i) {
        duckdb_logical_type child = api.duckdb_struct_type_child_type(t, i);
        ok = representable(api, child);
        api.duckdb_destroy_logical_type(&child);
      }
      return ok;
    }
    default:
      return false;
  }
}

Cast cast_for(const DuckDbApi& api, duckdb_logical_type t) {
  if (representable(api, t)) return Cast::kNone;
  switch (api.duckdb_get_type_id(t)) {
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return Cast::kBigint;
    case DUCKDB_TYPE_DECIMAL:
      return Cast::kDouble;
    default:
      return Cast::kVarchar;
  }
}

// A query result streaming out of DuckDB.
class ResultReader final : public dataframe::RecordBatchReader {
 public:
  ResultReader(const DuckDbApi& api) : api_(api) {}
  ~ResultReader() override {
    if (options_) api_.duckdb_destroy_arrow_options(&options_);
    api_.duckdb_destroy_result(&result_);
  }

  Status start() {
    options_ = api_.duckdb_result_get_arrow_options(&result_);
    const idx_t n = api_.duckdb_column_count(&result_);
    std::vector<duckdb_logical_type> types(n);
    std::vector<const char*> names(n);
    for (idx_t i = 0; i < n; ++i) {
      types[i] = api_.duckdb_column_logical_type(&result_, i);
      names[i] = api_.duckdb_column_name(&result_, i);
    }
    ArrowSchema c{};
    Status st = internal::take_error(
        api_, api_.duckdb_to_arrow_schema(options_, types.data(), names.data(), n, &c),
        "result schema");
    for (auto& t : types) api_.duckdb_destroy_logical_type(&t);
    REEL_RETURN_NOT_OK(st);
    auto schema = arrow::import_schema(&c);
    if (!schema.ok()) return schema.status().with_context("the query's result");
    schema_ = *schema;
    return Status::OK();
  }

  const arrow::SchemaPtr& schema() const override { return schema_; }

  Result<std::optional<arrow::RecordBatch>> next() override {
    for (;;) {
      duckdb_data_chunk chunk = api_.duckdb_fetch_chunk(result_);
      if (!chunk) {
        if (const char* e = api_.duckdb_result_error(&result_)) return Status::Invalid(e);
        return std::optional<arrow::RecordBatch>();
      }
      if (api_.duckdb_data_chunk_get_size(chunk) == 0) {
        api_.duckdb_destroy_data_chunk(&chunk);
        continue;
      }
      ArrowArray a{};
      Status st = internal::take_error(api_, api_.duckdb_data_chunk_to_arrow(options_, chunk, &a),
                                       "result rows");
      api_.duckdb_destroy_data_chunk(&chunk);
      REEL_RETURN_NOT_OK(st);
      REEL_ASSIGN_OR_RETURN(auto batch, arrow::import_record_batch(&a, schema_));
      return std::optional<arrow::RecordBatch>(std::move(batch));
    }
  }

  duckdb_result result_{};

 private:
  const DuckDbApi& api_;
  duckdb_arrow_options options_ = nullptr;
  arrow::SchemaPtr schema_;
};

Status prepare_error(const DuckDbApi& api, duckdb_prepared_statement p) {
  const char* e = api.duckdb_prepare_error(p);
  return Status::Invalid(e ? e : "DuckDB could not prepare the statement");
}

}  // namespace

Session::Impl::~Impl() {
  if (convert) api->duckdb_disconnect(&convert);
  if (conn) api->duckdb_disconnect(&conn);
  if (db) api->duckdb_close(&db);
}

Result<dataframe::Dataset> Session::Impl::dataset(const std::vector<std::string>& paths) {
  std::string key;
  for (const auto& p : paths) key += (key.empty() ? "" : "\n") + p;
  std::lock_guard lock(mutex);
  auto it = datasets.find(key);
  if (it != datasets.end()) return it->second;
  REEL_ASSIGN_OR_RETURN(auto ds, dataframe::Dataset::open(paths, options.dataset));
  datasets.emplace(key, ds);
  return ds;
}

Status Session::Impl::run(const std::string& sql) {
  duckdb_result r{};
  const bool ok = api->duckdb_query(conn, sql.c_str(), &r) == DuckDBSuccess;
  Status st = ok ? Status::OK() : Status::Invalid(api->duckdb_result_error(&r));
  api->duckdb_destroy_result(&r);
  return st;
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::open(SessionOptions options) {
  REEL_ASSIGN_OR_RETURN(const DuckDbApi* api, internal::duckdb_api());
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->options = std::move(options);
  duckdb_config config = nullptr;
  if (api->duckdb_create_config(&config) != DuckDBSuccess)
    return Status::Invalid("duckdb_create_config failed");
  if (impl->options.threads > 0) {
    api->duckdb_set_config(config, "threads", std::to_string(impl->options.threads).c_str());
  }
  if (!impl->options.memory_limit.empty()) {
    api->duckdb_set_config(config, "memory_limit", impl->options.memory_limit.c_str());
  }
  char* error = nullptr;
  const bool opened = api->duckdb_open_ext(nullptr, &impl->db, config, &error) == DuckDBSuccess;
  api->duckdb_destroy_config(&config);
  if (!opened) {
    std::string why = error ? error : "unknown error";
    api->duckdb_free(error);
    return Status::Invalid("DuckDB (" + api->path + ") could not open a database: " + why);
  }
  if (api->duckdb_connect(impl->db, &impl->conn) != DuckDBSuccess ||
      api->duckdb_connect(impl->db, &impl->convert) != DuckDBSuccess) {
    return Status::Invalid("DuckDB could not connect to its database");
  }
  REEL_RETURN_NOT_OK(internal::register_reel_scan(*impl));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Status Session::attach(const dataframe::Dataset& dataset, const std::string& key, bool views) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->datasets.insert_or_assign(key, dataset);
  }
  if (!views) return Status::OK();
  REEL_ASSIGN_OR_RETURN(auto archetypes, dataset.archetypes());
  for (const auto& a : archetypes) {
    REEL_RETURN_NOT_OK(impl_->run("CREATE OR REPLACE TEMP VIEW " + quote_identifier(a) +
                                  " AS SELECT * FROM reel_scan(" + quote_literal(key) +
                                  ", archetype := " + quote_literal(a) + ")"));
  }
  return Status::OK();
}

Result<std::unique_ptr<dataframe::RecordBatchReader>> Session::query(const std::string& sql) {
  const DuckDbApi& api = *impl_->api;
  duckdb_extracted_statements extracted = nullptr;
  const idx_t n = api.duckdb_extract_statements(impl_->conn, sql.c_str(), &extracted);
  auto destroy_extracted = [&] { api.duckdb_destroy_extracted(&extracted); };
  if (n == 0) {
    const char* e = api.duckdb_extract_statements_error(extracted);
    Status st = Status::Invalid(e ? e : "no SQL statement");
    destroy_extracted();
    return st;
  }
  duckdb_prepared_statement prepared = nullptr;
  for (idx_t i = 0; i < n; ++i) {
    if (api.duckdb_prepare_extracted_statement(impl_->conn, extracted, i, &prepared) !=
        DuckDBSuccess) {
      Status st = prepare_error(api, prepared);
      api.duckdb_destroy_prepare(&prepared);
      destroy_extracted();
      return st;
    }
    if (i + 1 == n) break;
    duckdb_result r{};
    const bool ok = api.duckdb_execute_prepared(prepared, &r) == DuckDBSuccess;
    Status st = ok ? Status::OK() : Status::Invalid(api.duckdb_result_error(&r));
    api.duckdb_destroy_result(&r);
    api.duckdb_destroy_prepare(&prepared);
    if (!st.ok()) {
      destroy_extracted();
      return st;
    }
  }
  destroy_extracted();
  // Columns reel's Arrow cannot hold are cast in SQL around the last statement.
  if (api.duckdb_prepared_statement_type(prepared) == DUCKDB_STATEMENT_TYPE_SELECT) {
    const idx_t columns = api.duckdb_prepared_statement_column_count(prepared);
    std::vector<Cast> casts;
    std::vector<std::string> names;
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_logical_type t = api.duckdb_prepared_statement_column_logical_type(prepared, c);
      casts.push_back(cast_for(api, t));
      api.duckdb_destroy_logical_type(&t);
      const char* name = api.duckdb_prepared_statement_column_name(prepared, c);
      names.emplace_back(name ? name : "");
      api.duckdb_free(const_cast<char*>(name));
    }
    auto pieces = internal::split_statements(sql);
    const bool any =
        std::any_of(casts.begin(), casts.end(), [](Cast c) { return c != Cast::kNone; });
    if (any && pieces.size() == n) {
      std::string list, aliases;
      for (idx_t c = 0; c < columns; ++c) {
        const std::string col = "reel_c" + std::to_string(c);
        aliases += (c ? ", " : "") + col;
        static const char* kTypes[] = {"", "BIGINT", "DOUBLE", "VARCHAR"};
        std::string expr =
            casts[c] == Cast::kNone ? col : "CAST(" + col + " AS " + kTypes[int(casts[c])] + ")";
        list += (c ? ", " : "") + expr + " AS " + quote_identifier(names[c]);
      }
      const std::string wrapped =
          "SELECT " + list + " FROM (" + pieces.back() + "\n) AS reel_q(" + aliases + ")";
      duckdb_prepared_statement w = nullptr;
      if (api.duckdb_prepare(impl_->conn, wrapped.c_str(), &w) == DuckDBSuccess) {
        api.duckdb_destroy_prepare(&prepared);
        prepared = w;
      } else {
        api.duckdb_destroy_prepare(&w);  // the import below names the column it cannot hold
      }
    }
  }
  duckdb_pending_result pending = nullptr;
  auto reader = std::make_unique<ResultReader>(api);
  Status st;
  if (api.duckdb_pending_prepared_streaming(prepared, &pending) != DuckDBSuccess) {
    const char* e = api.duckdb_pending_error(pending);
    st = Status::Invalid(e ? e : "DuckDB could not start the query");
  } else if (api.duckdb_execute_pending(pending, &reader->result_) != DuckDBSuccess) {
    const char* e = api.duckdb_result_error(&reader->result_);
    st = Status::Invalid(e ? e : "the query failed");
  }
  api.duckdb_destroy_pending(&pending);
  api.duckdb_destroy_prepare(&prepared);
  REEL_RETURN_NOT_OK(st);
  REEL_RETURN_NOT_OK(reader->start());
  return std::unique_ptr<dataframe::RecordBatchReader>(std::move(reader));
}

Status Session::execute(const std::string& sql) {
  REEL_ASSIGN_OR_RETURN(auto reader, query(sql));
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto batch, reader->next());
    if (!batch) return Status::OK();
  }
}

}  // namespace reel::sql
