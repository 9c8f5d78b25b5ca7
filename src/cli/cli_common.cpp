#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/cli.hpp"

namespace reel::cli {

namespace {
ProgressMode g_progress_mode = ProgressMode::kAuto;

std::string human(double bytes) {
  char buf[32];
  if (bytes >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  }
  return buf;
}

std::string clock_time(double secs) {
  char buf[32];
  const long s = long(secs + 0.5);
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}
}  // namespace

void Progress::set_mode(ProgressMode mode) { g_progress_mode = mode; }
ProgressMode Progress::mode() { return g_progress_mode; }

void add_progress_options(CLI::App* command) {
  static std::string progress;  // one command runs per process
  command
      ->add_option_function<std::string>(
          "--progress",
          [](const std::string& value) {
            Progress::set_mode(value == "always"  ? ProgressMode::kAlways
                               : value == "never" ? ProgressMode::kNever
                                                  : ProgressMode::kAuto);
          },
          "Progress on stderr: auto (after a second of work; a bar on a terminal, plain lines "
          "otherwise), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command->add_flag_callback(
      "-q,--quiet", [] { Progress::set_mode(ProgressMode::kNever); },
      "No progress (--progress=never)");
}

Progress::Progress(std::string label, uint64_t total_bytes)
    : label_(std::move(label)),
      total_(total_bytes),
      tty_(::isatty(STDERR_FILENO) == 1),
      active_(g_progress_mode != ProgressMode::kNever),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() {
  // Not finished: the work failed. A bar on a terminal still gets its line ended.
  if (active_ && drawn_ && tty_) std::fprintf(stderr, "\n");
}

void Progress::update(uint64_t done) {
  done_ = done;
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  const bool always = g_progress_mode == ProgressMode::kAlways;
  if (!always && now - start_ < std::chrono::seconds(1)) return;
  // A terminal redraws ten times a second; a log gets a line every five seconds.
  const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  if (drawn_ && now - last_ < every) return;
  if (!drawn_ && !tty_ && !always && now - start_ < std::chrono::seconds(5)) return;
  last_ = now;
  draw(done, false);
}

void Progress::draw(uint64_t done, bool last) {
  drawn_ = true;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // Rates from less than a tenth of a second of work say nothing.
  const double rate = secs >= 0.1 ? double(done) / secs : 0;
  const bool known = total_ > 0;
  const double frac = known ? std::min(1.0, double(done) / double(total_)) : 0;
  std::string speed, eta;
  if (rate > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f MB/s", rate / 1e6);
    speed = buf;
  }
  if (known && !last && rate > 0 && done > 0) {
    eta = clock_time(double(total_ - std::min(total_, done)) / rate);
  }
  if (tty_) {
    std::string tail = speed.empty() ? "" : "  " + speed;
    if (!eta.empty()) tail += "  ETA " + eta;
    if (known) {
      const int width = 30, filled = int(frac * width);
      std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %s%s ", label_.c_str(), filled,
                   "##############################", width - filled, "", frac * 100,
                   human(double(done)).c_str(), tail.c_str());
    } else {
      std::fprintf(stderr, "\r%s %s%s ", label_.c_str(), human(double(done)).c_str(), tail.c_str());
    }
  } else {
    std::string tail = speed.empty() ? "" : " at " + speed;
    if (last) {
      tail += ", done";
    } else if (!eta.empty()) {
      tail += ", " + eta + " left";
    }
    if (known) {
      std::fprintf(stderr, "reel: %s: %.0f%% (%s of %s)%s\n", label_.c_str(), frac * 100,
                   human(double(done)).c_str(), human(double(total_)).c_str(), tail.c_str());
    } else {
      std::fprintf(stderr, "reel: %s: %s%s\n", label_.c_str(), human(double(done)).c_str(),
                   tail.c_str());
    }
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (active_ && (drawn_ || g_progress_mode == ProgressMode::kAlways)) {
    // The last state, complete (a bar at its end; a line saying done).
    draw(total_ ? std::max(done_, total_) : done_, true);
    if (tty_) std::fprintf(stderr, "\n");
  }
  drawn_ = false;
  active_ = false;
}

Result<std::vector<std::string>> resolve_inputs(const std::vector<std::string>& paths,
                                                bool import_files) {
  if (!paths.empty()) {
    if (!import_files) return paths;
    std::vector<std::string> out;
    for (const auto& p : paths) {
      REEL_ASSIGN_OR_RETURN(bool importable, is_importable(p));
      if (!importable) {
        out.push_back(p);
        continue;
      }
      REEL_ASSIGN_OR_RETURN(auto temp, import_to_temporary(p));
      out.push_back(std::move(temp));
    }
    return out;
  }
  if (::isatty(STDIN_FILENO)) {
    return Status::Invalid("no input: give recording files, or pipe a recording into stdin");
  }
  return std::vector<std::string>{"-"};
}

Status check_output_is_not_an_input(const std::string& output,
                                    const std::vector<std::string>& inputs, const char* verb) {
  const bool to_stdout = output.empty() || output == "-";
  struct stat out;
  if (to_stdout ? ::fstat(STDOUT_FILENO, &out) != 0 : ::stat(output.c_str(), &out) != 0) {
    return Status::OK();  // a new file cannot be an input
  }
  if (!S_ISREG(out.st_mode)) return Status::OK();  // pipes, terminals, /dev/null
  for (const auto& in : inputs) {
    struct stat st;
    const bool from_stdin = in == "-";
    if (from_stdin ? ::fstat(STDIN_FILENO, &st) != 0 : ::stat(in.c_str(), &st) != 0) continue;
    if (st.st_dev != out.st_dev || st.st_ino != out.st_ino) continue;
    const std::string what = to_stdout ? "stdout" : "the output " + output;
    const std::string input = from_stdin ? "stdin" : in;
    return Status::Invalid(std::string(verb) + ": " + what +
                           " is also an input (the same file as " + input +
                           "); writing it would destroy the input: write to another file");
  }
  return Status::OK();
}

Result<format::FileFormat> output_file_format(const std::string& path,
                                              const std::string& file_format, const char* verb) {
  if (file_format == "rrd" ||
      (file_format.empty() && path.size() > 4 && path.compare(path.size() - 4, 4, ".rrd") == 0)) {
    return format::FileFormat::kRrd;
  }
  if (file_format.empty() || file_format == "reel") return format::FileFormat::kReel;
  return Status::Invalid(std::string(verb) + ": --file-format '" + file_format +
                         "': use reel or rrd");
}

Result<std::unique_ptr<format::RecordingWriter>> open_output(const std::string& path,
                                                             format::WriterOptions options,
                                                             const std::vector<std::string>& inputs,
                                                             const char* verb,
                                                             const std::string& file_format) {
  REEL_ASSIGN_OR_RETURN(options.file_format, output_file_format(path, file_format, verb));
  if ((path == "-" || path.empty()) && ::isatty(STDOUT_FILENO)) {
    return Status::Invalid(
        "refusing to write a binary recording to a terminal: use -o FILE or a pipe");
  }
  REEL_RETURN_NOT_OK(check_output_is_not_an_input(path, inputs, verb));
  return format::RecordingWriter::open(path.empty() ? "-" : path, options);
}

Status index_input(const std::string& path, format::RecordingIndex& index) {
  format::IndexOptions options;
  std::unique_ptr<Progress> progress;
  options.progress = [&](uint64_t done, uint64_t total) {
    if (!progress) progress = std::make_unique<Progress>(path == "-" ? "stdin" : path, total);
    progress->update(done);
  };
  Status st = format::index_recording(path, index, options);
  if (progress) progress->finish();
  return st;
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::fprintf(stderr, "reel: warning: %s\n", w.c_str());
}

int fail(const Status& status) {
  std::fprintf(stderr, "reel: error: %s\n", status.message().c_str());
  return 1;
}

}  // namespace reel::cli
