// reel query / reel schema: dataframes from recordings.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli.hpp"
#include "reel/import/importer.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::cli {

Result<std::shared_ptr<ChunkStore>> load_inputs(const std::vector<std::string>& paths) {
  REEL_ASSIGN_OR_RETURN(auto inputs, resolve_inputs(paths, false));
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
  for (const auto& path : inputs) {
    REEL_ASSIGN_OR_RETURN(bool importable, is_importable(path));
    if (importable) {
      // MCAP, bags, plain files: imported straight into the store.
      REEL_ASSIGN_OR_RETURN(auto report, import::load_any_file(path, *store));
      print_warnings(report.warnings);
      continue;
    }
    REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path));
    Progress progress(path == "-" ? "stdin" : path, reader->total_bytes());
    auto report = load_into_store(*reader, *store);
    progress.finish();
    print_warnings(report.ok() ? report->warnings : reader->warnings());
    if (!report.ok()) return report.status();
  }
  return store;
}

int run_query(const QueryOptions& options) {
  if (Status st = check_output_is_not_an_input(options.output, options.inputs, "query"); !st.ok()) {
    return fail(st);
  }
  auto store = load_inputs(options.inputs);
  if (!store.ok()) return fail(store.status());
  auto format = dataframe::parse_output_format(options.format);
  if (!format.ok()) return fail(format.status());
  std::optional<std::string> index;
  if (!options.index.empty()) index = options.index;
  auto view = dataframe::View::create(*store, index, options.contents);
  if (!view.ok()) return fail(view.status());
  dataframe::View v = *view;
  if (!options.range.empty()) {
    if (options.range.size() != 2) return fail(Status::Invalid("--range takes two values: A B"));
    v = v.filter_range(options.range[0], options.range[1]);
  }
  if (!options.index_values.empty()) v = v.filter_index_values(options.index_values);
  for (const auto& c : options.not_null) {
    auto f = v.filter_is_not_null(c);
    if (!f.ok()) return fail(f.status());
    v = *f;
  }
  if (options.fill_latest_at) v = v.fill_latest_at();
  if (!options.select.empty()) {
    auto s = v.select(options.select);
    if (!s.ok()) return fail(s.status());
    v = *s;
  }
  Result<int64_t> rows = 0;
  if (options.output.empty() || options.output == "-") {
    rows = dataframe::write_table(v, *format, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Status::IOError("cannot create " + options.output));
    rows = dataframe::write_table(v, *format, out);
  }
  if (!rows.ok()) return fail(rows.status());
  std::fprintf(stderr, "reel query: %lld rows, %zu columns\n", static_cast<long long>(*rows),
               v.schema().size());
  return 0;
}

int run_schema(const SchemaOptions& options) {
  auto store = load_inputs(options.inputs);
  if (!store.ok()) return fail(store.status());
  std::printf("index columns (timelines):\n");
  for (const auto& t : (*store)->timelines()) {
    auto r = (*store)->time_range(t.name());
    std::printf("  %-24s %-9s [%s, %s]\n", t.name().c_str(), time_type_name(t.type()),
                format_time(t.type(), r.min).c_str(), format_time(t.type(), r.max).c_str());
  }
  std::printf("component columns:\n");
  for (const auto& e : (*store)->entities()) {
    for (const auto& [d, type] : (*store)->components(e)) {
      const bool is_static = (*store)->latest_static(e, d).has_value();
      std::printf("  %-48s list<%s>%s\n", (e.str() + ":" + d.identifier()).c_str(),
                  type->to_string().c_str(), is_static ? "  (static)" : "");
    }
  }
  return 0;
}

}  // namespace reel::cli
