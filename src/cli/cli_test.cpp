// Drives the real `reel` binary through a shell, pipes included.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "reel/format/recording_file.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

namespace fs = std::filesystem;

struct Run {
  int status;
  std::string out;
};

// Runs a shell command line; captures stdout (and stderr with 2>&1 in the command).
Run sh(const std::string& command) {
  std::string full = "cd '" + fs::temp_directory_path().string() + "' && " + command;
  FILE* p = ::popen(full.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string kReel = REEL_CLI_PATH;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reel_cli_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    input_ = (dir_ / "in.reel").string();
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    options.batcher.flush_num_rows = 7;  // many small chunks, so compact has work
    RecordingStream rec("cli_test", options);
    EXPECT_TRUE(rec.save(input_).ok());
    for (int i = 0; i < 100; ++i) {
      rec.set_time_sequence("frame", i);
      rec.set_time_duration_secs("sim", i * 0.1);
      rec.log("plots/a", Scalars(i));
      rec.log("world/debug/x", Scalars(-i));
    }
    rec.log_static("world/label", TextDocument("first"));
    rec.log_static("world/label", TextDocument("second"));  // supersedes the first
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::string input_;
};

// Rows of an entity as stored in the file (no store in between).
int64_t count_rows(const std::string& file, const std::string& entity) {
  auto reader = format::RecordingReader::open(file).value();
  int64_t rows = 0;
  for (auto m = reader->next(); m.ok() && *m; m = reader->next()) {
    if ((*m)->kind == format::MessageKind::kChunk &&
        (*m)->chunk->entity_path() == EntityPath(entity)) {
      rows += (*m)->chunk->num_rows();
    }
  }
  return rows;
}

TEST_F(CliTest, HelpOnEveryCommand) {
  for (const char* cmd :
       {"print", "stats", "compact", "merge", "filter", "verify", "query", "schema"}) {
    auto r = sh(kReel + " " + cmd + " --help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ": " << r.out;
  }
}

TEST_F(CliTest, PrintListsChunksAndTotals) {
  auto r = sh(kReel + " print " + input_);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("application 'cli_test'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/plots/a"), std::string::npos);
  EXPECT_NE(r.out.find("Scalars:scalars"), std::string::npos);
  EXPECT_NE(r.out.find("202 rows"), std::string::npos) << r.out;
  auto vv = sh(kReel + " print -vv " + input_);
  EXPECT_NE(vv.out.find("list<float64>"), std::string::npos) << vv.out;
  EXPECT_NE(vv.out.find("frame=0"), std::string::npos) << vv.out;
}

TEST_F(CliTest, StatsFromStdin) {
  auto r = sh("cat " + input_ + " | " + kReel + " stats");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("<stdin>"), std::string::npos);
  EXPECT_NE(r.out.find("rows             202"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("compression ratio"), std::string::npos);
}

TEST_F(CliTest, CompactThroughPipesDropsChunksAndSupersededStatics) {
  auto r = sh("cat " + input_ + " | " + kReel + " compact --max-rows 64 > " + path("c.reel") +
              " 2>/dev/null");
  ASSERT_EQ(r.status, 0);
  ChunkStore before, after;
  ASSERT_TRUE(load_file(input_, before).ok());
  auto in_chunks = format::RecordingReader::open(input_).value();
  int chunks_in = 0;
  for (auto m = in_chunks->next(); m.ok() && *m; m = in_chunks->next())
    chunks_in += (*m)->kind == format::MessageKind::kChunk;
  ASSERT_TRUE(load_file(path("c.reel"), after).ok());
  auto out_chunks = format::RecordingReader::open(path("c.reel")).value();
  int chunks_out = 0;
  for (auto m = out_chunks->next(); m.ok() && *m; m = out_chunks->next()) {
    if ((*m)->kind != format::MessageKind::kChunk) continue;
    ++chunks_out;
    EXPECT_LE((*m)->chunk->num_rows(), 64);
  }
  EXPECT_LT(chunks_out, chunks_in);
  // Query results are identical.
  const auto& s = Scalars::descriptor_scalars();
  for (TimeInt t : {0, 50, 99}) {
    EXPECT_EQ(before.latest_at({"frame", t}, "/plots/a", s)->row_id,
              after.latest_at({"frame", t}, "/plots/a", s)->row_id);
  }
  EXPECT_EQ(after.range({"sim", {0, kTimeMax}}, "/plots/a", s).num_rows(), 100);
  // The superseded static document is gone physically.
  EXPECT_EQ(count_rows(path("c.reel"), "/world/label"), 1);
  EXPECT_EQ(count_rows(input_, "/world/label"), 2);
}

TEST_F(CliTest, MergeCombinesRecordings) {
  auto split =
      sh(kReel + " filter " + input_ + " --drop-entity /plots/a -o " + path("x.reel") + " && " +
         kReel + " filter " + input_ + " --drop-entity '/world/**' -o " + path("a.reel"));
  ASSERT_EQ(split.status, 0);
  auto r = sh(kReel + " merge " + path("x.reel") + " " + path("a.reel") + " -o " + path("m.reel") +
              " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count_rows(path("m.reel"), "/plots/a"), 100);
  EXPECT_EQ(count_rows(path("m.reel"), "/world/debug/x"), 100);
  EXPECT_NE(r.out.find("reel merge"), std::string::npos);
}

TEST_F(CliTest, FilterDropsEntitiesAndTimelines) {
  auto r =
      sh(kReel + " filter " + input_ + " --drop-entity '/world/debug/**' --drop-timeline sim -o " +
         path("f.reel") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count_rows(path("f.reel"), "/world/debug/x"), 0);
  EXPECT_EQ(count_rows(path("f.reel"), "/plots/a"), 100);
  ChunkStore store;
  ASSERT_TRUE(load_file(path("f.reel"), store).ok());
  auto timelines = store.timelines();
  ASSERT_EQ(timelines.size(), 1u);
  EXPECT_EQ(timelines[0].name(), "frame");
}

TEST_F(CliTest, NoCommandWritesOverItsOwnInput) {
  const auto size = fs::file_size(input_);
  fs::create_symlink(input_, path("link.reel"));
  const std::string cases[] = {
      "filter " + input_ + " --drop-entity /plots -o " + input_ + " 2>&1",
      "filter " + input_ + " --drop-entity /plots -o " + path("link.reel") + " 2>&1",
      "filter " + path("link.reel") + " -o " + input_ + " 2>&1",
      "compact " + path("link.reel") + " -o " + input_ + " 2>&1",
      "merge " + path("other.reel") + " " + input_ + " -o " + path("link.reel") + " 2>&1",
      "query " + input_ + " --index frame -o " + input_ + " 2>&1",
      // stdout redirected onto the input (the shell's >> keeps the bytes; stderr to the pipe).
      "filter " + input_ + " 2>&1 >> " + input_,
  };
  fs::copy_file(input_, path("other.reel"));
  for (const auto& c : cases) {
    auto r = sh(kReel + " " + c);
    EXPECT_EQ(r.status, 1) << c << ": " << r.out;
    EXPECT_NE(r.out.find("is also an input"), std::string::npos) << c << ": " << r.out;
    EXPECT_EQ(fs::file_size(input_), size) << c;
  }
  EXPECT_EQ(count_rows(input_, "/plots/a"), 100);
}

TEST_F(CliTest, ADamagedLengthMidFileCostsOnlyThatMessage) {
  // The 4th message's stored length, corrupted to more than what is left of the file.
  std::vector<format::Message> messages;
  int64_t victim_rows = 0;
  {
    auto reader = format::RecordingReader::open(input_).value();
    for (auto m = reader->next(); m.ok() && *m; m = reader->next()) messages.push_back(**m);
  }
  ASSERT_GT(messages.size(), 10u);
  ASSERT_EQ(messages[3].kind, format::MessageKind::kChunk);
  victim_rows = messages[3].chunk->num_rows();
  std::string bytes;
  {
    std::ifstream in(input_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const uint64_t bogus = 1ull << 28;
  std::memcpy(&bytes[messages[3].offset + 16], &bogus, 8);
  std::ofstream(path("bad.reel"), std::ios::binary) << bytes;
  auto r = sh(kReel + " compact " + path("bad.reel") + " -o " + path("out.reel") + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("is corrupt at byte " + std::to_string(messages[3].offset)),
            std::string::npos)
      << r.out;
  EXPECT_EQ(
      count_rows(path("out.reel"), "/plots/a") + count_rows(path("out.reel"), "/world/debug/x"),
      200 - victim_rows);
  auto v = sh(kReel + " verify " + path("bad.reel") + " 2>&1");
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("corrupt at byte"), std::string::npos) << v.out;
}

TEST_F(CliTest, ConcatenatedRecordingsAreVerifiedAndListedNotIgnored) {
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream other("other_app", options);
    EXPECT_TRUE(other.save(path("other.reel")).ok());
    other.set_time_sequence("frame", 1);
    other.log("plots/b", Scalars(1.0));
  }
  ASSERT_EQ(sh("cat " + input_ + " " + path("other.reel") + " > " + path("both.reel")).status, 0);
  auto v = sh(kReel + " verify " + path("both.reel") + " 2>&1");
  EXPECT_EQ(v.status, 0) << v.out;
  auto q = sh(kReel + " query " + path("both.reel") + " --index frame 2>&1");
  EXPECT_EQ(q.status, 0) << q.out;
  EXPECT_NE(q.out.find("another recording"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("other_app"), std::string::npos) << q.out;
}

TEST_F(CliTest, TimelineTypeConflictIsReportedAndTheRestLoads) {
  // Issue 13, item 5: "frame" as a sequence in one chunk and a duration in another (an older
  // SDK could write that): verify reports the chunk; query loads the rest and names it.
  auto chunk = [](const char* entity, Timeline t, double v) {
    ChunkBuilder b(EntityPath::parse(entity).value());
    b.add_row(RowId::create(), {{t, 1}},
              {{Scalars::descriptor_scalars(), arrow::make_primitive<double>({v})}});
    return b.build().value();
  };
  ChunkPtr seq = chunk("/a", Timeline::sequence("frame"), 1.0);
  ChunkPtr dur = chunk("/b", Timeline::duration("frame"), 2.0);
  uint64_t dur_at = 0;
  {
    auto w = format::RecordingWriter::open(path("mixed.reel"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write_store_info({"mixed", "rec", 0}).ok());
    ASSERT_TRUE((*w)->write_chunk(*seq).ok());
    dur_at = (*w)->bytes_written();
    ASSERT_TRUE((*w)->write_chunk(*dur).ok());
    ASSERT_TRUE((*w)->finish().ok());
  }
  auto v = sh(kReel + " verify " + path("mixed.reel") + " 2>&1");
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("chunk " + dur->id().to_string() + " at byte " + std::to_string(dur_at) +
                       " (/b): timeline frame is duration where the recording has it as "
                       "sequence; readers leave this chunk out"),
            std::string::npos)
      << v.out;
  auto q = sh(kReel + " query " + path("mixed.reel") + " --index frame 2>&1");
  EXPECT_EQ(q.status, 0) << q.out;
  EXPECT_NE(q.out.find("chunk at byte " + std::to_string(dur_at) + " not loaded: chunk " +
                       dur->id().to_string() + " of entity /b, timeline frame: duration time"),
            std::string::npos)
      << q.out;
  EXPECT_NE(q.out.find("/a:Scalars:scalars"), std::string::npos) << q.out;
}

TEST_F(CliTest, VerifyPassesGoodFilesAndFailsBadOnes) {
  auto ok = sh(kReel + " verify " + input_);
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("OK"), std::string::npos);
  // Cut the file in the middle of a message.
  auto size = fs::file_size(input_);
  fs::copy_file(input_, path("cut.reel"));
  fs::resize_file(path("cut.reel"), size / 2);
  auto bad = sh(kReel + " verify " + path("cut.reel"));
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("truncated"), std::string::npos) << bad.out;
}

TEST_F(CliTest, BadInputIsAOneLineErrorAndNonZeroStatus) {
  {
    std::ofstream junk(path("junk.reel"));
    junk << "definitely not a recording";
  }
  auto r = sh(kReel + " print " + path("junk.reel") + " 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("reel: error:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not a reel recording"), std::string::npos) << r.out;
  auto missing = sh(kReel + " stats " + path("nope.reel") + " 2>&1");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("cannot open"), std::string::npos) << missing.out;
  auto same = sh(kReel + " compact " + input_ + " -o " + input_ + " 2>&1");
  EXPECT_NE(same.status, 0);
  EXPECT_NE(same.out.find("also an input"), std::string::npos) << same.out;
}

TEST_F(CliTest, QueryWritesTablesInEveryFormat) {
  auto csv = sh(kReel + " query " + input_ + " --index frame --contents '/plots/**' --range 3 5");
  ASSERT_EQ(csv.status, 0) << csv.out;
  EXPECT_EQ(csv.out, "frame,/plots/a:Scalars:scalars\n3,3.0\n4,4.0\n5,5.0\n");
  auto json =
      sh("cat " + input_ + " | " + kReel +
         " query --index frame --select /world/label:TextDocument:text,/plots/a:Scalars:scalars "
         "--index-values 7,8 --format json 2>/dev/null");
  ASSERT_EQ(json.status, 0) << json.out;
  EXPECT_EQ(json.out,
            "{\"/plots/a:Scalars:scalars\":7.0,\"/world/"
            "label:TextDocument:text\":\"second\",\"frame\":7}\n"
            "{\"/plots/a:Scalars:scalars\":8.0,\"/world/"
            "label:TextDocument:text\":\"second\",\"frame\":8}\n");
  auto arrow = sh(kReel + " query " + input_ + " --index sim --fill-latest-at --format arrow -o " +
                  path("t.arrows") + " 2>&1");
  ASSERT_EQ(arrow.status, 0) << arrow.out;
  EXPECT_NE(arrow.out.find("100 rows"), std::string::npos) << arrow.out;
  EXPECT_GT(fs::file_size(path("t.arrows")), 1000u);
  auto bad = sh(kReel + " query " + input_ + " --index nope 2>&1");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("no timeline 'nope'"), std::string::npos) << bad.out;
}

