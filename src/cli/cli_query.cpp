// reel query / reel schema: dataframes from recordings.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include "cli/cli.hpp"
#include "reel/format/file_format.hpp"
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
    auto report = load_into_store(*reader, *store, 0, [&](const Chunk&) {
      progress.update(reader->bytes_read());
      return true;
    });
    progress.finish();
    print_warnings(report.ok() ? report->warnings : reader->warnings());
    if (!report.ok()) return report.status();
  }
  return store;
}

namespace {

// A reader that calls `on_batch` after each batch it passes on (progress).
class ProgressReader final : public dataframe::RecordBatchReader {
 public:
  ProgressReader(dataframe::RecordBatchReader& inner, std::function<void()> on_batch)
      : inner_(inner), on_batch_(std::move(on_batch)) {}
  const arrow::SchemaPtr& schema() const override { return inner_.schema(); }
  Result<std::optional<arrow::RecordBatch>> next() override {
    auto batch = inner_.next();
    on_batch_();
    return batch;
  }

 private:
  dataframe::RecordBatchReader& inner_;
  std::function<void()> on_batch_;
};

}  // namespace

int run_query(const QueryOptions& options) {
  if (Status st = check_output_is_not_an_input(options.output, options.inputs, "query"); !st.ok()) {
    return fail(st);
  }
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  // Only the chunks the query can use are loaded (with a version 2 footer, only they are read).
  ChunkSelection selection;
  // The entities of not-null filter columns are read too: a filter may name a column the
  // contents leave out.
  std::string loaded = options.contents;
  for (const auto& column : options.not_null) {
    auto parsed = dataframe::parse_column_name(column);
    if (!parsed.ok()) return fail(parsed.status().with_context("--filter-is-not-null"));
    loaded += " " + parsed->first.str();
  }
  auto entities = EntityPathFilter::parse(loaded);
  if (!entities.ok()) return fail(entities.status());
  selection.entities = *entities;
  if (!options.index.empty()) selection.timeline = options.index;
  selection.static_only = options.index.empty();
  TimeRange range{kTimeMin, kTimeMax};
  std::string units[2];
  if (!options.range.empty()) {
    if (options.range.size() != 2) return fail(Status::Invalid("--range takes two values: A B"));
    for (int k = 0; k < 2; ++k) {
      auto t = parse_time_argument(options.range[size_t(k)], &units[k]);
      if (!t.ok()) return fail(t.status().with_context("--range"));
      (k == 0 ? range.min : range.max) = *t;
    }
    selection.range = range;
  }
  if (!options.index_values.empty()) {
    auto [lo, hi] = std::minmax_element(options.index_values.begin(), options.index_values.end());
    selection.range = {std::max(selection.range.min, *lo), std::min(selection.range.max, *hi)};
  }
  selection.keep_before_range = options.fill_latest_at;
  if (!options.select.empty()) {
    selection.columns = options.select;
    selection.columns.insert(selection.columns.end(), options.not_null.begin(),
                             options.not_null.end());
  }
  std::optional<std::string> index;
  if (!options.index.empty()) index = options.index;
  // One recording file streams: its footer says where the chunks are, and the view reads
  // each when it gets there (memory: the batch and the chunks at the current time). Files
  // that cannot stream (View::stream: .rrd, several recordings), several inputs and stdin are
  // loaded into one store below, only the chunks the query can use.
  std::optional<dataframe::View> streamed;
  size_t warned = 0;  // of the streamed view's warnings
  if (inputs->size() == 1) {
    auto view = dataframe::View::stream(inputs->front(), index, options.contents);
    if (!view.ok()) return fail(view.status());
    if (*view) {  // else it is loaded below, only the columns the query reads
      print_warnings((*view)->warnings());
      warned = (*view)->warnings().size();
      streamed = std::move(*view);
    }
  }
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
  for (const auto& path : streamed ? std::vector<std::string>{} : *inputs) {
    std::unique_ptr<Progress> progress;
    auto report =
        load_selected(path, *store, selection, nullptr, [&](uint64_t done, uint64_t total) {
          if (!progress) progress = std::make_unique<Progress>(path == "-" ? "stdin" : path, total);
          progress->update(done);
        });
    if (progress && report.ok()) progress->finish();
    if (!report.ok()) return fail(report.status());
    print_warnings(report->warnings);
  }
  auto format = dataframe::parse_output_format(options.format);
  if (!format.ok()) return fail(format.status());
  auto view = streamed ? Result<dataframe::View>(*streamed)
                       : dataframe::View::create(store, index, options.contents);
  if (!view.ok()) return fail(view.status());
  dataframe::View v = *view;
  if (!options.range.empty()) {
    // A unit must suit the timeline: durations for time, timestamps for dates.
    if (index) {
      const TimeType type = v.index_type();
      for (int k = 0; k < 2; ++k) {
        const bool bad = (units[k] == "duration" && type == TimeType::kSequence) ||
                         (units[k] == "timestamp" && type != TimeType::kTimestamp);
        if (bad) {
          return fail(Status::Invalid("--range: '" + options.range[size_t(k)] + "' is a " +
                                      units[k] + ", but timeline '" + *index + "' is a " +
                                      time_type_name(type) +
                                      (type == TimeType::kSequence ? ": give integers" : "")));
        }
      }
    }
    v = v.filter_range(range.min, range.max);
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
  // Batches of about a million cells: a wide table's batch stays small (its cells are the
  // memory a streamed file needs besides the chunks at the current time).
  v = v.with_batch_rows(std::clamp<int64_t>(
      int64_t(1 << 20) / int64_t(std::max<size_t>(1, v.schema().size())), 1024, 65536));
  auto reader = v.read();
  if (!reader.ok()) return fail(reader.status());
  // A streamed file shows how much of it was read as the table is written.
  std::unique_ptr<Progress> progress;
  ProgressReader counted(**reader, [&] {
    auto p = v.file_progress();
    if (!p) return;
    if (!progress) progress = std::make_unique<Progress>(inputs->front(), p->file_bytes);
    progress->update(p->read_bytes);
  });
  Result<int64_t> rows = 0;
  if (options.output.empty() || options.output == "-") {
    rows = dataframe::write_table(counted, *format, std::cout, {.raw_times = options.raw_times});
    std::cout.flush();
  } else {
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Status::IOError("cannot create " + options.output));
    rows = dataframe::write_table(counted, *format, out, {.raw_times = options.raw_times});
  }
  if (progress && rows.ok()) progress->finish();
  if (streamed) {  // what the read found (damaged chunks left out)
    const auto all = v.warnings();
    if (all.size() > warned) print_warnings({all.begin() + std::ptrdiff_t(warned), all.end()});
  }
  if (!rows.ok()) return fail(rows.status());
  std::fprintf(stderr, "reel query: %lld rows, %zu columns\n", static_cast<long long>(*rows),
               v.schema().size());
  return 0;
}

