// .rrd files through reel's readers and writers: .reel -> .rrd -> .reel and .rrd -> .reel ->
// .rrd give the chunks back one by one; several stores per file; truncation keeps every
// complete message; loading picks the recording asked for.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli_run.hpp"
#include "reel/format/rrd.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"
#include "reel/types/component_batch.hpp"

namespace reel {
namespace {

namespace fs = std::filesystem;

template <typename T>
ChunkBuilder::Cell cell(const ComponentDescriptor& d, std::vector<T> values) {
  return {d, ComponentBatch::from<T>(d, std::span<const T>(values)).to_arrow()};
}

// Chunks of several archetypes, converted layouts included, on every kind of timeline.
std::vector<ChunkPtr> sample_chunks() {
  std::vector<ChunkPtr> out;
  {
    ChunkBuilder b("/plots/sine");
    for (int i = 0; i < 20; ++i) {
      b.add_row(RowId::create(),
                {{Timeline::sequence("step"), i}, {Timeline::timestamp("log_time"), 1000 + i}},
                {{Scalars::descriptor_scalars(),
                  i == 3 ? nullptr : arrow::make_primitive<double>({std::sin(i * 0.3)})}});
    }
    out.push_back(*b.build());
  }
  {
    ChunkBuilder b("/world/points");
    for (int i = 0; i < 3; ++i) {
      std::vector<Position3D> p;
      for (int k = 0; k <= i; ++k) p.push_back({float(k), float(i), -1});
      b.add_row(RowId::create(), {{Timeline::duration("sim"), 1000000 * i}},
                {cell(Points3D::descriptor_positions(), p),
                 cell(Points3D::descriptor_colors(), std::vector<Color>{Color(1, 2, 3, 255)})});
    }
    out.push_back(*b.build());
  }
  {
    ChunkBuilder b("/camera");
    std::vector<uint8_t> pixels = {9, 8, 7, 6, 5, 4};
    b.add_row(RowId::create(), {{Timeline::sequence("step"), 5}},
              {cell(Image::descriptor_buffer(), std::vector<ImageBuffer>{ImageBuffer(pixels)}),
               cell(Image::descriptor_format(),
                    std::vector<ImageFormat>{{2, 1, ColorModel::kRGB, ChannelDatatype::kU8}})});
    out.push_back(*b.build());
  }
  {
    ChunkBuilder b("/world");
    b.add_row(RowId::create(), {},
              {cell(AnnotationContext::descriptor_context(),
                    std::vector<AnnotationInfo>{{1, "one", Color(255, 0, 0)}})});
    out.push_back(*b.build());
  }
  return out;
}

struct Dir {
  fs::path path = fs::temp_directory_path() / ("reel_rrd_" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

Status write_file(const std::string& path, const StoreInfo& info,
                  const std::vector<ChunkPtr>& chunks, format::FileFormat fmt) {
  format::WriterOptions o;
  o.file_format = fmt;
  REEL_ASSIGN_OR_RETURN(auto w, format::RecordingWriter::open(path, o));
  REEL_RETURN_NOT_OK(w->write_store_info(info));
  for (const auto& c : chunks) REEL_RETURN_NOT_OK(w->write_chunk(*c));
  return w->finish();
}

Status convert(const std::string& in, const std::string& out, format::FileFormat fmt) {
  REEL_ASSIGN_OR_RETURN(auto r, format::RecordingReader::open(in));
  format::WriterOptions o;
  o.file_format = fmt;
  REEL_ASSIGN_OR_RETURN(auto w, format::RecordingWriter::open(out, o));
  REEL_ASSIGN_OR_RETURN(auto report, convert_recording(*r, *w));
  if (!report.warnings.empty()) return Status::Invalid("warning: " + report.warnings[0]);
  return w->finish();
}

struct Read {
  std::vector<StoreInfo> infos;
  std::vector<ChunkPtr> chunks;
  std::vector<std::string> warnings;
  bool rrd = false;
};

Read read_file(const std::string& path) {
  Read out;
  auto r = format::RecordingReader::open(path).value();
  for (;;) {
    auto m = r->next();
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    if (!m.ok() || !*m) break;
    if ((*m)->kind == format::MessageKind::kStoreInfo) out.infos.push_back((*m)->info);
    if ((*m)->kind == format::MessageKind::kChunk) out.chunks.push_back((*m)->chunk);
  }
  out.warnings = r->warnings();
  out.rrd = r->is_rrd();
  return out;
}

void expect_same_chunks(const std::vector<ChunkPtr>& a, const std::vector<ChunkPtr>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->id(), b[i]->id()) << i;
    EXPECT_TRUE(a[i]->content_equals(*b[i])) << a[i]->to_string() << "\nvs\n" << b[i]->to_string();
    ASSERT_EQ(a[i]->timelines().size(), b[i]->timelines().size());
    for (size_t t = 0; t < a[i]->timelines().size(); ++t) {
      EXPECT_EQ(a[i]->timelines()[t].timeline(), b[i]->timelines()[t].timeline());
    }
  }
}

const StoreInfo kInfo{"my_app", "rec_1", 1700000000000000000};

TEST(RrdFile, ReelToRrdToReelGivesEveryChunkBack) {
  Dir dir;
  auto chunks = sample_chunks();
  ASSERT_TRUE(write_file(dir / "a.reel", kInfo, chunks, format::FileFormat::kReel).ok());
  ASSERT_TRUE(convert(dir / "a.reel", dir / "a.rrd", format::FileFormat::kRrd).ok());
  EXPECT_EQ(*format::detect_file_format(dir / "a.rrd"), format::FileFormat::kRrd);
  ASSERT_TRUE(convert(dir / "a.rrd", dir / "b.reel", format::FileFormat::kReel).ok());
  Read rrd = read_file(dir / "a.rrd");
  EXPECT_TRUE(rrd.rrd);
  EXPECT_TRUE(rrd.warnings.empty()) << rrd.warnings[0];
  ASSERT_EQ(rrd.infos.size(), 1u);
  EXPECT_EQ(rrd.infos[0].application_id, "my_app");
  EXPECT_EQ(rrd.infos[0].recording_id, "rec_1");
  EXPECT_EQ(rrd.infos[0].started_ns, kInfo.started_ns);
  expect_same_chunks(chunks, rrd.chunks);
  Read back = read_file(dir / "b.reel");
  EXPECT_FALSE(back.rrd);
  expect_same_chunks(chunks, back.chunks);
}

TEST(RrdFile, RrdToReelToRrdGivesEveryChunkBack) {
  Dir dir;
  auto chunks = sample_chunks();
  ASSERT_TRUE(write_file(dir / "a.rrd", kInfo, chunks, format::FileFormat::kRrd).ok());
  ASSERT_TRUE(convert(dir / "a.rrd", dir / "a.reel", format::FileFormat::kReel).ok());
  ASSERT_TRUE(convert(dir / "a.reel", dir / "b.rrd", format::FileFormat::kRrd).ok());
  expect_same_chunks(read_file(dir / "a.rrd").chunks, read_file(dir / "b.rrd").chunks);
  expect_same_chunks(chunks, read_file(dir / "b.rrd").chunks);
}

TEST(RrdFile, WrittenStreamSaysReelAndRerun033) {
  Dir dir;
  ASSERT_TRUE(write_file(dir / "a.rrd", kInfo, sample_chunks(), format::FileFormat::kRrd).ok());
  auto r = format::rrd::RrdReader::open(dir / "a.rrd").value();
  auto m = r->next();
  ASSERT_TRUE(m.ok() && *m);
  EXPECT_EQ((*m)->stream_version, (format::rrd::RerunVersion{0, 33, 0, 0}));
  ASSERT_EQ((*m)->kind, format::rrd::MessageKind::kSetStoreInfo);
  EXPECT_EQ((*m)->store_info.source.kind, format::rrd::StoreSourceKind::kOther);
  EXPECT_EQ((*m)->store_info.source.extra.rfind("reel ", 0), 0u);
  EXPECT_EQ((*m)->store_info.store_version, (format::rrd::RerunVersion{0, 33, 0, 0}));
}

TEST(RrdFile, ZstdIsRefusedForRrd) {
  Dir dir;
  format::WriterOptions o;
  o.file_format = format::FileFormat::kRrd;
  o.compression = format::Compression::kZstd;
  auto w = format::RecordingWriter::open(dir / "z.rrd", o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find(".rrd has no zstd compression"), std::string::npos);
}

// A recording, its blueprint, and a second recording, interleaved as Rerun files may be.
TEST(RrdFile, SeveralStoresLoadTheFirstRecordingOrTheOneAsked) {
  Dir dir;
  auto chunks = sample_chunks();
  {
    format::WriterOptions o;
    o.file_format = format::FileFormat::kRrd;
    auto w = format::RecordingWriter::open(dir / "m.rrd", o).value();
    StoreInfo blueprint{"my_app", "bp_1", 0, true};
    StoreInfo second{"my_app", "rec_2", 0};
    ASSERT_TRUE(w->write_store_info(kInfo).ok());
    ASSERT_TRUE(w->write_chunk(*chunks[0]).ok());
    ASSERT_TRUE(w->write_store_info(blueprint).ok());
    ASSERT_TRUE(w->write_chunk(*chunks[3]).ok());
    ASSERT_TRUE(w->write_store_info(second).ok());
    ASSERT_TRUE(w->write_chunk(*chunks[1]).ok());
    ASSERT_TRUE(w->write_store_info(kInfo).ok());
    ASSERT_TRUE(w->write_chunk(*chunks[2]).ok());
    ASSERT_TRUE(w->finish().ok());
  }
  ChunkStore first;
  auto report = load_file(dir / "m.rrd", first);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->info.recording_id, "rec_1");
  EXPECT_EQ(report->chunks, 2u);  // chunks 0 and 2
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_NE(report->warnings[0].find("recording 'rec_2' (application 'my_app')"), std::string::npos)
      << report->warnings[0];
  EXPECT_NE(report->warnings[0].find("(1 chunks)"), std::string::npos) << report->warnings[0];