TEST_F(CliTest, SchemaListsColumns) {
  auto r = sh(kReel + " schema " + input_);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("frame"), std::string::npos);
  EXPECT_NE(r.out.find("/plots/a:Scalars:scalars"), std::string::npos);
  EXPECT_NE(r.out.find("/world/label:TextDocument:text"), std::string::npos);
  EXPECT_NE(r.out.find("(static)"), std::string::npos);
}

// stats, schema and print answer from the footer of a file; from stdin (no footer to seek to)
// they read every chunk (schema through a store): the same answers.
TEST_F(CliTest, FooterAnswersMatchReadingEveryChunk) {
  auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
    return s;
  };
  for (const char* cmd : {"stats", "schema", "print"}) {
    auto file = sh(kReel + " " + cmd + " " + input_);
    auto piped = sh("cat " + input_ + " | " + kReel + " " + cmd);
    ASSERT_EQ(file.status, 0) << file.out;
    ASSERT_EQ(piped.status, 0) << piped.out;
    EXPECT_EQ(replace_all(file.out, input_, "<stdin>"), piped.out) << cmd;
  }
  auto schema = sh(kReel + " schema " + input_);
  EXPECT_NE(schema.out.find("  frame                    sequence  [0, 99]"), std::string::npos)
      << schema.out;
  EXPECT_NE(schema.out.find("  sim                      duration  [0.000000000s, 9.900000000s]"),
            std::string::npos)
      << schema.out;
}

