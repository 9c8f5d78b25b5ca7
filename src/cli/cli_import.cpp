// reel import: MCAP files, ROS 1 bags and plain files as recordings; and the on-the-fly import
// that lets every other command read them.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "cli/cli.hpp"
#include "reel/import/importer.hpp"

namespace reel::cli {

namespace {

void print_import_summary(const std::string& path, const import::ImportReport& r) {
  std::fprintf(stderr, "reel import: %s: %llu messages, %llu chunks, recording %s (%zu warnings)\n",
               path.c_str(), static_cast<unsigned long long>(r.messages),
               static_cast<unsigned long long>(r.chunks), r.info.recording_id.c_str(),
               r.warnings.size());
}

// Temporary recordings made for commands that read files (print, stats, compact, ...),
// removed when the process exits.
std::mutex temps_mutex;
std::vector<std::string> temps;

void remove_temps() {
  std::lock_guard<std::mutex> lock(temps_mutex);
  for (const auto& t : temps) ::unlink(t.c_str());
}

}  // namespace

Result<bool> is_importable(const std::string& path) {
  if (path == "-") return false;
  REEL_ASSIGN_OR_RETURN(auto format, import::detect_import_format(path));
  return format != import::ImportFormat::kNone;
}

Result<std::string> import_to_temporary(const std::string& path) {
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
  REEL_ASSIGN_OR_RETURN(auto report, import::import_into_store(path, *store));
  print_warnings(report.warnings);
  const char* tmp = std::getenv("TMPDIR");
  std::string name = path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  name = name.substr(name.find_last_of('/') + 1);
  // Named after the input, so that what commands print says where it came from.
  const std::string suffix = "-" + name + ".reel";
  std::string temp = std::string(tmp && *tmp ? tmp : "/tmp") + "/reel-import-XXXXXX" + suffix;
  const int fd = ::mkstemps(temp.data(), int(suffix.size()));
  if (fd < 0) return Status::IOError("cannot create a temporary file in " + temp);
  {
    std::lock_guard<std::mutex> lock(temps_mutex);
    if (temps.empty()) std::atexit(remove_temps);
    temps.push_back(temp);
  }
  REEL_ASSIGN_OR_RETURN(auto writer,
                        format::RecordingWriter::from_fd(fd, true, name + " (imported)"));
  REEL_RETURN_NOT_OK(write_store(*store, *writer));
  REEL_RETURN_NOT_OK(writer->finish());
  return temp;
}

int run_import(const ImportCommandOptions& options) {
  if (options.inputs.empty()) return fail(Status::Invalid("import: give the files to import"));
  auto file_format = output_file_format(options.output, options.file_format, "import");
  if (!file_format.ok()) return fail(file_format.status());
  auto compression = format::parse_compression(options.compression);
  if (!compression.ok()) return fail(compression.status());
  import::ImportOptions io;
  io.topics = options.topics;
  // One recording per input. One input goes through open_output (so whatever recording
  // formats it writes, this writes); several are written one after another as concatenated
  // recordings (`cat a.reel b.reel`), without footers, whose offsets would not hold.
  const bool single = options.inputs.size() == 1;
  format::WriterOptions wo;
  wo.compression = *compression;
  wo.file_format = *file_format;  // several inputs in .rrd: concatenated streams, as in .reel
  wo.write_footer = single;
  std::unique_ptr<format::RecordingWriter> writer;
  int fd = -1;
  if (single) {
    auto w = open_output(options.output, wo, options.inputs, "import", options.file_format);
    if (!w.ok()) return fail(w.status());
    writer = std::move(*w);
  } else {
    if ((options.output == "-" || options.output.empty()) && ::isatty(STDOUT_FILENO)) {
      return fail(Status::Invalid(
          "refusing to write a binary recording to a terminal: use -o FILE or a pipe"));
    }
    if (Status st = check_output_is_not_an_input(options.output, options.inputs, "import");
        !st.ok()) {
      return fail(st);
    }
    fd = options.output == "-"
             ? STDOUT_FILENO
             : ::open(options.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail(Status::IOError("cannot create " + options.output));
  }
  for (const auto& path : options.inputs) {
    auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
    auto report = import::import_into_store(path, *store, io);
    if (!report.ok()) return fail(report.status());
    print_warnings(report->warnings);
    if (!single) {
      auto w = format::RecordingWriter::from_fd(fd, false, options.output, wo);
      if (!w.ok()) return fail(w.status());
      writer = std::move(*w);
    }
    if (Status st = write_store(*store, *writer); !st.ok()) return fail(st);
    if (!single) {
      if (Status st = writer->finish(); !st.ok()) return fail(st);
    }
    print_import_summary(path, *report);
  }
  if (single) {
    if (Status st = writer->finish(); !st.ok()) return fail(st);
  } else if (fd != STDOUT_FILENO && ::close(fd) != 0) {
    return fail(Status::IOError("closing " + options.output));
  }
  return 0;
}

}  // namespace reel::cli
