#include "recording.hpp"

#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "archetypes.hpp"
#include "reel/chunk/entity_path.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::py_bindings {

namespace {

// ---- the global recording and the live streams (GIL-protected)

PyObject* g_global = nullptr;  // strong reference, or null
RecordingStream* g_global_stream = nullptr;
PyTypeObject* g_recording_type = nullptr;
std::vector<std::weak_ptr<RecordingStream>>& live_streams() {
  static auto* v = new std::vector<std::weak_ptr<RecordingStream>>();
  return *v;
}

// Per stream, what the Python layer adds: the files it was saved to before its embedded
// store existed (memory_recording() starts the store with their content).
struct StreamExtras {
  std::vector<std::string> files;
  bool memory = false;
};
std::mutex& extras_mutex() {
  static auto* m = new std::mutex();
  return *m;
}
std::unordered_map<const RecordingStream*, StreamExtras>& extras() {
  static auto* m = new std::unordered_map<const RecordingStream*, StreamExtras>();
  return *m;
}

// Destroying a stream flushes it and closes its sinks: never with the GIL held, so that
// other Python threads keep running (the batcher never needs the GIL).
struct StreamDeleter {
  void operator()(RecordingStream* s) const {
    {
      std::lock_guard lock(extras_mutex());
      extras().erase(s);
    }
    if (Py_IsInitialized() && PyGILState_Check()) {
      py::gil_scoped_release release;
      delete s;
    } else {
      delete s;
    }
  }
};

std::shared_ptr<RecordingStream> make_stream(const std::string& application_id,
                                             py::handle recording_id, bool log_time, bool log_tick,
                                             py::handle flush_tick_secs, py::handle flush_num_bytes,
                                             py::handle flush_num_rows) {
  RecordingStreamOptions options;
  if (!recording_id.is_none()) options.recording_id = py::str(recording_id);
  options.log_time = log_time;
  options.log_tick = log_tick;
  if (!flush_tick_secs.is_none()) options.batcher.flush_tick_secs = flush_tick_secs.cast<double>();
  if (!flush_num_bytes.is_none())
    options.batcher.flush_num_bytes = flush_num_bytes.cast<uint64_t>();
  if (!flush_num_rows.is_none()) options.batcher.flush_num_rows = flush_num_rows.cast<uint64_t>();
  if (application_id.empty()) value_error("RecordingStream: application_id must not be empty");
  std::shared_ptr<RecordingStream> s(new RecordingStream(application_id, std::move(options)),
                                     StreamDeleter{});
  auto& live = live_streams();
  std::erase_if(live, [](const std::weak_ptr<RecordingStream>& w) { return w.expired(); });
  live.push_back(s);
  return s;
}

// Entity path strings already validated (strings repeat: each is parsed once).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
std::unordered_set<std::string, StringHash, std::equal_to<>>& valid_paths() {
  static auto* s = new std::unordered_set<std::string, StringHash, std::equal_to<>>();
  return *s;
}

std::string fspath(py::handle path) {
  return py::str(py::module_::import("os").attr("fspath")(path));
}

void collect_component_columns(py::handle columns, std::vector<ComponentColumn>& out, int depth) {
  if (py::isinstance<PyComponentColumns>(columns)) {
    const auto& c = columns.cast<const PyComponentColumns&>();
    out.insert(out.end(), c.columns.begin(), c.columns.end());
    return;
  }
  if (depth < 2 && (PyList_Check(columns.ptr()) || PyTuple_Check(columns.ptr()))) {
    for (auto item : py::iter(columns)) collect_component_columns(item, out, depth + 1);
    return;
  }
  type_error(
      "send_columns: columns must come from <Archetype>.columns(...) (or a list of them), got " +
      type_name(columns));
}

void send_columns(RecordingStream& s, py::handle entity_path, py::handle indexes,
                  py::handle columns) {
  std::string storage;
  const std::string path(entity_path_arg(entity_path.ptr(), storage));
  std::vector<TimeColumn> times;
  if (!indexes.is_none()) {
    if (!PyList_Check(indexes.ptr()) && !PyTuple_Check(indexes.ptr())) {
      type_error("send_columns: indexes must be a list of rr.TimeColumn, got " +
                 type_name(indexes));
    }
    for (auto item : py::iter(indexes)) {
      if (!py::isinstance<TimeColumn>(item)) {
        type_error("send_columns: indexes must be rr.TimeColumn objects, got " + type_name(item));
      }
      times.push_back(item.cast<const TimeColumn&>());
    }
  }
  std::vector<ComponentColumn> components;
  collect_component_columns(columns, components, 0);
  Status st;
  {
    py::gil_scoped_release release;
    st = s.try_send_columns(path, std::move(times), std::move(components));
  }
  check(st);
}

TimeColumn make_time_column(py::handle timeline, py::handle sequence, py::handle duration,
                            py::handle timestamp) {
  const std::string name(utf8_view(timeline, "timeline"));
  if (name.empty()) value_error("TimeColumn: the timeline name must not be empty");
  const int given = !sequence.is_none() + !duration.is_none() + !timestamp.is_none();
  if (given != 1) type_error("TimeColumn: give exactly one of sequence=, duration= and timestamp=");
  // The common case without a detour through Python: a 1-D int64 array of sequence numbers or
  // timestamp nanoseconds.
  py::handle direct = !sequence.is_none() ? sequence : timestamp;
  if (!direct.is_none() && py::isinstance<py::array>(direct)) {
    auto a = py::reinterpret_borrow<py::array>(direct);
    if (a.ndim() == 1 && a.dtype().kind() == 'i' && a.itemsize() == 8) {
      auto c = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
      if (!c) throw py::error_already_set();
      std::span<const TimeInt> span(c.data(), size_t(c.shape(0)));
      const TimeType type = !sequence.is_none() ? TimeType::kSequence : TimeType::kTimestamp;
      MaybeReleaseGil release(span.size_bytes() >= kReleaseGilBytes);
      return TimeColumn::make(Timeline(name, type), span);
    }
  }
  auto helpers = py::module_::import("reel._time");
  TimeType type;
  py::object values;
  if (!sequence.is_none()) {
    type = TimeType::kSequence;
    values = helpers.attr("sequence_array")(sequence, name);
  } else if (!duration.is_none()) {
    type = TimeType::kDuration;
    values = helpers.attr("duration_ns_array")(duration, name);
  } else {
    type = TimeType::kTimestamp;
    values = helpers.attr("timestamp_ns_array")(timestamp, name);
  }
  auto arr = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!arr || arr.ndim() != 1)
    value_error("TimeColumn '" + name + "': expected a 1-D array of times");
  std::span<const TimeInt> span(arr.data(), size_t(arr.shape(0)));
  MaybeReleaseGil release(span.size_bytes() >= kReleaseGilBytes);
  return TimeColumn::make(Timeline(name, type), span);
}