TEST_F(CliTest, RepeatableOptionsLeaveFilesAlone) {
  // Were in.reel taken as a second --drop-entity value, stdin (empty here) would be read.
  auto r = sh(kReel + " filter --drop-entity /world/debug/** " + input_ + " -o " + path("f.reel") +
              " < /dev/null 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count_rows(path("f.reel"), "/plots/a"), 100);
  EXPECT_EQ(count_rows(path("f.reel"), "/world/debug/x"), 0);
  auto q = sh(kReel + " query --index frame --select /plots/a:Scalars:scalars " + input_ +
              " --range 3 4 < /dev/null");
  ASSERT_EQ(q.status, 0) << q.out;
  EXPECT_EQ(q.out, "frame,/plots/a:Scalars:scalars\n3,3.0\n4,4.0\n");
}

TEST_F(CliTest, CompactSplitsLargeChunksAndRefusesZero) {
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream rec("cli_test", options);
    ASSERT_TRUE(rec.save(path("big.reel")).ok());
    std::vector<int64_t> steps(100);
    std::vector<double> values(100);
    for (int i = 0; i < 100; ++i) steps[size_t(i)] = i, values[size_t(i)] = i;
    rec.send_columns("series", {TimeColumn::sequence("step", steps)}, Scalars::columns(values));
  }
  auto r =
      sh(kReel + " compact --max-rows 30 " + path("big.reel") + " -o " + path("s.reel") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 chunks (100 rows) in, 4 chunks (100 rows) out"), std::string::npos)
      << r.out;
  auto stats = sh(kReel + " stats " + path("s.reel"));
  EXPECT_NE(stats.out.find("chunks           4 (0 static)"), std::string::npos) << stats.out;
  // 100 rows of 16 bytes (time and value) and more: 800 bytes hold fewer than 50 rows each.
  auto b = sh(kReel + " compact --max-bytes 800 " + path("big.reel") + " -o " + path("b.reel") +
              " 2>&1");
  ASSERT_EQ(b.status, 0) << b.out;
  EXPECT_EQ(b.out.find("1 chunks (100 rows) out"), std::string::npos) << b.out;
  for (const char* bad : {"--max-rows 0", "--max-bytes 0", "--max-rows -3"}) {
    auto z = sh(kReel + " compact " + bad + " " + input_ + " -o " + path("z.reel") + " 2>&1");
    EXPECT_NE(z.status, 0) << bad;
    EXPECT_NE(z.out.find("at least 1"), std::string::npos) << z.out;
  }
}

TEST_F(CliTest, QueryRangeInTheTimelinesUnits) {
  // sim = frame * 0.1 s: 0.5 s .. 1 s holds frames 5..10.
  auto r = sh(kReel + " query " + input_ +
              " --index sim --contents /plots/a --range 0.5s 1000ms 2>&1 >/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("6 rows"), std::string::npos) << r.out;
  auto same = sh(kReel + " query " + input_ +
                 " --index sim --contents /plots/a --range 500000000 1000000000");
  auto units = sh(kReel + " query " + input_ + " --index sim --contents /plots/a --range 0.5s 1s");
  EXPECT_EQ(same.out, units.out);
  auto bad = sh(kReel + " query " + input_ + " --index frame --range 1.5s 2s 2>&1");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("'1.5s' is a duration, but timeline 'frame' is a sequence"),
            std::string::npos)
      << bad.out;
  // ISO 8601 on a timestamp timeline: 2024-05-01T12:00:00Z is 1714564800 s after the epoch.
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream rec("cli_test", options);
    ASSERT_TRUE(rec.save(path("ts.reel")).ok());
    std::vector<int64_t> ns(10);
    std::vector<double> values(10);
    for (int i = 0; i < 10; ++i)
      ns[size_t(i)] = (1714564800LL + i) * 1000000000LL, values[size_t(i)] = i;
    rec.send_columns("series", {TimeColumn::timestamp_nanos("t", ns)}, Scalars::columns(values));
  }
  auto iso = sh(kReel + " query " + path("ts.reel") +
                " --index t --range 2024-05-01T12:00:02Z 2024-05-01T14:00:04.5+02:00 2>&1 "
                ">/dev/null");
  EXPECT_NE(iso.out.find("3 rows"), std::string::npos) << iso.out;
  auto junk = sh(kReel + " query " + input_ + " --index frame --range 1 soon 2>&1");
  EXPECT_NE(junk.status, 0);
  EXPECT_NE(junk.out.find("'soon' is not a time"), std::string::npos) << junk.out;
}