  ChunkStore second;
  LoadOptions o;
  o.recording_id = "rec_2";
  report = load_file(dir / "m.rrd", second, o);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->info.recording_id, "rec_2");
  EXPECT_EQ(report->chunks, 1u);

  o.recording_id = "nope";
  ChunkStore none;
  EXPECT_FALSE(load_file(dir / "m.rrd", none, o).ok());

  // .rrd -> .rrd keeps every store, blueprint included; .reel keeps the first recording and
  // the blueprint (issue 14: blueprint stores are kept in .reel too).
  ASSERT_TRUE(convert(dir / "m.rrd", dir / "copy.rrd", format::FileFormat::kRrd).ok());
  Read copy = read_file(dir / "copy.rrd");
  ASSERT_EQ(copy.chunks.size(), 4u);
  bool saw_blueprint = false;
  for (const auto& info : copy.infos) saw_blueprint |= info.is_blueprint;
  EXPECT_TRUE(saw_blueprint);
  auto r = format::RecordingReader::open(dir / "m.rrd").value();
  auto w = format::RecordingWriter::open(dir / "one.reel").value();
  auto converted = convert_recording(*r, *w);
  ASSERT_TRUE(converted.ok());
  EXPECT_EQ(converted->chunks, 3u);           // rec_1's two and the blueprint's
  EXPECT_EQ(converted->warnings.size(), 1u);  // rec_2, named
  EXPECT_NE(converted->warnings[0].find("recording 'rec_2' left out"), std::string::npos);
}

