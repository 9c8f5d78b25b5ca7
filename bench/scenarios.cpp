#include "scenarios.hpp"

namespace reel_bench {

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
    {"log_rows", [](const Context& ctx) { return log_rows(ctx, false); }},
    {"log_rows_stamped", [](const Context& ctx) { return log_rows(ctx, true); }},
    {"send_columns", send_columns},
    {"file_roundtrip", file_roundtrip},
    {"rrd_roundtrip", rrd_roundtrip},
    {"latest_at", latest_at},
    {"range", range},
    {"dataframe", dataframe},
    {"dataframe_pushdown", dataframe_pushdown},
    {"compact", compact},
    {"big_file", big_file},
    {"points3d", points3d},
    {"gc", gc},
    {"import_mcap", import_mcap},
    {"serve_soak", serve_soak},
    {"serve_paging", serve_paging},
    {"duckdb", duckdb},
    {"viewer_load", viewer_load},
    {"viewer_live", viewer_live},
    {"log_rows_py", log_rows_py},
    {"send_columns_py", send_columns_py},
#if REEL_HAVE_SQL
    {"dataset", dataset},
#endif
  };
  return all;
}

}  // namespace reel_bench
