#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "cli/cli.hpp"

namespace reel::cli {

Progress::Progress(std::string label, uint64_t total_bytes)
    : label_(std::move(label)),
      total_(total_bytes),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100))
    return;
  last_ = now;
  drawn_ = true;
  double secs = std::chrono::duration<double>(now - start_).count();
  double mb = double(done) / 1e6;
  if (total_ > 0) {
    double frac = std::min(1.0, double(done) / double(total_));
    int width = 30, filled = int(frac * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.1f MB  %.0f MB/s ", label_.c_str(), filled,
                 "##############################", width - filled, "", frac * 100, mb,
                 mb / std::max(secs, 1e-9));
  } else {
    std::fprintf(stderr, "\r%s %.1f MB  %.0f MB/s ", label_.c_str(), mb, mb / std::max(secs, 1e-9));
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\n");
    drawn_ = false;
  }
  tty_ = false;
}

Result<std::vector<std::string>> resolve_inputs(const std::vector<std::string>& paths) {
  if (!paths.empty()) return paths;
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

Result<std::unique_ptr<format::RecordingWriter>> open_output(const std::string& path,
                                                             format::WriterOptions options,
                                                             const std::vector<std::string>& inputs,
                                                             const char* verb,
                                                             const std::string& file_format) {
  if (file_format == "rrd" ||
      (file_format.empty() && path.size() > 4 && path.compare(path.size() - 4, 4, ".rrd") == 0)) {
    options.file_format = format::FileFormat::kRrd;
  } else if (file_format.empty() || file_format == "reel") {
    options.file_format = format::FileFormat::kReel;
  } else {
    return Status::Invalid(std::string(verb) + ": --file-format '" + file_format +
                           "': use reel or rrd");
  }
  if ((path == "-" || path.empty()) && ::isatty(STDOUT_FILENO)) {
    return Status::Invalid(
        "refusing to write a binary recording to a terminal: use -o FILE or a pipe");
  }
  REEL_RETURN_NOT_OK(check_output_is_not_an_input(path, inputs, verb));
  return format::RecordingWriter::open(path.empty() ? "-" : path, options);
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) std::fprintf(stderr, "reel: warning: %s\n", w.c_str());
}

int fail(const Status& status) {
  std::fprintf(stderr, "reel: error: %s\n", status.message().c_str());
  return 1;
}

}  // namespace reel::cli