// rr.memory_recording(). The embedded store receives what is logged from the moment it is
// created; when the recording was saved to files before that, the store first gets their
// chunks, so that it holds the whole recording as the user expects. Done without a gap or a
// duplicate: with the GIL held (no Python thread can log) everything logged so far is flushed
// to the files and the store is attached; then the files are read up to the sizes they had
// at that moment (later chunks reach the store directly).
PyMemoryRecording memory_recording(RecordingStream& s) {
  bool first = false;
  std::vector<std::string> files;
  {
    std::lock_guard lock(extras_mutex());
    auto& e = extras()[&s];
    first = !e.memory;
    e.memory = true;
    files = std::move(e.files);
    e.files.clear();
  }
  if (!first || files.empty()) {
    py::gil_scoped_release release;
    return PyMemoryRecording{s.memory_store()};
  }
  check(s.try_flush_blocking());
  std::vector<uint64_t> sizes;
  for (const auto& f : files) {
    std::error_code ec;
    sizes.push_back(std::filesystem::file_size(f, ec));
    if (ec) sizes.back() = 0;
  }
  std::shared_ptr<ChunkStore> store = s.memory_store();
  Status st;
  {
    py::gil_scoped_release release;
    for (size_t i = 0; i < files.size() && st.ok(); ++i) {
      auto reader = format::RecordingReader::open(files[i]);
      if (!reader.ok()) {
        st = reader.status();
        break;
      }
      for (;;) {
        auto m = (*reader)->next();
        if (!m.ok()) {
          st = m.status();
          break;
        }
        if (!*m || (*m)->offset >= sizes[i]) break;
        if ((*m)->kind == format::MessageKind::kChunk && (*m)->chunk) {
          auto inserted = store->insert((*m)->chunk);
          if (!inserted.ok()) {
            st = inserted.status();
            break;
          }
        }
      }
    }
  }
  check(st.ok() ? st : st.with_context("memory_recording(): reading back what was saved before"));
  return PyMemoryRecording{std::move(store)};
}

