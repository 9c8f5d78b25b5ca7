// reel.dataframe: recordings as tables (reel::dataframe::View), numpy / pandas / Arrow out.
#include <map>
#include <mutex>

#include "arrow_numpy.hpp"
#include "capsule.hpp"
#include "dataframe.hpp"
#include "recording.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/import/importer.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/query/latest_at.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::py_bindings {

namespace {

using dataframe::ColumnDescription;
using dataframe::View;

// rr.dataframe.Recording: a store to query (a loaded file, or a live embedded store).
struct PyRecordingData {
  std::shared_ptr<const ChunkStore> store;
};

std::optional<TimeType> timeline_type(const ChunkStore& store,
                                      const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  for (const auto& t : store.timelines()) {
    if (t.name() == *name) return t.type();
  }
  return std::nullopt;
}

arrow::Metadata component_metadata(const ColumnDescription& c) {
  return {{"reel.kind", "component"},
          {"reel.entity_path", c.entity.str()},
          {"reel.archetype", c.component.archetype()},
          {"reel.archetype_field", c.component.field()},
          {"reel.component_type", c.component.component_type()}};
}

// The Arrow schema the view's reader produces (the same fields and metadata).
arrow::SchemaPtr arrow_schema_of(const std::vector<ColumnDescription>& columns) {
  auto s = std::make_shared<arrow::Schema>();
  for (const auto& c : columns) {
    if (c.is_index) {
      s->fields.push_back(arrow::field(c.name, c.type, false, {{"reel.kind", "index"}}));
    } else {
      s->fields.push_back(arrow::field(c.name, c.type, true, component_metadata(c)));
    }
  }
  return s;
}

// Column descriptions recovered from an Arrow schema's field metadata (tables).
std::vector<ColumnDescription> describe_fields(const arrow::Schema& schema) {
  std::vector<ColumnDescription> out;
  for (const auto& f : schema.fields) {
    ColumnDescription c;
    c.name = f->name;
    c.type = f->type;
    const std::string* kind = arrow::find_metadata(f->metadata, "reel.kind");
    c.is_index = kind && *kind == "index";
    const std::string* entity = arrow::find_metadata(f->metadata, "reel.entity_path");
    const std::string* archetype = arrow::find_metadata(f->metadata, "reel.archetype");
    const std::string* field = arrow::find_metadata(f->metadata, "reel.archetype_field");
    const std::string* type = arrow::find_metadata(f->metadata, "reel.component_type");
    if (entity) c.entity = EntityPath(*entity);
    if (field)
      c.component = ComponentDescriptor(archetype ? *archetype : "", *field, type ? *type : "");
    out.push_back(std::move(c));
  }
  return out;
}

struct PySchema {
  arrow::SchemaPtr arrow;
  std::vector<ColumnDescription> columns;
};

struct PyView {
  View view;
  std::shared_ptr<const ChunkStore> store;
  std::optional<TimeType> index_type;
};

// A table: record batches sharing one schema.
struct PyTable {
  arrow::SchemaPtr schema;
  std::shared_ptr<const std::vector<arrow::RecordBatch>> batches;
  int64_t num_rows = 0;
  std::optional<TimeType> index_type;
};

struct PyColumn {
  arrow::FieldPtr field;
  std::vector<arrow::ArrayPtr> chunks;
  std::optional<TimeType> time_type;  // an index column of a temporal timeline
  int64_t length() const {
    int64_t n = 0;
    for (const auto& c : chunks) n += c->length;
    return n;
  }
};

struct PyReader {
  std::mutex mutex;
  std::unique_ptr<dataframe::RecordBatchReader> reader;  // null once exported or exhausted
  arrow::SchemaPtr schema;
  std::optional<TimeType> index_type;
};

PyTable make_table(arrow::SchemaPtr schema, std::vector<arrow::RecordBatch> batches,
                   std::optional<TimeType> index_type) {
  PyTable t;
  t.schema = std::move(schema);
  for (auto& b : batches) {
    if (!b.schema) b.schema = t.schema;
    t.num_rows += b.num_rows;
  }
  t.batches = std::make_shared<const std::vector<arrow::RecordBatch>>(std::move(batches));
  t.index_type = index_type;
  return t;
}

PyColumn column_of(const PyTable& t, int i) {
  PyColumn c;
  c.field = t.schema->fields[size_t(i)];
  for (const auto& b : *t.batches) c.chunks.push_back(b.columns[size_t(i)]);
  const std::string* kind = arrow::find_metadata(c.field->metadata, "reel.kind");
  if (kind && *kind == "index") c.time_type = t.index_type;
  return c;
}

int column_index(const PyTable& t, py::handle key) {
  if (PyLong_Check(key.ptr())) {
    const int64_t n = int64_t(t.schema->fields.size());
    int64_t i = key.cast<int64_t>();
    if (i < 0) i += n;
    if (i < 0 || i >= n)
      raise(PyExc_IndexError, "column index " + std::to_string(key.cast<int64_t>()) +
                                  " out of range for " + std::to_string(n) + " columns");
    return int(i);
  }
  const std::string name = py::str(key);
  const int i = t.schema->field_index(name);
  if (i < 0) {
    std::string names;
    for (const auto& f : t.schema->fields) names += (names.empty() ? "" : ", ") + f->name;
    raise(exceptions().not_found, "no column '" + name + "' in the table (columns: " + names + ")");
  }
  return i;
}

// Concatenates a column's chunks into one array (zero-copy when there is one chunk).
arrow::ArrayPtr single_array(const std::vector<arrow::ArrayPtr>& chunks,
                             const arrow::TypePtr& type) {
  if (chunks.empty()) return arrow::make_null_array(type, 0);
  if (chunks.size() == 1) return chunks[0];
  return check(arrow::concatenate(chunks));
}

arrow::RecordBatch single_batch(const PyTable& t) {
  if (t.batches->size() == 1) return (*t.batches)[0];
  arrow::RecordBatch out;
  out.schema = t.schema;
  out.num_rows = t.num_rows;
  for (size_t i = 0; i < t.schema->fields.size(); ++i) {
    std::vector<arrow::ArrayPtr> chunks;
    for (const auto& b : *t.batches) chunks.push_back(b.columns[i]);
    out.columns.push_back(single_array(chunks, t.schema->fields[i]->type));
  }
  return out;
}

std::string column_name_arg(py::handle column) {
  if (py::isinstance<ColumnDescription>(column))
    return column.cast<const ColumnDescription&>().name;
  if (PyUnicode_Check(column.ptr())) return std::string(utf8_view(column, "column"));
  type_error("expected a column name (str) or a ColumnDescriptor, got " + type_name(column));
}

std::vector<TimeInt> index_values_arg(const PyView& v, py::handle values) {
  return time_values_arg(values, v.index_type);
}

void require_index(const PyView& v, bool temporal, const char* method) {
  if (!v.view.index()) value_error(std::string(method) + ": the view has no index (index=None)");
  const bool is_temporal = v.index_type && *v.index_type != TimeType::kSequence;
  if (temporal != is_temporal) {
    type_error(std::string(method) + ": the index '" + *v.view.index() + "' is a " +
               time_type_name(v.index_type.value_or(TimeType::kSequence)) + " timeline; use " +
               (is_temporal ? "filter_range_secs or filter_range_nanos" : "filter_range_sequence"));
  }
}

TimeInt seconds_to_nanos(double s) {
  if (std::isnan(s)) value_error("time in seconds is NaN");
  if (s >= 9.2e9) return kTimeMax;
  if (s <= -9.2e9) return kTimeMin;
  double whole = std::floor(s);
  return TimeInt(whole) * 1'000'000'000 + TimeInt(std::llround((s - whole) * 1e9));
}

// The ComponentDescriptors of `entity` named by the user: "Archetype:field",
// "Archetype:field:component_type" or just "field" (must be unambiguous).
std::vector<ComponentDescriptor> match_components(const ChunkStore& store, const EntityPath& entity,
                                                  py::handle names) {
  std::vector<ComponentDescriptor> out;
  if (names.is_none()) return out;
  auto available = store.components(entity);
  if (available.empty())
    raise(exceptions().not_found, "no entity " + entity.str() + " in the recording");
  std::vector<std::string> wanted;
  if (PyUnicode_Check(names.ptr())) {
    wanted.emplace_back(utf8_view(names, "component"));
  } else {
    for (auto n : py::iter(names)) wanted.emplace_back(utf8_view(n, "component"));
  }
  for (const auto& w : wanted) {
    std::vector<ComponentDescriptor> hits;
    for (const auto& [d, type] : available) {
      const std::string full = d.identifier() + ":" + d.component_type();
      if (d.identifier() == w || full == w || d.field() == w) hits.push_back(d);
    }
    if (hits.size() != 1) {
      std::string known;
      for (const auto& [d, type] : available) known += (known.empty() ? "" : ", ") + d.identifier();
      if (hits.empty())
        raise(exceptions().not_found, "entity " + entity.str() + " has no component '" + w +
                                          "' (components: " + known + ")");
      value_error("component '" + w + "' of " + entity.str() +
                  " is ambiguous (components: " + known + ")");
    }
    out.push_back(hits[0]);
  }
  return out;
}

PyView make_view(const PyRecordingData& r, py::handle index, py::handle contents) {
  std::optional<std::string> idx;
  if (!index.is_none()) idx = std::string(utf8_view(index, "index"));
  std::optional<Result<View>> v;
  if (PyUnicode_Check(contents.ptr())) {
    v.emplace(View::create(r.store, idx, utf8_view(contents, "contents")));
  } else if (PyDict_Check(contents.ptr())) {
    std::map<EntityPath, std::vector<ComponentDescriptor>> map;
    for (auto [key, value] : py::reinterpret_borrow<py::dict>(contents)) {
      auto path = EntityPath::parse(utf8_view(key, "entity path"));
      if (!path.ok()) value_error(path.status().message());
      map[*path] = match_components(*r.store, *path, value);
    }
    v.emplace(View::create(r.store, idx, std::move(map)));
  } else {
    type_error(
        "view(contents=...): expected an entity path filter (\"/world/**\") or a dict {entity: "
        "[components] or None}, got " +
        type_name(contents));
  }
  return PyView{check(std::move(*v)), r.store, timeline_type(*r.store, idx)};
}

std::shared_ptr<PyReader> make_reader(const PyView& v, const View& view) {
  std::optional<Result<std::unique_ptr<dataframe::RecordBatchReader>>> r;
  {
    py::gil_scoped_release release;
    r.emplace(view.read());
  }
  auto out = std::make_shared<PyReader>();
  out->reader = check(std::move(*r));
  out->schema = out->reader->schema();
  out->index_type = v.index_type;
  return out;
}

// Reads the next batch (GIL released); nullopt at the end.
std::optional<arrow::RecordBatch> next_batch(PyReader& r) {
  Result<std::optional<arrow::RecordBatch>> b = std::optional<arrow::RecordBatch>();
  {
    py::gil_scoped_release release;
    std::lock_guard lock(r.mutex);
    if (r.reader) {
      b = r.reader->next();
      if (b.ok() && !*b) r.reader.reset();
    }
  }
  return check(std::move(b));
}

std::string descriptor_repr(const ColumnDescription& c) {
  if (c.is_index) return "ColumnDescriptor(index '" + c.name + "')";
  return "ColumnDescriptor('" + c.name + "', " + c.type->to_string() +
         (c.is_static ? ", static" : "") + ")";
}

}  // namespace