namespace {

// The schema from the inputs' indexes (footers): possible when each input holds one recording
// (a store would not merge another recording id that follows in the same input).
bool schema_from_indexes(const std::vector<std::string>& inputs, int& rc) {
  std::map<Timeline, TimeRange> timelines;
  struct Column {
    std::string type;
    bool is_static = false;
  };
  std::map<EntityPath, std::map<std::string, Column>> entities;
  for (const auto& path : inputs) {
    format::RecordingIndex index;
    Status st = index_input(path, index);
    print_warnings(index.warnings);
    if (!st.ok()) {
      rc = fail(st);
      return true;
    }
    if (!index.chunk_streams.empty() && index.chunk_streams.back() != 0) return false;
    for (size_t i = 0; i < index.chunks.size(); ++i) {
      const auto& e = index.chunks[i];
      if (i < index.chunk_blueprint.size() && index.chunk_blueprint[i]) continue;  // not data
      for (const auto& comp : e.components) {
        if (comp.rows == 0) continue;  // no data: the store does not list it
        Column& c = entities[e.entity][comp.descriptor.identifier()];
        c.type = comp.arrow_type;
        c.is_static |= e.is_static;
        if (e.is_static) continue;
        for (const auto& [name, r] : comp.time_ranges) {
          timelines[Timeline(name, e.timeline_types.at(name))].extend(r);
        }
      }
    }
  }
  std::printf("index columns (timelines):\n");
  for (const auto& [t, r] : timelines) {
    std::printf("  %-24s %-9s [%s, %s]\n", t.name().c_str(), time_type_name(t.type()),
                format_time(t.type(), r.min).c_str(), format_time(t.type(), r.max).c_str());
  }
  std::printf("component columns:\n");
  for (const auto& [e, columns] : entities) {
    for (const auto& [id, c] : columns) {
      std::printf("  %-48s list<%s>%s\n", (e.str() + ":" + id).c_str(), c.type.c_str(),
                  c.is_static ? "  (static)" : "");
    }
  }
  rc = 0;
  return true;
}

}  // namespace

int run_schema(const SchemaOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  // stdin cannot be read twice: it goes to the store directly.
  if (std::find(inputs->begin(), inputs->end(), "-") == inputs->end()) {
    int rc = 0;
    if (schema_from_indexes(*inputs, rc)) return rc;
  }
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
