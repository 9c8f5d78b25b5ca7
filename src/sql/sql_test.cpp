#include "reel/sql/sql.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reel/format/recording_file.hpp"
#include "sql/session_internal.hpp"

namespace reel::sql {
namespace {

namespace fs = std::filesystem;

const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const ComponentDescriptor kText("TextLog", "text", "reel.components.Text");
constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // ns since the epoch

// Four recordings of application "fleet": rec-0, rec-1, rec-2 and "run:1/a b" (a recording id
// that partition paths must escape). Recording r logs /arm/force at frames 0..9 (value
// 10 * r + frame, timeline `sensor` = kT0 + r * 1 s + frame * 1 ms + 7 ns) and
// /arm/gripper at frames 0..4 (value 100 + r); recording 1 also logs /base/speed at even
// frames; every recording has a static /meta text "r<r>". Plus junk.reel (not a recording).
class SqlTest : public ::testing::Test {
 protected:
  static std::string recording_id(int r) {
    return r == 3 ? "run:1/a b" : "rec-" + std::to_string(r);
  }

  void SetUp() override {
    auto lib = load_duckdb();
    if (!lib.ok())
      GTEST_SKIP() << "DuckDB is not installed (scripts/duckdb.sh --install): "
                   << lib.status().message();
    dir_ = fs::temp_directory_path() / ("reel_sql_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
    for (int r = 0; r < 4; ++r) write(r);
    std::ofstream(dir_ / "in" / "junk.reel") << "not a recording";
    auto s = Session::open();
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    session_ = std::move(*s);
  }
  void TearDown() override {
    session_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string in() const { return (dir_ / "in").string(); }

  void write(int r) {
    auto writer =
        format::RecordingWriter::open((dir_ / "in" / ("r" + std::to_string(r) + ".reel")).string())
            .value();
    ASSERT_TRUE(writer->write_store_info({"fleet", recording_id(r), 0}).ok());
    ChunkBuilder force("/arm/force");
    for (int f = 0; f < 10; ++f) {
      force.add_row(
          RowId::create(),
          {{Timeline::sequence("frame"), f},
           {Timeline::timestamp("sensor"), kT0 + r * 1'000'000'000LL + f * 1'000'000LL + 7}},
          {{kScalar, arrow::make_primitive<double>({10.0 * r + f})}});
    }
    ASSERT_TRUE(writer->write_chunk(*force.build().value()).ok());
    ChunkBuilder gripper("/arm/gripper");
    for (int f = 0; f < 5; ++f) {
      gripper.add_row(RowId::create(), {{Timeline::sequence("frame"), f}},
                      {{kScalar, arrow::make_primitive<double>({100.0 + r})}});
    }
    ASSERT_TRUE(writer->write_chunk(*gripper.build().value()).ok());
    if (r == 1) {
      ChunkBuilder speed("/base/speed");
      for (int f = 0; f < 10; f += 2) {
        speed.add_row(RowId::create(), {{Timeline::sequence("frame"), f}},
                      {{kScalar, arrow::make_primitive<double>({-double(f)})}});
      }
      ASSERT_TRUE(writer->write_chunk(*speed.build().value()).ok());
    }
    ChunkBuilder meta("/meta");
    meta.add_row(RowId::create(), {},
                 {{kText, arrow::make_strings({("r" + std::to_string(r)).c_str()})}});
    ASSERT_TRUE(writer->write_chunk(*meta.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }

  // Every row of the query as text, cells joined by '|' (the JSON writer's values).
  std::vector<std::string> rows(const std::string& q) {
    std::vector<std::string> out;
    auto reader = session_->query(q);
    EXPECT_TRUE(reader.ok()) << q << ": " << reader.status().to_string();
    if (!reader.ok()) return out;
    for (;;) {
      auto b = (*reader)->next();
      EXPECT_TRUE(b.ok()) << b.status().to_string();
      if (!b.ok() || !*b) break;
      for (int64_t r = 0; r < (*b)->num_rows; ++r) {
        std::string row;
        for (size_t c = 0; c < (*b)->columns.size(); ++c) {
          auto one = (*b)->columns[c]->slice(r, 1);
          row += (c ? "|" : "") +
                 (one->is_null(0) ? std::string("null") : arrow::array_to_string(*one));
        }
        out.push_back(row);
      }
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<Session> session_;
};

TEST_F(SqlTest, ReelScanAggregatesAcrossRecordings) {
  const std::string scan = "reel_scan(" + quote_literal(in()) + ", archetype := 'Scalars')";
  EXPECT_EQ(rows("SELECT count(*) FROM " + scan), (std::vector<std::string>{"[65]"}));
  EXPECT_EQ(rows("SELECT recording_id, sum(scalars[1]), count(*) FROM " + scan +
                 " WHERE entity_path = '/arm/force' GROUP BY ALL ORDER BY 1"),
            (std::vector<std::string>{"[\"rec-0\"]|[45]|[10]", "[\"rec-1\"]|[145]|[10]",
                                      "[\"rec-2\"]|[245]|[10]", "[\"run:1/a b\"]|[345]|[10]"}));
}

TEST_F(SqlTest, ReelScanPushesFiltersDownToTheDataset) {
  auto ds = dataframe::Dataset::open({in()}).value();
  ASSERT_TRUE(session_->attach(ds, "fleet").ok());
  EXPECT_EQ(
      rows("SELECT entity_path, frame, \"Scalars:scalars\" FROM reel_scan('fleet', entity := "
           "'/arm/force', "
           "index := 'frame', min := 8, max := 9, recording_id := 'rec-2') ORDER BY frame"),
      (std::vector<std::string>{"[\"/arm/force\"]|[8]|[[28]]", "[\"/arm/force\"]|[9]|[[29]]"}));
  // Only rec-2 was opened; every other recording was left unread.
  EXPECT_EQ(ds.stats().recordings_opened, 1);
  EXPECT_EQ(rows("SELECT count(*) FROM reel_scan('fleet', entity := '/base/**')"),
            (std::vector<std::string>{"[5]"}));
  EXPECT_EQ(ds.stats().recordings_opened, 2);
  // The junk file was reported once, naming it.
  auto w = ds.warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("junk.reel"), std::string::npos) << w[0];
}

TEST_F(SqlTest, ArchetypeViewsWithTypedTimelines) {
  auto ds = dataframe::Dataset::open({in()}).value();
  ASSERT_TRUE(session_->attach(ds, in()).ok());
  EXPECT_EQ(
      rows("SELECT typeof(frame), typeof(sensor), typeof(scalars), typeof(row_id) FROM \"Scalars\" "
           "LIMIT 1"),
      (std::vector<std::string>{"[\"BIGINT\"]|[\"TIMESTAMP_NS\"]|[\"DOUBLE[]\"]|[\"BLOB\"]"}));
  // Timestamps come out as their text (reel's Arrow has no timestamp type).
  EXPECT_EQ(rows("SELECT sensor FROM \"Scalars\" WHERE recording_id = 'rec-1' AND frame = 3 AND "
                 "entity_path = '/arm/force'"),
            (std::vector<std::string>{"[\"2023-11-14 22:13:21.003000007\"]"}));
  EXPECT_EQ(rows("SELECT recording_id, text[1] FROM \"TextLog\" ORDER BY 1"),
            (std::vector<std::string>{"[\"rec-0\"]|[\"r0\"]", "[\"rec-1\"]|[\"r1\"]",
                                      "[\"rec-2\"]|[\"r2\"]", "[\"run:1/a b\"]|[\"r3\"]"}));
  // HUGEINT sums and DECIMALs are cast to what reel's Arrow holds.
  EXPECT_EQ(rows("SELECT sum(frame), 1.5::DECIMAL(4,1) FROM \"Scalars\""),
            (std::vector<std::string>{"[240]|[1.5]"}));
  EXPECT_EQ(rows("CREATE TEMP TABLE t AS SELECT 1 AS x; SELECT x + 1 FROM t"),
            (std::vector<std::string>{"[2]"}));
}

TEST_F(SqlTest, ErrorsSayWhatIsWrong) {
  auto r = session_->query("SELECT * FROM reel_scan('/no/such/dir')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/no/such/dir"), std::string::npos) << r.status().to_string();
  r = session_->query("SELECT * FROM reel_scan(" + quote_literal(in()) + ", min := 3)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("index :="), std::string::npos) << r.status().to_string();
}

TEST_F(SqlTest, ParquetExportIsHivePartitionedAndIncremental) {
  auto ds = dataframe::Dataset::open({in()}).value();
  ExportOptions o;
  o.output_dir = (dir_ / "out").string();
  auto report = export_parquet(ds, o, session_.get());
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->recordings_written, 4);
  EXPECT_EQ(report->files_written, 8);
  EXPECT_EQ(report->rows_written, 4 * 15 + 5 + 4);
  EXPECT_EQ(report->tables, (std::vector<std::string>{"Scalars", "TextLog"}));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "Scalars" / "application_id=fleet" / "recording_id=rec-0" /
                         "part-0.parquet"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "Scalars" / "application_id=fleet" /
                         "recording_id=run%3A1%2Fa b" / "part-0.parquet"));
  const std::string files =
      quote_literal((dir_ / "out" / "Scalars" / "*" / "*" / "*.parquet").string());
  EXPECT_EQ(
      rows(
          "SELECT name, type FROM parquet_schema(" +
          quote_literal((dir_ / "out" / "Scalars" / "application_id=fleet" / "recording_id=rec-1" /
                         "part-0.parquet")
                            .string()) +
          ") WHERE name <> 'duckdb_schema' AND name <> 'list' AND name <> 'element' ORDER BY name"),
      (std::vector<std::string>{"[\"entity_path\"]|[\"BYTE_ARRAY\"]", "[\"frame\"]|[\"INT64\"]",
                                "[\"row_id\"]|[\"BYTE_ARRAY\"]", "[\"scalars\"]|null",
                                "[\"sensor\"]|[\"INT64\"]", "[\"sensor_ns\"]|[\"INT64\"]"}));
  EXPECT_EQ(
      rows("SELECT recording_id, sum(scalars[1])::BIGINT, max(sensor_ns) - min(sensor_ns) FROM "
           "read_parquet(" +
           files +
           ", hive_partitioning = true) WHERE entity_path = '/arm/force' GROUP BY ALL ORDER BY 1"),
      (std::vector<std::string>{"[\"rec-0\"]|[45]|[9000000]", "[\"rec-1\"]|[145]|[9000000]",
                                "[\"rec-2\"]|[245]|[9000000]", "[\"run:1/a b\"]|[345]|[9000000]"}));
  auto again = export_parquet(ds, o, session_.get());
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->recordings_written, 0);
  EXPECT_EQ(again->recordings_skipped, 4);
}

TEST(HiveEscape, EscapesWhatHiveEscapes) {
  EXPECT_EQ(hive_escape("rec-0"), "rec-0");
  EXPECT_EQ(hive_escape("run:1/a b=%"), "run%3A1%2Fa b%3D%25");
  EXPECT_EQ(hive_escape(""), "__HIVE_DEFAULT_PARTITION__");
}

TEST(SplitStatements, RespectsQuotesAndComments) {
  EXPECT_EQ(internal::split_statements("SELECT 1; SELECT ';' -- x;\n; /* ; */ SELECT $$;$$;"),
            (std::vector<std::string>{"SELECT 1", " SELECT ';' -- x;\n", " /* ; */ SELECT $$;$$"}));
  EXPECT_EQ(internal::split_statements("  ;  "), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace reel::sql