TimeInt time_arg_nanos(double seconds) { return seconds_to_nanos(seconds); }

std::vector<TimeInt> time_values_arg(py::handle values, std::optional<TimeType> type) {
  const char* kind = type ? time_type_name(*type) : "sequence";
  py::object arr = py::module_::import("reel._time").attr("index_values_array")(values, kind);
  auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
  if (!a || a.ndim() != 1) value_error("index values: expected a 1-D array");
  return std::vector<TimeInt>(a.data(), a.data() + a.shape(0));
}

py::object reader_object(std::unique_ptr<dataframe::RecordBatchReader> reader,
                         std::optional<TimeType> index_type) {
  auto out = std::make_shared<PyReader>();
  out->schema = reader->schema();
  out->reader = std::move(reader);
  out->index_type = index_type;
  return py::cast(out);
}

py::object table_object(dataframe::RecordBatchReader& reader, std::optional<TimeType> index_type) {
  Result<std::vector<arrow::RecordBatch>> batches = std::vector<arrow::RecordBatch>();
  {
    py::gil_scoped_release release;
    batches = reader.read_all();
  }
  return py::cast(make_table(reader.schema(), check(std::move(batches)), index_type));
}

std::shared_ptr<const ChunkStore> recording_store(py::handle recording) {
  return recording.cast<const PyRecordingData&>().store;
}