TEST(RrdFile, TruncationKeepsEveryCompleteMessage) {
  Dir dir;
  auto chunks = sample_chunks();
  format::WriterOptions o;
  o.file_format = format::FileFormat::kRrd;
  o.compression = format::Compression::kNone;
  ASSERT_TRUE(write_file(dir / "a.rrd", kInfo, chunks, format::FileFormat::kRrd).ok());
  std::ifstream in(dir / "a.rrd", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  // Where each message ends (from the stream layer), to know how many are complete.
  std::vector<uint64_t> ends;
  {
    auto r = format::rrd::RrdReader::open(dir / "a.rrd").value();
    for (;;) {
      auto m = r->next();
      ASSERT_TRUE(m.ok());
      if (!*m) break;
      if ((*m)->kind == format::rrd::MessageKind::kArrowMsg) {
        ends.push_back((*m)->offset + format::rrd::kMessageHeaderBytes + (*m)->body_bytes);
      }
    }
  }
  ASSERT_EQ(ends.size(), chunks.size());
  for (uint64_t cut : {ends[0] - 1, ends[1], ends[1] + 7, ends[2] + 20}) {
    const std::string path = dir / "cut.rrd";
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(cut));
    size_t complete = 0;
    for (uint64_t e : ends) complete += e <= cut;
    ChunkStore store;
    auto report = load_file(path, store);
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    EXPECT_EQ(report->chunks, complete) << "cut at " << cut;
    EXPECT_FALSE(report->warnings.empty()) << "cut at " << cut;
  }
}

// A damaged length field (no checksums in .rrd): the reader resynchronises on the next
// message header and every other chunk loads.
TEST(RrdFile, CorruptLengthSkipsOnlyThatMessage) {
  Dir dir;
  auto chunks = sample_chunks();
  ASSERT_TRUE(write_file(dir / "a.rrd", kInfo, chunks, format::FileFormat::kRrd).ok());
  std::vector<uint64_t> starts;
  {
    auto r = format::rrd::RrdReader::open(dir / "a.rrd").value();
    for (;;) {
      auto m = r->next();
      ASSERT_TRUE(m.ok());
      if (!*m) break;
      if ((*m)->kind == format::rrd::MessageKind::kArrowMsg) starts.push_back((*m)->offset);
    }
  }
  ASSERT_EQ(starts.size(), chunks.size());
  std::fstream f(dir / "a.rrd", std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(std::streamoff(starts[1] + 8));
  const uint64_t bogus = 0x7fffffffffffull;
  f.write(reinterpret_cast<const char*>(&bogus), 8);
  f.close();
  ChunkStore store;
  auto report = load_file(dir / "a.rrd", store);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->chunks, chunks.size() - 1);
  ASSERT_FALSE(report->warnings.empty());
  EXPECT_NE(report->warnings[0].find(std::to_string(starts[1])), std::string::npos)
      << report->warnings[0];
}

