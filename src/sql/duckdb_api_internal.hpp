// DuckDB's C API as a table of function pointers filled by dlsym from the libduckdb that
// load_duckdb() found: reel compiles against duckdb.h (for the types and signatures) but
// never links the library.
#pragma once

#include <duckdb.h>

#include <string>

#include "reel/status.hpp"

namespace reel::sql::internal {

// Every C API function reel uses. None of them is deprecated in DuckDB 1.4.
#define REEL_DUCKDB_FUNCTIONS(X)                        \
  X(duckdb_library_version)                             \
  X(duckdb_create_config)                               \
  X(duckdb_set_config)                                  \
  X(duckdb_destroy_config)                              \
  X(duckdb_open_ext)                                    \
  X(duckdb_close)                                       \
  X(duckdb_connect)                                     \
  X(duckdb_disconnect)                                  \
  X(duckdb_free)                                        \
  X(duckdb_query)                                       \
  X(duckdb_destroy_result)                              \
  X(duckdb_result_error)                                \
  X(duckdb_column_count)                                \
  X(duckdb_column_name)                                 \
  X(duckdb_column_logical_type)                         \
  X(duckdb_fetch_chunk)                                 \
  X(duckdb_extract_statements)                          \
  X(duckdb_extract_statements_error)                    \
  X(duckdb_destroy_extracted)                           \
  X(duckdb_prepare_extracted_statement)                 \
  X(duckdb_prepare_error)                               \
  X(duckdb_destroy_prepare)                             \
  X(duckdb_prepare)                                     \
  X(duckdb_prepared_statement_type)                     \
  X(duckdb_prepared_statement_column_count)             \
  X(duckdb_prepared_statement_column_name)              \
  X(duckdb_prepared_statement_column_logical_type)      \
  X(duckdb_execute_prepared)                            \
  X(duckdb_pending_prepared_streaming)                  \
  X(duckdb_execute_pending)                             \
  X(duckdb_pending_error)                               \
  X(duckdb_destroy_pending)                             \
  X(duckdb_result_get_arrow_options)                    \
  X(duckdb_destroy_arrow_options)                       \
  X(duckdb_to_arrow_schema)                             \
  X(duckdb_data_chunk_to_arrow)                         \
  X(duckdb_schema_from_arrow)                           \
  X(duckdb_data_chunk_from_arrow)                       \
  X(duckdb_destroy_arrow_converted_schema)              \
  X(duckdb_error_data_message)                          \
  X(duckdb_error_data_has_error)                        \
  X(duckdb_destroy_error_data)                          \
  X(duckdb_destroy_data_chunk)                          \
  X(duckdb_data_chunk_get_size)                         \
  X(duckdb_data_chunk_set_size)                         \
  X(duckdb_data_chunk_get_column_count)                 \
  X(duckdb_data_chunk_get_vector)                       \
  X(duckdb_vector_reference_vector)                     \
  X(duckdb_vector_get_column_type)                      \
  X(duckdb_vector_size)                                 \
  X(duckdb_create_logical_type)                         \
  X(duckdb_get_type_id)                                 \
  X(duckdb_destroy_logical_type)                        \
  X(duckdb_list_type_child_type)                        \
  X(duckdb_array_type_child_type)                       \
  X(duckdb_struct_type_child_count)                     \
  X(duckdb_struct_type_child_type)                      \
  X(duckdb_create_table_function)                       \
  X(duckdb_destroy_table_function)                      \
  X(duckdb_table_function_set_name)                     \
  X(duckdb_table_function_add_parameter)                \
  X(duckdb_table_function_add_named_parameter)          \
  X(duckdb_table_function_set_extra_info)               \
  X(duckdb_table_function_set_bind)                     \
  X(duckdb_table_function_set_init)                     \
  X(duckdb_table_function_set_function)                 \
  X(duckdb_table_function_supports_projection_pushdown) \
  X(duckdb_register_table_function)                     \
  X(duckdb_bind_get_extra_info)                         \
  X(duckdb_bind_add_result_column)                      \
  X(duckdb_bind_get_parameter)                          \
  X(duckdb_bind_get_named_parameter)                    \
  X(duckdb_bind_set_bind_data)                          \
  X(duckdb_bind_set_error)                              \
  X(duckdb_init_get_bind_data)                          \
  X(duckdb_init_get_extra_info)                         \
  X(duckdb_init_set_init_data)                          \
  X(duckdb_init_get_column_count)                       \
  X(duckdb_init_get_column_index)                       \
  X(duckdb_init_set_max_threads)                        \
  X(duckdb_init_set_error)                              \
  X(duckdb_function_get_bind_data)                      \
  X(duckdb_function_get_init_data)                      \
  X(duckdb_function_get_extra_info)                     \
  X(duckdb_function_set_error)                          \
  X(duckdb_get_value_type)                              \
  X(duckdb_is_null_value)                               \
  X(duckdb_get_varchar)                                 \
  X(duckdb_get_int64)                                   \
  X(duckdb_get_bool)                                    \
  X(duckdb_get_timestamp)                               \
  X(duckdb_get_timestamp_ns)                            \
  X(duckdb_get_interval)                                \
  X(duckdb_get_list_size)                               \
  X(duckdb_get_list_child)                              \
  X(duckdb_destroy_value)

struct DuckDbApi {
#define REEL_DUCKDB_POINTER(name) decltype(&::name) name = nullptr;
  REEL_DUCKDB_FUNCTIONS(REEL_DUCKDB_POINTER)
#undef REEL_DUCKDB_POINTER
  std::string path;
  std::string version;
};

// The loaded API (load_duckdb() must have succeeded), or the reason it is not there.
Result<const DuckDbApi*> duckdb_api();

}  // namespace reel::sql::internal
