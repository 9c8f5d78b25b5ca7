// `reel sql` and `reel export` driven as a program: recordings logged through the SDK, the
// answer read from stdout; without libduckdb the commands say what is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "reel/reel.hpp"

namespace {

namespace fs = std::filesystem;

struct Run {
  int status = 0;
  std::string out;
};

Run run(const std::string& command) {
  Run r;
  // stderr joins stdout unless the command redirects it itself.
  const bool own = command.find("2>") != std::string::npos;
  FILE* p = ::popen((own ? command : command + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.status = WEXITSTATUS(::pclose(p));
  return r;
}

class SqlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reel_sql_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (int r = 0; r < 3; ++r) {
      reel::RecordingStream rec("fleet", "ep-" + std::to_string(r));
      ASSERT_TRUE(rec.save((dir_ / ("ep" + std::to_string(r) + ".reel")).string()).ok());
      std::vector<int64_t> frames = {0, 1, 2, 3};
      std::vector<double> values = {r + 0.0, r + 1.0, r + 2.0, r + 3.0};
      rec.send_columns("gripper/force", {reel::TimeColumn::sequence("frame", frames)},
                       reel::Scalars::columns(values));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  bool have_duckdb() {
    auto r = run(std::string(REEL_CLI_PATH) + " sql 'SELECT 1'");
    return r.status == 0;
  }

  fs::path dir_;
};

TEST_F(SqlCliTest, SqlOverADirectoryAsCsv) {
  if (!have_duckdb()) GTEST_SKIP() << "DuckDB is not installed (scripts/duckdb.sh --install)";
  auto r = run(std::string(REEL_CLI_PATH) +
               " sql 'SELECT recording_id, max(scalars[1]) AS peak FROM \"Scalars\" "
               "WHERE scalars[1] > 3 GROUP BY 1 ORDER BY 1' --format csv " +
               dir_.string() + " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "recording_id,peak\nep-1,4.0\nep-2,5.0\n");
  r = run(std::string(REEL_CLI_PATH) + " sql \"SELECT count(*) AS n FROM reel_scan('" +
          dir_.string() + "', index := 'frame', min := 1, max := 2)\" --format json 2>/dev/null");
  EXPECT_EQ(r.out, "{\"n\":6}\n");
}

TEST_F(SqlCliTest, ExportWritesOnePartitionPerRecording) {
  if (!have_duckdb()) GTEST_SKIP() << "DuckDB is not installed (scripts/duckdb.sh --install)";
  auto r = run(std::string(REEL_CLI_PATH) + " export " + dir_.string() + " -o " +
               (dir_ / "pq").string());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("3 recordings written, 0 already there"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "pq" / "Scalars" / "application_id=fleet" / "recording_id=ep-2" /
                         "part-0.parquet"));
}

TEST_F(SqlCliTest, WithoutDuckDbTheCommandSaysWhatIsMissing) {
  const std::string env = "REEL_DUCKDB_LIBRARY=" + (dir_ / "no-libduckdb.so").string() + " ";
  auto r = run(env + REEL_CLI_PATH + " sql 'SELECT 1' " + dir_.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("DuckDB's library (libduckdb.so) was not found"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("scripts/duckdb.sh --install"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no-libduckdb.so (no such file)"), std::string::npos) << r.out;
  // Everything else works without it.
  r = run(env + REEL_CLI_PATH + " stats " + (dir_ / "ep0.reel").string());
  EXPECT_EQ(r.status, 0) << r.out;
}

}  // namespace