TEST_F(CliTest, QueryWritesTypedTimes) {
  // sim (a duration timeline) = frame * 0.1 s: seconds with nine digits, or raw nanoseconds.
  auto d = sh(kReel + " query " + input_ + " --index sim --contents /plots/a --range 0.5s 0.6s");
  EXPECT_EQ(d.out, "sim,/plots/a:Scalars:scalars\n0.500000000,5.0\n0.600000000,6.0\n");
  auto raw = sh(kReel + " query " + input_ +
                " --index sim --contents /plots/a --range 0.5s 0.6s --raw-times --format json");
  EXPECT_EQ(raw.out,
            "{\"/plots/a:Scalars:scalars\":5.0,\"sim\":500000000}\n"
            "{\"/plots/a:Scalars:scalars\":6.0,\"sim\":600000000}\n");
  {
    RecordingStreamOptions options;
    options.log_time = options.log_tick = false;
    RecordingStream rec("cli_test", options);
    ASSERT_TRUE(rec.save(path("ts.reel")).ok());
    std::vector<int64_t> ns{1714564800000000001LL, 1714564801500000000LL};
    rec.send_columns("series", {TimeColumn::timestamp_nanos("t", ns)},
                     Scalars::columns(std::vector<double>{1, 2}));
  }
  auto t = sh(kReel + " query " + path("ts.reel") + " --index t --format json");
  EXPECT_EQ(t.out,
            "{\"/series:Scalars:scalars\":1.0,\"t\":\"2024-05-01T12:00:00.000000001Z\"}\n"
            "{\"/series:Scalars:scalars\":2.0,\"t\":\"2024-05-01T12:00:01.500000000Z\"}\n");
  auto t_raw = sh(kReel + " query " + path("ts.reel") + " --index t --raw-times");
  EXPECT_EQ(t_raw.out,
            "t,/series:Scalars:scalars\n1714564800000000001,1.0\n1714564801500000000,2.0\n");
}

