// `reel convert`: .reel <-> Rerun's .rrd.
#include <cstdio>

#include "cli/cli.hpp"

namespace reel::cli {

int run_convert(const ConvertOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  if (Status st = check_output_is_not_an_input(options.output, *inputs, "convert"); !st.ok()) {
    return fail(st);
  }
  auto compression = format::parse_compression(options.compression);
  if (!compression.ok()) return fail(compression.status());
  format::WriterOptions wo;
  wo.compression = *compression;
  auto writer = open_output(options.output, wo, *inputs, "convert", options.file_format);
  if (!writer.ok()) return fail(writer.status());
  ConvertReport report;
  for (const auto& path : *inputs) {
    auto reader = format::RecordingReader::open(path);
    if (!reader.ok()) return fail(reader.status());
    auto r = convert_recording(**reader, **writer, std::move(report));
    if (!r.ok()) return fail(r.status());
    report = std::move(*r);
    print_warnings(report.warnings);
    report.warnings.clear();
  }
  Status st = (*writer)->finish();
  if (!st.ok()) return fail(st);
  std::fprintf(stderr, "reel convert: %llu stores, %llu chunks (%lld rows) written as %s\n",
               static_cast<unsigned long long>(report.stores),
               static_cast<unsigned long long>(report.chunks), static_cast<long long>(report.rows),
               (*writer)->file_format() == format::FileFormat::kRrd ? ".rrd" : ".reel");
  return 0;
}

}  // namespace reel::cli
