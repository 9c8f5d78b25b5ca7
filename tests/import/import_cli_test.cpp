// `reel import` and the commands that import on the fly (query, print, stats), driven as a
// program on the files the independent writers made (generate.mjs, write_bags.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reel/format/recording_file.hpp"

namespace {

using json = nlohmann::json;

std::string dir() {
  const char* d = std::getenv("REEL_IMPORT_TEST_DIR");
  return d ? d : "";
}

struct Output {
  int status = -1;
  std::string out, err;
};

Output run(const std::string& args) {
  // One file per test process: CTest runs this program's tests in parallel.
  const std::string err_file = dir() + "/cli_stderr_" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = std::string(REEL_CLI_PATH) + " " + args + " 2>" + err_file;
  Output r;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = WEXITSTATUS(::pclose(p));
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  return r;
}

json manifest_messages(const std::string& name, const std::string& topic) {
  std::ifstream f(dir() + "/manifest.json");
  const json all = json::parse(f);
  json out = json::array();
  for (const auto& file : all["files"]) {
    if (file["name"] != name) continue;
    for (const auto& m : file["messages"]) {
      if (m["topic"] == topic) out.push_back(m);
    }
  }
  return out;
}

// Store infos of a recording file, one per recording in it.
std::vector<reel::StoreInfo> recordings(const std::string& path) {
  std::vector<reel::StoreInfo> out;
  auto reader = reel::format::RecordingReader::open(path);
  EXPECT_TRUE(reader.ok());
  for (;;) {
    auto m = (*reader)->next();
    if (!m.ok() || !*m) break;
    if ((*m)->kind == reel::format::MessageKind::kStoreInfo) out.push_back((*m)->info);
  }
  return out;
}

TEST(ImportCliTest, ImportWritesOneRecordingPerInputWithStableIds) {
  const std::string mcap = dir() + "/ros2_mapped.mcap", bag = dir() + "/ros1_lz4.bag";
  Output one = run("import " + mcap + " -o " + dir() + "/one.reel");
  ASSERT_EQ(one.status, 0) << one.err;
  Output again = run("import " + mcap + " -o " + dir() + "/again.reel");
  ASSERT_EQ(again.status, 0) << again.err;
  const auto a = recordings(dir() + "/one.reel"), b = recordings(dir() + "/again.reel");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].recording_id, b[0].recording_id);
  EXPECT_EQ(a[0].application_id, "ros2_mapped.mcap");
  Output two = run("import " + mcap + " " + bag + " -o " + dir() + "/two.reel");
  ASSERT_EQ(two.status, 0) << two.err;
  const auto both = recordings(dir() + "/two.reel");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].recording_id, a[0].recording_id);
  EXPECT_EQ(both[1].application_id, "ros1_lz4.bag");
  EXPECT_NE(both[1].recording_id, a[0].recording_id);
}

TEST(ImportCliTest, QueryReadsAnMcapDirectly) {
  // --raw-times: the nanoseconds the writer's manifest names (below: the typed default).
  Output q =
      run("query " + dir() + "/ros2_mapped.mcap --index log_time --contents /speed --raw-times");
  ASSERT_EQ(q.status, 0) << q.err;
  std::ostringstream expected;
  expected << "log_time,/speed:Scalars:scalars\n";
  for (const auto& m : manifest_messages("ros2_mapped.mcap", "/speed")) {
    const double v = m["value"]["data"].get<double>();
    char value[64];
    std::snprintf(value, sizeof value, v == double(int64_t(v)) ? "%.1f" : "%g", v);
    expected << m["log_time"].get<std::string>() << "," << value << "\n";
  }
  EXPECT_EQ(q.out, expected.str());
  // log_time is a timestamp timeline: ISO 8601 UTC by default (1700001000100000012 ns).
  Output typed = run("query " + dir() + "/ros2_mapped.mcap --index log_time --contents /speed");
  ASSERT_EQ(typed.status, 0) << typed.err;
  EXPECT_EQ(typed.out.substr(0, typed.out.find('\n', typed.out.find('\n') + 1)),
            "log_time,/speed:Scalars:scalars\n2023-11-14T22:30:00.100000012Z,0.0");
}