// ---------------------------------------------------------------------------------------
// latest-at binding

namespace {

struct PyLatestAt {
  ArchetypeInstances result;
};

py::object latest_at(const PyRecordingData& r, py::handle entity, py::handle archetype,
                     py::handle index, py::handle at) {
  std::string name;
  if (PyUnicode_Check(archetype.ptr())) {
    name = std::string(utf8_view(archetype, "archetype"));
  } else if (py::hasattr(archetype, "__name__")) {
    name = py::str(archetype.attr("__name__"));
  } else {
    type_error("latest_at: archetype must be a name (\"Points3D\") or an archetype class, got " +
               type_name(archetype));
  }
  const ArchetypeInfo* archetype_info = find_archetype(name);
  if (archetype_info == nullptr) value_error("latest_at: unknown archetype '" + name + "'");
  std::string storage;
  auto path = EntityPath::parse(entity_path_arg(entity.ptr(), storage));
  if (!path.ok()) value_error(path.status().message());
  LatestAtQuery q;
  if (!index.is_none()) q.timeline = std::string(utf8_view(index, "index"));
  if (!at.is_none()) {
    if (index.is_none()) value_error("latest_at: at= needs an index timeline");
    q.at = at.cast<int64_t>();
  }
  std::optional<Result<ArchetypeInstances>> res;
  {
    py::gil_scoped_release release;
    res.emplace(latest_at_archetype(*r.store, q, *path, archetype_info->fields()));
  }
  return py::cast(PyLatestAt{check(std::move(*res))});
}

}  // namespace