void set_global(py::handle recording) {
  if (!recording.is_none() && !PyObject_TypeCheck(recording.ptr(), g_recording_type)) {
    type_error("set_global_recording: expected a RecordingStream or None, got " +
               type_name(recording));
  }
  PyObject* old = g_global;
  if (recording.is_none()) {
    g_global = nullptr;
    g_global_stream = nullptr;
    RecordingStream::set_global(nullptr);
  } else {
    g_global = recording.inc_ref().ptr();
    auto shared = recording.cast<std::shared_ptr<RecordingStream>>();
    g_global_stream = shared.get();
    RecordingStream::set_global(std::move(shared));
  }
  Py_XDECREF(old);  // may destroy the previous stream (flushes it, GIL released)
}

}  // namespace

// ---------------------------------------------------------------------------------------

RecordingStream* resolve_stream(PyObject* self, PyObject* recording, PyObject** owner) {
  PyObject* obj = nullptr;
  // Module functions get the module as `self` (checked first: it is the hot case).
  if (self && !PyModule_CheckExact(self) && g_recording_type &&
      PyObject_TypeCheck(self, g_recording_type)) {
    obj = self;
  } else if (recording && recording != Py_None) {
    if (!PyObject_TypeCheck(recording, g_recording_type)) {
      type_error("recording= expects a rr.RecordingStream, got " + type_name(recording));
    }
    obj = recording;
  } else if (g_global) {
    if (owner) {
      Py_INCREF(g_global);
      *owner = g_global;
    }
    return g_global_stream;
  } else {
    raise(PyExc_RuntimeError, "no recording: call rr.init(\"my_app\") first, or pass recording=");
  }
  if (owner) {
    Py_INCREF(obj);
    *owner = obj;
  }
  return py::handle(obj).cast<RecordingStream*>();
}

std::string_view entity_path_arg(PyObject* path, std::string& storage) {
  if (PyUnicode_Check(path)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(path, &n);
    if (!s) throw py::error_already_set();
    std::string_view text(s, size_t(n));
    // Loops log to the same str objects over and over: a direct-mapped cache of recently
    // validated objects (held by strong references, so an address is never reused while
    // cached) skips hashing the text.
    static PyObject* recent[256] = {};
    PyObject*& slot = recent[(reinterpret_cast<uintptr_t>(path) >> 4) & 255];
    if (slot == path) return text;
    auto& cache = valid_paths();
    if (cache.find(text) != cache.end()) {
      Py_INCREF(path);
      Py_XSETREF(slot, path);
      return text;
    }
    auto parsed = EntityPath::parse(text);
    if (!parsed.ok()) value_error(parsed.status().message());
    if (cache.size() > 100000) cache.clear();  // bounded: programs with endless unique paths
    cache.emplace(text);
    Py_INCREF(path);
    Py_XSETREF(slot, path);
    return text;
  }
  if (PyList_Check(path) || PyTuple_Check(path)) {
    std::vector<std::string> parts;
    for (auto item : py::iter(py::handle(path))) {
      if (!PyUnicode_Check(item.ptr()))
        type_error("entity path parts must be str, got " + type_name(item));
      parts.emplace_back(utf8_view(item, "entity path part"));
      if (parts.back().empty()) value_error("entity path parts must not be empty");
    }
    storage = EntityPath(std::move(parts)).str();
    return storage;
  }
  type_error("entity path must be a str (\"world/points\") or a list of parts, got " +
             type_name(path));
}