TEST_F(CliTest, AFileAsFirstArgumentOpensTheViewer) {
  // -k: a server that missed the SIGINT (it came before its handler was in place) is killed.
  auto r = sh("timeout -s INT -k 10 2 " + kReel + " " + input_ + " --port 0 --ingest-port 0 2>&1");
  EXPECT_NE(r.out.find("reel: viewer at http://127.0.0.1:"), std::string::npos) << r.out;
  auto missing = sh(kReel + " " + path("nope.reel") + " 2>&1");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("nope.reel"), std::string::npos) << missing.out;
}

// Runs the CLI with stdout and stderr on a pseudo-terminal; returns what it wrote there.
std::string run_on_pty(const std::vector<std::string>& args) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kReel.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kReel.c_str(), argv.data());
    ::_exit(127);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited and closed the terminal
    out.append(buf, size_t(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

TEST_F(CliTest, ProgressIsABarOnATerminalAndLinesOnAPipe) {
  const std::string tty =
      run_on_pty({"compact", "--progress=always", input_, "-o", path("p.reel")});
  EXPECT_NE(tty.find("\r" + input_ + " ["), std::string::npos) << tty;
  EXPECT_NE(tty.find("100.0%"), std::string::npos) << tty;
  EXPECT_NE(tty.find("] 100.0%  "), std::string::npos) << tty;
  auto pipe = sh(kReel + " compact --progress=always " + input_ + " -o " + path("p.reel") +
                 " 2>&1 >/dev/null | cat");
  EXPECT_EQ(pipe.out.find('\r'), std::string::npos) << pipe.out;
  EXPECT_NE(pipe.out.find("reel: " + input_ + ": 100% ("), std::string::npos) << pipe.out;
  EXPECT_NE(pipe.out.find(", done\n"), std::string::npos) << pipe.out;
  // Quiet: no progress (the summary line stays).
  for (const char* quiet :
       {"--progress=always --quiet", "--progress=never", "--progress=always -q"}) {
    auto q = sh(kReel + " compact " + quiet + " " + input_ + " -o " + path("p.reel") +
                " 2>&1 >/dev/null");
    EXPECT_EQ(q.out.find("reel: " + input_ + ":"), std::string::npos) << quiet << ": " << q.out;
    EXPECT_NE(q.out.find("reel compact:"), std::string::npos) << q.out;
  }
  auto bad =
      sh(kReel + " compact --progress=sometimes " + input_ + " -o " + path("p.reel") + " 2>&1");
  EXPECT_NE(bad.status, 0);
  for (const char* cmd : {"merge", "filter", "verify", "query"}) {
    auto r =
        sh(kReel + " " + cmd + " --progress=always " + input_ +
           (std::string(cmd) == "verify" || std::string(cmd) == "query" ? std::string(" ")
                                                                        : " -o " + path("p.reel")) +
           " 2>&1 >/dev/null");
    EXPECT_NE(r.out.find("reel: " + input_ + ": 100% ("), std::string::npos)
        << cmd << ": " << r.out;
  }
}

// `reel query FILE` streams the file (each chunk read when the table reaches it); stdin is
// loaded into a store first. Both give the same tables, a truncated file's too.
TEST_F(CliTest, QueryOfAFileStreamsTheTablesOfALoadedOne) {
  fs::copy_file(input_, path("cut.reel"));
  fs::resize_file(path("cut.reel"), fs::file_size(input_) - 30);  // the footer goes
  for (const std::string& file : {input_, path("cut.reel")}) {
    for (const char* args : {
             " --index frame",
             " --index sim --fill-latest-at --range 2.5s 5s --format json",
             " --index frame --contents /plots/a --filter-is-not-null "
             "/world/debug/x:Scalars:scalars "
             "--index-values 3,50,99,120",
             " --select /world/label:TextDocument:text",
         }) {
      SCOPED_TRACE(file + args);
      auto streamed = sh(kReel + " query -q " + file + args + " 2>/dev/null");
      auto loaded = sh("cat " + file + " | " + kReel + " query -q" + args + " 2>/dev/null");
      ASSERT_EQ(streamed.status, 0) << sh(kReel + " query -q " + file + args + " 2>&1").out;
      EXPECT_GT(streamed.out.size(), 20u);
      EXPECT_EQ(streamed.out, loaded.out);
    }
  }
  // Without an index and without static data in the contents the table has no column.
  auto empty = sh(kReel + " query -q " + input_ + " --contents /plots/** 2>&1");
  EXPECT_EQ(empty.status, 0) << empty.out;
  EXPECT_NE(empty.out.find("0 columns"), std::string::npos) << empty.out;
  auto warned = sh(kReel + " query -q " + path("cut.reel") + " --index frame 2>&1 >/dev/null");
  EXPECT_NE(warned.out.find("truncated"), std::string::npos) << warned.out;
}

TEST_F(CliTest, TruncatedInputWarnsAndKeepsWhatIsComplete) {
  auto size = fs::file_size(input_);
  fs::copy_file(input_, path("cut.reel"));
  fs::resize_file(path("cut.reel"), size - 30);
  auto r = sh(kReel + " compact " + path("cut.reel") + " -o " + path("out.reel") + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("warning"), std::string::npos) << r.out;
  EXPECT_GT(count_rows(path("out.reel"), "/plots/a"), 0);
}

}  // namespace
}  // namespace reel
