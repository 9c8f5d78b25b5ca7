// reel.dataframe.Dataset: many recordings as one (reel::dataframe::Dataset), and SQL over
// datasets and recordings through DuckDB (reel::sql, when the build has it).
#include <cmath>

#include "dataframe.hpp"
#include "reel/query/dataset.hpp"
#if REEL_HAVE_SQL
#include "reel/sql/sql.hpp"
#endif

namespace reel::py_bindings {

namespace {

using dataframe::Dataset;
using dataframe::DatasetView;

struct PyDataset {
  std::shared_ptr<Dataset> dataset;
  std::string key;  // what reel_scan() calls it in this dataset's SQL
  std::shared_ptr<size_t> warned = std::make_shared<size_t>(0);  // warnings already raised
};

struct PyDatasetView {
  DatasetView view;
  std::optional<TimeType> index_type;
};

// Raises the dataset's warnings not raised yet (each names the file it skipped).
void warn_new(const Dataset& dataset, size_t& warned) {
  auto warnings = dataset.warnings();
  if (warned >= warnings.size()) return;
  auto warn = py::module_::import("warnings").attr("warn");
  for (; warned < warnings.size(); ++warned) warn(py::str(warnings[warned]));
}

std::string column_name(py::handle column) {
  if (py::isinstance<dataframe::ColumnDescription>(column)) {
    return column.cast<const dataframe::ColumnDescription&>().name;
  }
  if (PyUnicode_Check(column.ptr())) return std::string(utf8_view(column, "column"));
  type_error("expected a column name (str) or a ColumnDescriptor, got " + type_name(column));
}

void require_index(const PyDatasetView& v, bool temporal, const char* method) {
  if (!v.view.index()) value_error(std::string(method) + ": the view has no index (index=None)");
  const bool is_temporal = v.index_type && *v.index_type != TimeType::kSequence;
  if (temporal != is_temporal) {
    type_error(std::string(method) + ": the index '" + *v.view.index() + "' is a " +
               time_type_name(v.index_type.value_or(TimeType::kSequence)) + " timeline; use " +
               (is_temporal ? "filter_range_secs or filter_range_nanos" : "filter_range_sequence"));
  }
}

PyDatasetView with(const PyDatasetView& v, DatasetView view) {
  return PyDatasetView{std::move(view), v.index_type};
}

#if REEL_HAVE_SQL
// Runs `query` in a fresh session where reel_scan(key) and the archetype views read `dataset`.
py::object run_sql(const Dataset& dataset, const std::string& key, const std::string& query,
                   size_t& warned) {
  std::unique_ptr<dataframe::RecordBatchReader> reader;
  Status st;
  std::unique_ptr<sql::Session> session;
  {
    py::gil_scoped_release release;
    auto s = sql::Session::open();
    if (!s.ok()) {
      st = s.status();
    } else {
      session = std::move(*s);
      st = session->attach(dataset, key);
      if (st.ok()) {
        auto r = session->query(query);
        if (r.ok()) {
          reader = std::move(*r);
        } else {
          st = r.status();
        }
      }
    }
  }
  check(st);
  py::object table = table_object(*reader, std::nullopt);
  {
    py::gil_scoped_release release;
    reader.reset();  // before the session it reads from
    session.reset();
  }
  warn_new(dataset, warned);
  return table;
}
#else
py::object run_sql(const Dataset&, const std::string&, const std::string&, size_t&) {
  raise(PyExc_RuntimeError, "this reel was built without DuckDB's header: SQL is not available");
}
#endif

}  // namespace

void register_dataset(py::module_& df) {
  py::class_<PyDatasetView>(
      df, "DatasetView",
      "A view across every recording of a dataset: recording_id, application_id, source, "
      "the index, then the union of the recordings' columns. Methods return new views.")
      .def_property_readonly("index", [](const PyDatasetView& v) { return v.view.index(); })
      .def("schema", [](const PyDatasetView& v) { return v.view.schema(); })
      .def(
          "filter_range_sequence",
          [](const PyDatasetView& v, int64_t start, int64_t end) {
            require_index(v, false, "filter_range_sequence");
            return with(v, v.view.filter_range(start, end));
          },
          py::arg("start"), py::arg("end"))
      .def(
          "filter_range_secs",
          [](const PyDatasetView& v, double start, double end) {
            require_index(v, true, "filter_range_secs");
            return with(v, v.view.filter_range(time_arg_nanos(start), time_arg_nanos(end)));
          },
          py::arg("start"), py::arg("end"))
      .def(
          "filter_range_nanos",
          [](const PyDatasetView& v, int64_t start, int64_t end) {
            require_index(v, true, "filter_range_nanos");
            return with(v, v.view.filter_range(start, end));
          },
          py::arg("start"), py::arg("end"))
      .def(
          "filter_index_values",
          [](const PyDatasetView& v, py::handle values) {
            if (!v.view.index()) value_error("filter_index_values: the view has no index");
            return with(v, v.view.filter_index_values(time_values_arg(values, v.index_type)));
          },
          py::arg("values"))
      .def(
          "using_index_values",
          [](const PyDatasetView& v, py::handle values) {
            if (!v.view.index()) value_error("using_index_values: the view has no index");
            return with(v, v.view.using_index_values(time_values_arg(values, v.index_type)));
          },
          py::arg("values"))
      .def(
          "filter_is_not_null",
          [](const PyDatasetView& v, py::handle column) {
            return with(v, check(v.view.filter_is_not_null(column_name(column))));
          },
          py::arg("column"))
      .def("fill_latest_at",
           [](const PyDatasetView& v) { return with(v, v.view.fill_latest_at()); })
      .def(
          "with_batch_rows",
          [](const PyDatasetView& v, int64_t rows) {
            if (rows <= 0) value_error("with_batch_rows: rows must be positive");
            return with(v, v.view.with_batch_rows(rows));
          },
          py::arg("rows"))
      .def(
          "select",
          [](const PyDatasetView& v, py::args columns) {
            std::vector<std::string> names;
            for (auto c : columns) {
              if (PyList_Check(c.ptr()) || PyTuple_Check(c.ptr())) {
                for (auto inner : py::iter(c)) names.push_back(column_name(inner));
              } else {
                names.push_back(column_name(c));
              }
            }
            DatasetView view = names.empty() ? v.view : check(v.view.select(names));
            std::optional<Result<std::unique_ptr<dataframe::RecordBatchReader>>> r;
            {
              py::gil_scoped_release release;
              r.emplace(view.read());
            }
            return reader_object(check(std::move(*r)), v.index_type);
          },
          "select(*columns): a RecordBatchReader over these columns (all when none); the recording "
          "columns and "
          "the index come first.")
      .def("__repr__", [](const PyDatasetView& v) {
        return "DatasetView(index=" +
               (v.view.index() ? "'" + *v.view.index() + "'" : std::string("None")) + ", " +
               std::to_string(v.view.schema().size()) + " columns)";
      });

  py::class_<PyDataset>(df, "Dataset",
                        "Many recordings queried as one (rr.dataframe.load_dataset).")
      .def(
          "view",
          [](const PyDataset& d, py::handle index, py::handle contents) {
            std::optional<std::string> idx;
            if (!index.is_none()) idx = std::string(utf8_view(index, "index"));
            std::optional<Result<DatasetView>> v;
            if (PyUnicode_Check(contents.ptr())) {
              std::string expr(utf8_view(contents, "contents"));
              py::gil_scoped_release release;
              v.emplace(d.dataset->view(idx, expr));
            } else if (PyDict_Check(contents.ptr())) {
              std::map<EntityPath, std::vector<ComponentDescriptor>> map;
              for (auto [k, comps] : py::reinterpret_borrow<py::dict>(contents)) {
                auto e = EntityPath::parse(std::string(py::str(k)));
                if (!e.ok()) value_error(e.status().message());
                auto& list = map[*e];
                if (!comps.is_none()) {
                  for (auto c : comps)
                    list.push_back(ComponentDescriptor::from_identifier(std::string(py::str(c))));
                }
              }
              py::gil_scoped_release release;
              v.emplace(d.dataset->view(idx, std::move(map)));
            } else {
              type_error("view(contents=...): expected an entity path filter or a dict, got " +
                         type_name(contents));
            }
            DatasetView view = check(std::move(*v));
            warn_new(*d.dataset, *d.warned);
            std::optional<TimeType> type;
            if (idx) type = view.index_type();
            return PyDatasetView{std::move(view), type};
          },
          py::kw_only(), py::arg("index"), py::arg("contents") = "/**",
          "A view of every recording with `index` (a timeline, or None for static data) over "
          "`contents`.")
      .def(
          "sql",
          [](const PyDataset& d, const std::string& query) {
            return run_sql(*d.dataset, d.key, query, *d.warned);
          },
          py::arg("query"),
          "Runs SQL (DuckDB) with a view per archetype (SELECT * FROM \"Scalars\") and "
          "reel_scan(<the paths given to load_dataset>, ...); the last statement's rows as a "
          "Table.")
      .def_property_readonly("recordings",
                             [](const PyDataset& d) {
                               py::list out;
                               for (const auto& r : d.dataset->recordings()) {
                                 py::dict e;
                                 e["source"] = r.source;
                                 e["recording_id"] = r.info.recording_id;
                                 e["application_id"] = r.info.application_id;
                                 out.append(e);
                               }
                               return out;
                             })
      .def_property_readonly("warnings", [](const PyDataset& d) { return d.dataset->warnings(); })
      .def("archetypes", [](const PyDataset& d) { return check(d.dataset->archetypes()); })
      .def(
          "stats",
          [](const PyDataset& d) {
            auto s = d.dataset->stats();
            py::dict out;
            out["recordings_opened"] = s.recordings_opened;
            out["recordings_skipped"] = s.recordings_skipped;
            out["chunks_loaded"] = s.chunks_loaded;
            out["rows_loaded"] = s.rows_loaded;
            out["recordings_streamed"] = s.recordings_streamed;
            out["bytes_read"] = s.bytes_read;
            return out;
          },
          "What reads opened so far: recordings opened (recordings_streamed of them read chunk "
          "by chunk) and skipped, chunks and rows loaded, bytes of files read.")
      .def("__len__", [](const PyDataset& d) { return d.dataset->recordings().size(); })
      .def("__repr__", [](const PyDataset& d) {
        return "Dataset(" + std::to_string(d.dataset->recordings().size()) + " recordings)";
      });

  df.def(
      "load_dataset",
      [](py::handle sources, size_t parallel) {
        std::vector<std::string> paths;
        auto fspath = py::module_::import("os").attr("fspath");
        if (PyUnicode_Check(sources.ptr()) || py::hasattr(sources, "__fspath__")) {
          paths.push_back(py::str(fspath(sources)));
        } else {
          for (auto s : sources) paths.push_back(py::str(fspath(s)));
        }
        dataframe::DatasetOptions o;
        o.parallel_recordings = parallel;
        std::optional<Result<Dataset>> ds;
        {
          py::gil_scoped_release release;
          ds.emplace(Dataset::open(paths, o));
        }
        PyDataset d;
        d.dataset = std::make_shared<Dataset>(check(std::move(*ds)));
        warn_new(*d.dataset, *d.warned);
        for (const auto& p : paths) d.key += (d.key.empty() ? "" : "\n") + p;
        return d;
      },
      py::arg("sources"), py::kw_only(), py::arg("parallel") = 2,
      "A dataset of recordings: a path, a directory (searched for .reel/.rrd files), a glob, or a "
      "list of them. "
      "Unreadable files are skipped with a warning naming them. `parallel` recordings load at "
      "once.");

  df.def(
      "_recording_sql",
      [](py::handle recording, const std::string& query) {
        auto store = recording_store(recording);
        auto ds = check(Dataset::from_stores({store}, {""}));
        size_t warned = 0;
        return run_sql(ds, "recording", query, warned);
      },
      py::arg("recording"), py::arg("query"));
}

}  // namespace reel::py_bindings