void register_recording(py::module_& m) {
  py::class_<TimeColumn>(
      m, "TimeColumn",
      "The times of one timeline for send_columns: sequence=ints, duration=seconds "
      "(floats, ints) or timedelta64, timestamp=ns since the epoch (ints), seconds (floats) "
      "or datetime64.")
      .def(py::init(&make_time_column), py::arg("timeline"), py::kw_only(),
           py::arg("sequence") = py::none(), py::arg("duration") = py::none(),
           py::arg("timestamp") = py::none())
      .def_property_readonly("timeline", [](const TimeColumn& c) { return c.name(); })
      .def_property_readonly(
          "kind", [](const TimeColumn& c) { return time_type_name(c.timeline().type()); })
      .def_property_readonly("is_sorted", &TimeColumn::is_sorted)
      .def("__len__", &TimeColumn::length)
      .def("to_numpy",
           [](const TimeColumn& c) {
             py::array_t<int64_t> out(c.length());
             if (c.length()) std::memcpy(out.mutable_data(), c.data(), size_t(c.length()) * 8);
             return out;
           })
      .def("__repr__", [](const TimeColumn& c) {
        return "TimeColumn('" + c.name() + "', " + time_type_name(c.timeline().type()) + ", " +
               std::to_string(c.length()) + " rows)";
      });

  py::class_<PyMemoryRecording>(
      m, "MemoryRecording",
      "The embedded store of a recording: read it with rr.dataframe.from_memory(mem).")
      .def_property_readonly("num_chunks",
                             [](const PyMemoryRecording& r) { return r.store->num_chunks(); })
      .def_property_readonly("num_rows",
                             [](const PyMemoryRecording& r) { return r.store->stats().num_rows; })
      .def("__repr__", [](const PyMemoryRecording& r) {
        return "MemoryRecording(" + r.store->info().application_id + ", " +
               std::to_string(r.store->num_chunks()) + " chunks)";
      });

  py::class_<RecordingStream, std::shared_ptr<RecordingStream>> cls(
      m, "RecordingStream",
      "One recording. Thread-safe: log from any number of threads; the time context (set_time) is "
      "per "
      "thread. Data logged before a sink is set is kept for the first one. Destroying it (or "
      "interpreter "
      "exit) flushes everything.");
  cls.def(py::init(&make_stream), py::arg("application_id"), py::arg("recording_id") = py::none(),
          py::kw_only(), py::arg("log_time") = true, py::arg("log_tick") = true,
          py::arg("flush_tick_secs") = py::none(), py::arg("flush_num_bytes") = py::none(),
          py::arg("flush_num_rows") = py::none())
      .def_property_readonly("application_id", &RecordingStream::application_id)
      .def_property_readonly("recording_id", &RecordingStream::recording_id)
      .def(
          "save",
          [](RecordingStream& s, py::handle path) {
            const std::string p = fspath(path);
            Status st;
            {
              py::gil_scoped_release release;
              st = s.save(p);
            }
            check(st);
            std::lock_guard lock(extras_mutex());
            auto& e = extras()[&s];
            if (!e.memory && p != "-") e.files.push_back(p);
          },
          py::arg("path"),
          "Streams the recording to a .reel file (keeps the embedded store, if any).")
      .def(
          "connect",
          [](RecordingStream& s, const std::string& address, py::handle max_block_secs,
             py::handle max_buffer_bytes) {
            TcpSinkOptions options;
            if (!max_block_secs.is_none()) options.max_block_secs = max_block_secs.cast<double>();
            if (!max_buffer_bytes.is_none())
              options.max_buffer_bytes = max_buffer_bytes.cast<uint64_t>();
            Status st;
            {
              py::gil_scoped_release release;
              st = s.connect(address, options);
            }
            check(st);
          },
          py::arg("address") = "127.0.0.1:9876", py::kw_only(),
          py::arg("max_block_secs") = py::none(), py::arg("max_buffer_bytes") = py::none(),
          "Streams the recording to `reel serve` over TCP. While the server reads, logging waits "
          "when the buffer (max_buffer_bytes, default 256 MiB) is full, at most max_block_secs "
          "(default 10, or REEL_MAX_BLOCK_SECS); only an unreachable or stalled server makes it "
          "drop data, oldest first, and flush() then issues reel.DataLossWarning.")
      .def(
          "stdout",
          [](RecordingStream& s) {
            Status st;
            {
              py::gil_scoped_release release;
              st = s.to_stdout();
            }
            check(st);
          },
          "Streams the recording to standard output (`python log.py | reel compact > out.reel`).")
      .def("memory_recording", &memory_recording,
           "The embedded store: everything logged from now on, anything still buffered for want of "
           "a sink, and "
           "what was saved to files before it existed.")
      .def(
          "flush",
          [](RecordingStream& s) {
            Status st;
            {
              py::gil_scoped_release release;
              st = s.try_flush_blocking();
            }
            check_flush(st);
          },
          "Returns when everything logged so far has reached every sink. Issues "
          "reel.DataLossWarning when a sink dropped data since the previous flush.")
      .def(
          "disable_timeline",
          [](RecordingStream& s, const std::string& timeline) { s.disable_timeline(timeline); },
          py::arg("timeline"))
      .def("reset_time", [](RecordingStream& s) { s.reset_time(); })
      .def(
          "send_columns",
          [](RecordingStream& s, py::handle entity_path, py::handle indexes, py::handle columns) {
            send_columns(s, entity_path, indexes, columns);
          },
          py::arg("entity_path"), py::arg("indexes"), py::arg("columns"),
          "Columns straight to one chunk, bypassing the time context and the batcher; indexes=[] "
          "is static.")
      .def(
          "log_file_from_path",
          [](RecordingStream& s, py::handle path, const std::string& prefix, bool is_static) {
            const std::string p = py::str(py::module_::import("os").attr("fspath")(path));
            std::optional<Result<import::ImportReport>> report;
            {
              py::gil_scoped_release release;
              report.emplace(s.try_log_file_from_path(p, prefix, is_static));
            }
            auto r = check(std::move(*report));
            auto warn = py::module_::import("warnings").attr("warn");
            for (const auto& w : r.warnings) warn(py::str(w));  // each names the file and offset
          },
          py::arg("path"), py::arg("entity_path_prefix") = "", py::arg("static") = false,
          "Imports an MCAP file, a ROS 1 bag, an image, PLY, mesh or text file (or a directory "
          "of them) into this recording.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](RecordingStream& s, py::args) {
             Status st;
             {
               py::gil_scoped_release release;
               st = s.try_flush_blocking();
             }
             check_flush(st);
           })
      .def("__repr__", [](const RecordingStream& s) {
        return "RecordingStream(application_id='" + s.application_id() + "', recording_id='" +
               s.recording_id() + "')";
      });
  g_recording_type = reinterpret_cast<PyTypeObject*>(cls.ptr());

  m.def("get_global_recording", []() -> py::object {
    return g_global ? py::reinterpret_borrow<py::object>(g_global) : py::none();
  });
  m.def(
      "set_global_recording",
      [](py::handle recording) {
        py::object previous = g_global ? py::reinterpret_borrow<py::object>(g_global) : py::none();
        set_global(recording);
        return previous;
      },
      py::arg("recording"),
      "Makes `recording` (or None) the global recording; returns the previous one.");
  m.def("_shutdown", [] {
    // atexit: flush every live stream while the interpreter is intact, then drop the global
    // recording (closing its files).
    std::vector<std::shared_ptr<RecordingStream>> streams;
    for (auto& w : live_streams()) {
      if (auto s = w.lock()) streams.push_back(std::move(s));
    }
    {
      py::gil_scoped_release release;
      for (auto& s : streams) (void)s->try_flush_blocking();
    }
    set_global(py::none());
  });
}

}  // namespace reel::py_bindings