TEST(ImportCliTest, TopicsFilterIncludesAndExcludes) {
  Output r = run("import " + dir() + "/ros2_lz4.mcap --topics '/** -/kitchen -/points' -o " +
                 dir() + "/filtered.reel");
  ASSERT_EQ(r.status, 0) << r.err;
  Output s = run("schema " + dir() + "/filtered.reel");
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_NE(s.out.find("/imu:Scalars:scalars"), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("/kitchen"), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("/points"), std::string::npos) << s.out;
}

TEST(ImportCliTest, PrintAndStatsImportOnTheFly) {
  Output p = run("print " + dir() + "/ros1_bz2.bag");
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_NE(p.out.find("ros1_bz2.bag"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("chunk /imu"), std::string::npos) << p.out;
  Output s = run("stats " + dir() + "/ros2_zstd.mcap");
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_NE(s.out.find("Transform3D:child_frame"), std::string::npos) << s.out;
}

TEST(ImportCliTest, CutFileImportsWithAWarning) {
  std::ifstream in(dir() + "/ros2_lz4.mcap", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir() + "/cli_cut.mcap", std::ios::binary)
      .write(bytes.data(), std::streamsize(bytes.size() * 2 / 3));
  Output r = run("import " + dir() + "/cli_cut.mcap -o " + dir() + "/cut.reel");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("cli_cut.mcap at byte"), std::string::npos) << r.err;
  EXPECT_EQ(recordings(dir() + "/cut.reel").size(), 1u);
}

TEST(ImportCliTest, ImportWritesRerunsFormatForAnRrdOutput) {
  const std::string mcap = dir() + "/ros2_mapped.mcap";
  Output r = run("import " + mcap + " -o " + dir() + "/mapped.rrd");
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(dir() + "/mapped.rrd", std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "RRF2");
  // The same rows as the MCAP read directly; --file-format overrides the extension.
  const std::string query = " --index log_time --contents /speed";
  Output direct = run("query " + mcap + query);
  ASSERT_EQ(direct.status, 0) << direct.err;
  Output from_rrd = run("query " + dir() + "/mapped.rrd" + query);
  ASSERT_EQ(from_rrd.status, 0) << from_rrd.err;
  EXPECT_EQ(from_rrd.out, direct.out);
  EXPECT_NE(direct.out.find('\n'), direct.out.rfind('\n'));  // a header and rows
  Output forced = run("import " + mcap + " --file-format rrd -o " + dir() + "/mapped_rrd.reel");
  ASSERT_EQ(forced.status, 0) << forced.err;
  Output from_forced = run("query " + dir() + "/mapped_rrd.reel" + query);
  EXPECT_EQ(from_forced.out, direct.out);
  // Several inputs: concatenated .rrd streams, one recording each.
  Output two = run("import " + mcap + " " + dir() + "/ros1_lz4.bag -o " + dir() + "/two.rrd");
  ASSERT_EQ(two.status, 0) << two.err;
  Output stats = run("stats " + dir() + "/two.rrd");
  ASSERT_EQ(stats.status, 0) << stats.err;
  EXPECT_NE(stats.out.find("ros1_lz4.bag"), std::string::npos) << stats.out;
  // zstd is not in Rerun's format.
  Output zstd = run("import " + mcap + " --compression zstd -o " + dir() + "/z.rrd");
  EXPECT_EQ(zstd.status, 1);
  EXPECT_NE(zstd.err.find(".rrd has no zstd compression"), std::string::npos) << zstd.err;
}

TEST(ImportCliTest, NotImportableIsAnError) {
  Output r = run("import " + dir() + "/manifest.json -o " + dir() + "/never.reel");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("manifest.json is not a file reel imports"), std::string::npos) << r.err;
}

}  // namespace