namespace reel {
namespace {

using test_support::cli;
using test_support::CliRun;

const std::string kSaved = std::string(REEL_SOURCE_DIR) + "/tests/data/rerun_0.33.0_saved.rrd";

// The `reel` commands on .rrd: the format follows the output's extension or --file-format.
TEST(RrdCli, ConvertCompactFilterAndQueryRrd) {
  Dir dir;
  auto r = cli("convert " + kSaved + " -o " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 stores, 2 chunks (60 rows) written as .reel"), std::string::npos)
      << r.out;
  EXPECT_EQ(*format::detect_file_format(dir / "a.reel"), format::FileFormat::kReel);
  r = cli("compact " + (dir / "a.reel") + " -o " + (dir / "b.rrd"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(*format::detect_file_format(dir / "b.rrd"), format::FileFormat::kRrd);
  r = cli("filter " + (dir / "b.rrd") + " --drop-entity /world/** --file-format rrd -o " +
          (dir / "c.out"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(*format::detect_file_format(dir / "c.out"), format::FileFormat::kRrd);
  r = cli("print " + (dir / "c.out"));
  EXPECT_NE(r.out.find("recording rec_js_1 of application 'rrd_writer_js'"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 chunks, 50 rows"), std::string::npos) << r.out;
  r = cli("query " + kSaved + " --index step --select /plots/sine:Scalars:scalars");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("step,/plots/sine:Scalars:scalars\n0,0.0\n1,0.19866933079506"),
            std::string::npos)
      << r.out;
  r = cli("merge " + kSaved + " " + (dir / "a.reel") + " --compression zstd -o " + (dir / "z.rrd"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find(".rrd has no zstd compression"), std::string::npos) << r.out;
  r = cli("convert " + kSaved + " --file-format parquet -o " + (dir / "p"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--file-format 'parquet': use reel or rrd"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace reel

// Rerun keeps one chunk per chunk id: a second chunk with an id already written would be
// dropped (or remove the first one's splits), so the .rrd writer refuses it, naming the file,
// the entity and the id. A slice keeps its chunk's id; with a fresh id it is written.
TEST(RrdFile, AChunkIdIsWrittenOnce) {
  Dir dir;
  const ChunkPtr sine = sample_chunks()[0];
  format::WriterOptions o;
  o.file_format = format::FileFormat::kRrd;
  auto w = format::RecordingWriter::open(dir / "ids.rrd", o).value();
  ASSERT_TRUE(w->write_store_info(kInfo).ok());
  ASSERT_TRUE(w->write_chunk(*sine->slice(0, 19)).ok());
  Status again = w->write_chunk(*sine->slice(19, 1));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find(dir / "ids.rrd"), std::string::npos) << again.to_string();
  EXPECT_NE(
      again.message().find("a chunk of /plots/sine reuses chunk id " + sine->id().to_string()),
      std::string::npos)
      << again.to_string();
  ASSERT_TRUE(w->write_chunk(*sine->slice(19, 1)->with_id(RowId::create())).ok());
  // Ids are per store: another recording may hold a chunk of the same id.
  StoreInfo other = kInfo;
  other.recording_id += "-other";
  ASSERT_TRUE(w->write_store_info(other).ok());
  EXPECT_TRUE(w->write_chunk(*sine).ok());
  ASSERT_TRUE(w->finish().ok());
  Read back = read_file(dir / "ids.rrd");
  ASSERT_EQ(back.chunks.size(), 3u);
  ASSERT_EQ(back.infos.size(), 2u);
  EXPECT_EQ(back.infos[1].recording_id, other.recording_id);
  EXPECT_EQ(back.chunks[2]->id(), sine->id());
  EXPECT_EQ(back.chunks[0]->id(), sine->id());
  EXPECT_EQ(back.chunks[0]->num_rows(), 19);
  EXPECT_NE(back.chunks[1]->id(), sine->id());
  EXPECT_EQ(back.chunks[1]->num_rows(), 1);
}

}  // namespace
}  // namespace reel