// ---------------------------------------------------------------------------------------

void register_dataframe(py::module_& m) {
  py::module_ df = m.def_submodule(
      "dataframe", "Recordings as tables: views, filters, numpy / pandas / Arrow out.");

  py::class_<ColumnDescription>(df, "ColumnDescriptor",
                                "One column of a view: the index, or an entity's component.")
      .def_readonly("name", &ColumnDescription::name)
      .def_property_readonly("entity_path",
                             [](const ColumnDescription& c) -> py::object {
                               if (c.is_index) return py::none();
                               return py::str(c.entity.str());
                             })
      .def_property_readonly("archetype",
                             [](const ColumnDescription& c) { return c.component.archetype(); })
      .def_property_readonly("archetype_field",
                             [](const ColumnDescription& c) { return c.component.field(); })
      .def_property_readonly(
          "component_type", [](const ColumnDescription& c) { return c.component.component_type(); })
      .def_property_readonly(
          "arrow_type",
          [](const ColumnDescription& c) { return c.type ? c.type->to_string() : ""; })
      .def_readonly("is_static", &ColumnDescription::is_static)
      .def_readonly("is_index", &ColumnDescription::is_index)
      .def("__repr__", &descriptor_repr);

  py::class_<PySchema>(df, "Schema", "The columns of a view or table (Arrow: __arrow_c_schema__).")
      .def_property_readonly("columns", [](const PySchema& s) { return s.columns; })
      .def("column_names",
           [](const PySchema& s) {
             std::vector<std::string> out;
             for (const auto& c : s.columns) out.push_back(c.name);
             return out;
           })
      .def("index_columns",
           [](const PySchema& s) {
             std::vector<ColumnDescription> out;
             for (const auto& c : s.columns)
               if (c.is_index) out.push_back(c);
             return out;
           })
      .def("component_columns",
           [](const PySchema& s) {
             std::vector<ColumnDescription> out;
             for (const auto& c : s.columns)
               if (!c.is_index) out.push_back(c);
             return out;
           })
      .def(
          "column",
          [](const PySchema& s, const std::string& name) {
            for (const auto& c : s.columns)
              if (c.name == name) return c;
            raise(exceptions().not_found, "no column '" + name + "'");
          },
          py::arg("name"))
      .def("__len__", [](const PySchema& s) { return s.columns.size(); })
      .def("__iter__", [](const PySchema& s) { return py::iter(py::cast(s.columns)); })
      .def("__arrow_c_schema__", [](const PySchema& s) { return schema_capsule(*s.arrow); })
      .def("__repr__", [](const PySchema& s) {
        std::string r = "Schema(";
        for (size_t i = 0; i < s.columns.size(); ++i) r += (i ? ", " : "") + s.columns[i].name;
        return r + ")";
      });

  py::class_<PyColumn>(df, "Column", "One column of a table (its chunks, one per record batch).")
      .def_property_readonly("name", [](const PyColumn& c) { return c.field->name; })
      .def_property_readonly("arrow_type",
                             [](const PyColumn& c) { return c.field->type->to_string(); })
      .def_property_readonly("null_count",
                             [](const PyColumn& c) {
                               int64_t n = 0;
                               for (const auto& a : c.chunks) n += a->null_count;
                               return n;
                             })
      .def("__len__", &PyColumn::length)
      .def(
          "to_numpy",
          [](const PyColumn& c) { return column_to_numpy(c.chunks, c.field->type, c.time_type); },
          "numpy: dense (zero-copy when one batch) for one-instance-per-row flat columns; see "
          "docs/python.md.")
      .def("to_pylist", [](const PyColumn& c) { return column_to_pylist(c.chunks); })
      .def("__arrow_c_schema__", [](const PyColumn& c) { return field_capsule(*c.field); })
      .def(
          "__arrow_c_array__",
          [](const PyColumn& c, py::handle) {
            return py::make_tuple(field_capsule(*c.field),
                                  array_capsule(single_array(c.chunks, c.field->type)));
          },
          py::arg("requested_schema") = py::none())
      .def(
          "__arrow_c_stream__",
          [](const PyColumn& c, py::handle) {
            auto chunks = std::make_shared<const std::vector<arrow::ArrayPtr>>(c.chunks);
            auto pos = std::make_shared<size_t>(0);
            return array_stream_capsule(c.field, [chunks, pos]() -> Result<arrow::ArrayPtr> {
              return *pos < chunks->size() ? (*chunks)[(*pos)++] : nullptr;
            });
          },
          py::arg("requested_schema") = py::none())
      .def("__repr__", [](const PyColumn& c) {
        return "Column('" + c.field->name + "', " + c.field->type->to_string() + ", " +
               std::to_string(c.length()) + " rows)";
      });

  py::class_<PyTable>(
      df, "Table",
      "Record batches of one schema. table[name].to_numpy(), table.to_pandas(); Arrow through "
      "the PyCapsule interface (__arrow_c_stream__).")
      .def_property_readonly("num_rows", [](const PyTable& t) { return t.num_rows; })
      .def_property_readonly("num_columns",
                             [](const PyTable& t) { return t.schema->fields.size(); })
      .def_property_readonly("num_batches", [](const PyTable& t) { return t.batches->size(); })
      .def_property_readonly("column_names",
                             [](const PyTable& t) {
                               std::vector<std::string> out;
                               for (const auto& f : t.schema->fields) out.push_back(f->name);
                               return out;
                             })
      .def_property_readonly("schema",
                             [](const PyTable& t) {
                               return PySchema{t.schema, describe_fields(*t.schema)};
                             })
      .def("__len__", [](const PyTable& t) { return t.num_rows; })
      .def("__getitem__",
           [](const PyTable& t, py::handle key) { return column_of(t, column_index(t, key)); })
      .def(
          "column",
          [](const PyTable& t, py::handle key) { return column_of(t, column_index(t, key)); },
          py::arg("key"))
      .def("__contains__", [](const PyTable& t,
                              const std::string& name) { return t.schema->field_index(name) >= 0; })
      .def("to_pydict",
           [](const PyTable& t) {
             py::dict d;
             for (size_t i = 0; i < t.schema->fields.size(); ++i) {
               d[py::str(t.schema->fields[i]->name)] =
                   column_to_pylist(column_of(t, int(i)).chunks);
             }
             return d;
           })
      .def("__arrow_c_schema__", [](const PyTable& t) { return schema_capsule(*t.schema); })
      .def(
          "__arrow_c_array__",
          [](const PyTable& t, py::handle) {
            return py::make_tuple(schema_capsule(*t.schema), batch_capsule(single_batch(t)));
          },
          py::arg("requested_schema") = py::none())
      .def(
          "__arrow_c_stream__",
          [](const PyTable& t, py::handle) {
            auto batches = t.batches;
            auto pos = std::make_shared<size_t>(0);
            return batch_stream_capsule(
                t.schema, [batches, pos]() -> Result<std::optional<arrow::RecordBatch>> {
                  if (*pos >= batches->size()) return std::optional<arrow::RecordBatch>();
                  return std::optional<arrow::RecordBatch>((*batches)[(*pos)++]);
                });
          },
          py::arg("requested_schema") = py::none())
      .def_static(
          "from_arrow",
          [](py::handle data) {
            // Any producer of the Arrow PyCapsule interface (pyarrow, polars, a reel table...).
            if (py::hasattr(data, "__arrow_c_stream__")) {
              py::object capsule = data.attr("__arrow_c_stream__")();
              ArrowArrayStream* stream = stream_from_capsule(capsule);
              std::vector<arrow::RecordBatch> batches;
              arrow::SchemaPtr schema;
              Status st;
              {
                py::gil_scoped_release release;
                auto reader = arrow::ArrowStreamReader::open(stream);  // moves the stream out
                if (!reader.ok()) {
                  st = reader.status();
                } else if (!(*reader)->is_record_batch_stream()) {
                  st = Status::TypeError("Table.from_arrow: the stream carries " +
                                         (*reader)->field()->type->to_string() +
                                         " arrays, not record batches");
                } else {
                  schema = (*reader)->schema();
                  for (;;) {
                    auto b = (*reader)->next();
                    if (!b.ok()) {
                      st = b.status();
                      break;
                    }
                    if (!*b) break;
                    batches.push_back(std::move(**b));
                  }
                }
              }
              check(st);
              return make_table(schema, std::move(batches), std::nullopt);
            }
            if (py::hasattr(data, "__arrow_c_array__")) {
              py::tuple pair = data.attr("__arrow_c_array__")();
              auto schema = check(arrow::import_schema(schema_from_capsule(pair[0])));
              auto batch = check(arrow::import_record_batch(array_from_capsule(pair[1]), schema));
              std::vector<arrow::RecordBatch> batches = {std::move(batch)};
              return make_table(schema, std::move(batches), std::nullopt);
            }
            type_error(
                "Table.from_arrow: expected an object with __arrow_c_stream__ or "
                "__arrow_c_array__, got " +
                type_name(data));
          },
          py::arg("data"))
      .def("__repr__", [](const PyTable& t) {
        return "Table(" + std::to_string(t.num_rows) + " rows x " +
               std::to_string(t.schema->fields.size()) + " columns)";
      });

  py::class_<PyReader, std::shared_ptr<PyReader>>(
      df, "RecordBatchReader", "The view's rows as a stream of tables; read_all() for one table.")
      .def_property_readonly("schema",
                             [](const PyReader& r) {
                               return PySchema{r.schema, describe_fields(*r.schema)};
                             })
      .def(
          "read_all",
          [](PyReader& r) {
            std::vector<arrow::RecordBatch> batches;
            while (auto b = next_batch(r)) batches.push_back(std::move(*b));
            return make_table(r.schema, std::move(batches), r.index_type);
          },
          "All (remaining) rows as one Table.")
      .def("read_next_batch",
           [](PyReader& r) -> py::object {
             auto b = next_batch(r);
             if (!b) return py::none();
             std::vector<arrow::RecordBatch> one = {std::move(*b)};
             return py::cast(make_table(r.schema, std::move(one), r.index_type));
           })
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__",
           [](PyReader& r) {
             auto b = next_batch(r);
             if (!b) throw py::stop_iteration();
             std::vector<arrow::RecordBatch> one = {std::move(*b)};
             return make_table(r.schema, std::move(one), r.index_type);
           })
      .def("__arrow_c_schema__", [](const PyReader& r) { return schema_capsule(*r.schema); })
      .def(
          "__arrow_c_stream__",
          [](PyReader& r, py::handle) {
            std::shared_ptr<dataframe::RecordBatchReader> reader;
            {
              std::lock_guard lock(r.mutex);
              reader = std::move(r.reader);
            }
            if (!reader) value_error("this RecordBatchReader was already consumed");
            return batch_stream_capsule(r.schema, [reader]() { return reader->next(); });
          },
          py::arg("requested_schema") = py::none(),
          "Hands the remaining rows to an Arrow consumer (once).");

  py::class_<PyView>(
      df, "View",
      "A recording as a table: one row per index value. Every method returns a new view.")
      .def_property_readonly("index", [](const PyView& v) { return v.view.index(); })
      .def("schema",
           [](const PyView& v) {
             auto cols = v.view.schema();
             return PySchema{arrow_schema_of(cols), cols};
           })
      .def(
          "filter_range_sequence",
          [](const PyView& v, int64_t start, int64_t end) {
            require_index(v, false, "filter_range_sequence");
            return PyView{v.view.filter_range(start, end), v.store, v.index_type};
          },
          py::arg("start"), py::arg("end"), "Only index values in [start, end] (a sequence index).")
      .def(
          "filter_range_secs",
          [](const PyView& v, double start, double end) {
            require_index(v, true, "filter_range_secs");
            return PyView{v.view.filter_range(seconds_to_nanos(start), seconds_to_nanos(end)),
                          v.store, v.index_type};
          },
          py::arg("start"), py::arg("end"),
          "Only times in [start, end] seconds (a duration or timestamp index).")
      .def(
          "filter_range_nanos",
          [](const PyView& v, int64_t start, int64_t end) {
            require_index(v, true, "filter_range_nanos");
            return PyView{v.view.filter_range(start, end), v.store, v.index_type};
          },
          py::arg("start"), py::arg("end"),
          "Only times in [start, end] nanoseconds (a duration or timestamp index).")
      .def(
          "filter_index_values",
          [](const PyView& v, py::handle values) {
            if (!v.view.index()) value_error("filter_index_values: the view has no index");
            return PyView{v.view.filter_index_values(index_values_arg(v, values)), v.store,
                          v.index_type};
          },
          py::arg("values"), "Only these index values (those without data are not added).")
      .def(
          "using_index_values",
          [](const PyView& v, py::handle values) {
            if (!v.view.index()) value_error("using_index_values: the view has no index");
            return PyView{v.view.using_index_values(index_values_arg(v, values)), v.store,
                          v.index_type};
          },
          py::arg("values"),
          "Exactly these index values, whether data exists there or not (see fill_latest_at).")
      .def(
          "filter_is_not_null",
          [](const PyView& v, py::handle column) {
            return PyView{check(v.view.filter_is_not_null(column_name_arg(column))), v.store,
                          v.index_type};
          },
          py::arg("column"), "Only index values where this component column has data.")
      .def(
          "fill_latest_at",
          [](const PyView& v) {
            return PyView{v.view.fill_latest_at(), v.store, v.index_type};
          },
          "Fill empty cells with the latest value at or before the row's index value.")
      .def("select_static",
           [](const PyView& v) {
             return PyView{v.view.select_static(), v.store, std::nullopt};
           })
      .def(
          "with_batch_rows",
          [](const PyView& v, int64_t rows) {
            if (rows <= 0) value_error("with_batch_rows: rows must be positive");
            return PyView{v.view.with_batch_rows(rows), v.store, v.index_type};
          },
          py::arg("rows"))
      .def(
          "select",
          [](const PyView& v, py::args columns) {
            std::vector<std::string> names;
            for (auto c : columns) {
              if (PyList_Check(c.ptr()) || PyTuple_Check(c.ptr())) {
                for (auto inner : py::iter(c)) names.push_back(column_name_arg(inner));
              } else {
                names.push_back(column_name_arg(c));
              }
            }
            View view = names.empty() ? v.view : check(v.view.select(names));
            return make_reader(v, view);
          },
          "select(*columns): a RecordBatchReader over these columns (all when none), index first.")
      .def("__repr__", [](const PyView& v) {
        return "View(index=" +
               (v.view.index() ? "'" + *v.view.index() + "'" : std::string("None")) + ", " +
               std::to_string(v.view.schema().size()) + " columns)";
      });

  py::class_<PyLatestAt>(df, "LatestAt",
                         "An archetype's fields at a time: values, and where each came from.")
      .def_property_readonly("num_instances",
                             [](const PyLatestAt& l) { return l.result.num_instances; })
      .def("keys",
           [](const PyLatestAt& l) {
             std::vector<std::string> out;
             for (const auto& f : l.result.fields) out.push_back(f.name);
             return out;
           })
      .def("__contains__",
           [](const PyLatestAt& l, const std::string& k) { return l.result.get(k) != nullptr; })
      .def("__len__", [](const PyLatestAt& l) { return l.result.fields.size(); })
      .def("__getitem__",
           [](const PyLatestAt& l, const std::string& k) {
             const auto* f = l.result.get(k);
             if (!f) raise(exceptions().not_found, "no data for field '" + k + "'");
             return instances_to_python(f->values);
           })
      .def(
          "row_id",
          [](const PyLatestAt& l, const std::string& k) {
            const auto* f = l.result.get(k);
            if (!f) raise(exceptions().not_found, "no data for field '" + k + "'");
            py::int_ hi(f->row_id.time_ns), lo(f->row_id.inc);
            return py::int_(py::reinterpret_steal<py::object>(PyNumber_Or(
                py::reinterpret_steal<py::object>(PyNumber_Lshift(hi.ptr(), py::int_(64).ptr()))
                    .ptr(),
                lo.ptr())));
          },
          "The row's RowId as a 128-bit int (time_ns << 64 | counter): orders rows as logged.")
      .def(
          "time",
          [](const PyLatestAt& l, const std::string& k) -> py::object {
            const auto* f = l.result.get(k);
            if (!f) raise(exceptions().not_found, "no data for field '" + k + "'");
            if (f->is_static) return py::none();
            return py::int_(f->time);
          },
          "The field's index value, or None for static data.");

  py::class_<PyRecordingData>(df, "Recording",
                              "A recording to query: a loaded .reel file or a live embedded store.")
      .def("view", &make_view, py::kw_only(), py::arg("index"), py::arg("contents") = "/**",
           "A view with `index` (a timeline name, or None for static data only) over `contents` "
           "(an entity path "
           "filter such as \"/world/** -/world/debug/**\", or {entity: [components] or None}).")
      .def(
          "schema",
          [](const PyRecordingData& r) {
            std::vector<ColumnDescription> cols;
            for (const auto& t : r.store->timelines()) {
              ColumnDescription c;
              c.name = t.name();
              c.type = dataframe::index_arrow_type(t.type());
              c.is_index = true;
              cols.push_back(c);
            }
            // A view on any timeline lists every component (static and temporal).
            auto timelines = r.store->timelines();
            std::optional<std::string> index;
            if (!timelines.empty()) index = timelines[0].name();
            auto full = check(View::create(r.store, index, "/**"));
            for (auto& c : full.schema()) {
              if (!c.is_index) cols.push_back(c);
            }
            return PySchema{arrow_schema_of(cols), cols};
          },
          "Every timeline (index columns) and every entity's components.")
      .def_property_readonly(
          "application_id", [](const PyRecordingData& r) { return r.store->info().application_id; })
      .def_property_readonly("recording_id",
                             [](const PyRecordingData& r) { return r.store->info().recording_id; })
      .def("timelines",
           [](const PyRecordingData& r) {
             py::dict d;
             for (const auto& t : r.store->timelines())
               d[py::str(t.name())] = time_type_name(t.type());
             return d;
           })
      .def("entities",
           [](const PyRecordingData& r) {
             std::vector<std::string> out;
             for (const auto& e : r.store->entities()) out.push_back(e.str());
             return out;
           })
      .def_property_readonly("num_chunks",
                             [](const PyRecordingData& r) { return r.store->num_chunks(); })
      .def("latest_at", &latest_at, py::arg("entity_path"), py::arg("archetype"), py::kw_only(),
           py::arg("index") = py::none(), py::arg("at") = py::none(),
           "The archetype's fields on an entity at `at` on `index` (latest when at is None; static "
           "data only when "
           "index is None), joined as the C++ latest_at: splats repeated, Clear applied.")
      .def("__repr__", [](const PyRecordingData& r) {
        return "Recording(application_id='" + r.store->info().application_id + "', " +
               std::to_string(r.store->num_chunks()) + " chunks)";
      });

  df.def(
      "load_recording",
      [](py::handle path, std::optional<std::string> recording_id) {
        const std::string p = py::str(py::module_::import("os").attr("fspath")(path));
        auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
        std::optional<Result<LoadReport>> report;
        LoadOptions options;
        options.recording_id = recording_id.value_or("");
        {
          py::gil_scoped_release release;
          report.emplace(options.recording_id.empty() ? import::load_any_file(p, *store)
                                                      : load_file(p, *store, options));
        }
        auto r = check(std::move(*report));
        if (!r.warnings.empty()) {
          auto warn = py::module_::import("warnings").attr("warn");
          for (const auto& w : r.warnings) warn(py::str(w));  // each names the file and byte offset
        }
        return PyRecordingData{store};
      },
      py::arg("path"), py::arg("recording_id") = py::none(),
      "Loads a .reel or Rerun .rrd recording, or imports an MCAP file, a ROS 1 bag or a plain "
      "file (image, PLY, mesh, text) into a new store (truncated files load up to the cut, "
      "with a warning). A file with several recordings: the first, the others named in a "
      "warning, or the one `recording_id` names; blueprints are not loaded.");

  df.def(
      "view_file",
      [](py::handle path, py::handle index, std::string contents) {
        const std::string p = py::str(py::module_::import("os").attr("fspath")(path));
        std::optional<std::string> idx;
        if (!index.is_none()) idx = std::string(utf8_view(index, "index"));
        std::optional<Result<View>> v;
        {
          py::gil_scoped_release release;
          v.emplace(View::create(p, idx, contents));
        }
        View view = check(std::move(*v));
        auto warn = py::module_::import("warnings").attr("warn");
        for (const auto& w : view.warnings()) warn(py::str(w));  // each names the file
        std::optional<TimeType> index_type;
        if (idx) index_type = view.index_type();
        return PyView{std::move(view), nullptr, index_type};
      },
      py::arg("path"), py::kw_only(), py::arg("index"), py::arg("contents") = "/**",
      "A view of a recording file that streams: only its footer, static data and Clears are "
      "read now; reading the view reads each chunk when the table reaches its time and lets "
      "go of it after, so a file larger than memory is read with the memory of a batch "
      "(with_batch_rows) and the chunks at the current time. The same tables as "
      "load_recording(path).view(index=..., contents=...). Rerun .rrd files and files of "
      "several recordings are loaded instead.");

  register_dataset(df);

  df.def(
      "from_memory", [](const PyMemoryRecording& mem) { return PyRecordingData{mem.store}; },
      py::arg("memory"),
      "The live embedded store of a recording (rr.memory_recording()); call rr.flush() before "
      "reading.");
}

}  // namespace reel::py_bindings
