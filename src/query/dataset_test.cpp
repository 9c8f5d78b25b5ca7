#include "reel/query/dataset.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reel/format/recording_file.hpp"

namespace reel::dataframe {
namespace {

namespace fs = std::filesystem;

const ComponentDescriptor kScalar("Scalars", "scalars", "reel.components.Scalar");
const ComponentDescriptor kLabel("TextLog", "text", "reel.components.Text");

// Three recordings with known contents, and two unreadable files:
//   r0, r1: /arm/force frames 0..9, value 10 * r + frame; r2: frames 100..109, value 200 + frame
//   r1 only: /base/speed at even frames, value -frame; a static /meta label "r<i>"
//   cut.reel: r1's bytes cut in half (truncated); junk.reel: not a recording.
class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reel_dataset_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub");
    for (int r = 0; r < 3; ++r) write(r);
    auto bytes = read_file(path(1));
    std::ofstream(dir_ / "sub" / "cut.reel", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size() / 2));
    std::ofstream(dir_ / "junk.reel") << "this is not a recording";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(int r) const { return (dir_ / ("rec" + std::to_string(r) + ".reel")).string(); }

  static std::vector<char> read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  }

  void write(int r) {
    auto writer = format::RecordingWriter::open(path(r)).value();
    ASSERT_TRUE(writer->write_store_info({"fleet", "rec-" + std::to_string(r), 0}).ok());
    ChunkBuilder force("/arm/force");
    const int first = r == 2 ? 100 : 0;
    for (int f = first; f < first + 10; ++f) {
      const double v = r == 2 ? 200 + f - 100 : 10.0 * r + f;
      force.add_row(RowId::create(), {{Timeline::sequence("frame"), f}},
                    {{kScalar, arrow::make_primitive<double>({v})}});
    }
    ASSERT_TRUE(writer->write_chunk(*force.build().value()).ok());
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
                 {{kLabel, arrow::make_strings({("r" + std::to_string(r)).c_str()})}});
    ASSERT_TRUE(writer->write_chunk(*meta.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }

  Dataset open() {
    auto ds = Dataset::open({dir_.string()});
    EXPECT_TRUE(ds.ok()) << ds.status().to_string();
    return *ds;
  }

  fs::path dir_;
};

// Rows as text: one string per row, cells joined by '|'.
std::vector<std::string> rows_text(RecordBatchReader& reader) {
  std::vector<std::string> out;
  for (;;) {
    auto b = reader.next();
    EXPECT_TRUE(b.ok()) << b.status().to_string();
    if (!b.ok() || !*b) break;
    for (int64_t r = 0; r < (*b)->num_rows; ++r) {
      std::string row;
      for (size_t c = 0; c < (*b)->columns.size(); ++c) {
        auto one = (*b)->columns[c]->slice(r, 1);
        std::string s = one->is_null(0) ? "null" : arrow::array_to_string(*one);
        row += (c ? "|" : "") + s;
      }
      out.push_back(row);
    }
  }
  return out;
}

TEST_F(DatasetTest, FindsRecordingsInADirectoryAndSkipsUnreadableFilesWithAWarning) {
  Dataset ds = open();
  ASSERT_TRUE(ds.summarize().ok());
  auto recs = ds.recordings();
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].info.recording_id, "rec-0");
  EXPECT_EQ(recs[2].source, path(2));
  auto warnings = ds.warnings();
  ASSERT_EQ(warnings.size(), 2u);
  std::string all = warnings[0] + "\n" + warnings[1];
  EXPECT_NE(all.find("junk.reel"), std::string::npos) << all;
  EXPECT_NE(all.find("cut.reel"), std::string::npos) << all;
}

TEST_F(DatasetTest, GlobsAndPathsAsGiven) {
  auto ds = Dataset::open({(dir_ / "rec[01].reel").string(), path(2)});
  ASSERT_TRUE(ds.ok()) << ds.status().to_string();
  auto recs = ds->recordings();
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].source, path(0));
  EXPECT_EQ(recs[1].source, path(1));
  EXPECT_TRUE(ds->warnings().empty());
  EXPECT_EQ(Dataset::open({(dir_ / "nothing*.reel").string()}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Dataset::open({(dir_ / "missing.reel").string()}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(DatasetTest, ViewAcrossRecordingsWithWhereEachRowComesFrom) {
  Dataset ds = open();
  auto v = ds.view("frame", "/arm/**").value().filter_range(8, 101);
  auto schema = v.schema();
  ASSERT_EQ(schema.size(), 5u);
  EXPECT_EQ(schema[0].name, "recording_id");
  EXPECT_EQ(schema[1].name, "application_id");
  EXPECT_EQ(schema[2].name, "source");
  EXPECT_EQ(schema[3].name, "frame");
  EXPECT_EQ(schema[4].name, "/arm/force:Scalars:scalars");
  auto reader = v.read().value();
  EXPECT_EQ(rows_text(*reader), (std::vector<std::string>{
                                    "[\"rec-0\"]|[\"fleet\"]|[\"" + path(0) + "\"]|[8]|[[8]]",
                                    "[\"rec-0\"]|[\"fleet\"]|[\"" + path(0) + "\"]|[9]|[[9]]",
                                    "[\"rec-1\"]|[\"fleet\"]|[\"" + path(1) + "\"]|[8]|[[18]]",
                                    "[\"rec-1\"]|[\"fleet\"]|[\"" + path(1) + "\"]|[9]|[[19]]",
                                    "[\"rec-2\"]|[\"fleet\"]|[\"" + path(2) + "\"]|[100]|[[200]]",
                                    "[\"rec-2\"]|[\"fleet\"]|[\"" + path(2) + "\"]|[101]|[[201]]",
                                }));
}

TEST_F(DatasetTest, ColumnsMissingFromARecordingAreNullAndFillWorksPerRecording) {
  Dataset ds = open();
  auto v = ds.view("frame", "/**").value().filter_range(2, 3).fill_latest_at();
  auto reader =
      v.select({"/arm/force:Scalars:scalars", "/base/speed:Scalars:scalars", "/meta:TextLog:text"})
          .value()
          .read()
          .value();
  auto rows = rows_text(*reader);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "[\"rec-0\"]|[\"fleet\"]|[\"" + path(0) + "\"]|[2]|[[2]]|null|[[\"r0\"]]");
  EXPECT_EQ(rows[3], "[\"rec-1\"]|[\"fleet\"]|[\"" + path(1) + "\"]|[3]|[[13]]|[[-2]]|[[\"r1\"]]");
}

TEST_F(DatasetTest, ReadsOpenOnlyTheRecordingsThatCanAnswer) {
  Dataset ds = open();
  auto v = ds.view("frame", "/arm/**").value().filter_range(0, 9);
  auto rows = rows_text(*v.read().value());
  EXPECT_EQ(rows.size(), 20u);
  // rec-2's footer says its frames are 100..109: never loaded.
  EXPECT_EQ(ds.stats().recordings_opened, 2);
  EXPECT_EQ(ds.stats().recordings_skipped, 1);
  // Only rec-1 has /base/speed.
  auto nn =
      ds.view("frame", "/**").value().filter_is_not_null("/base/speed:Scalars:scalars").value();
  EXPECT_EQ(rows_text(*nn.read().value()).size(), 5u);
  EXPECT_EQ(ds.stats().recordings_opened, 3);
}

TEST_F(DatasetTest, StaticViewIsOneRowPerRecording) {
  Dataset ds = open();
  auto rows = rows_text(*ds.view(std::nullopt, "/meta").value().read().value());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], "[\"rec-2\"]|[\"fleet\"]|[\"" + path(2) + "\"]|[[\"r2\"]]");
}

TEST_F(DatasetTest, LongRowsOfAnArchetype) {
  Dataset ds = open();
  EXPECT_EQ(ds.archetypes().value(), (std::vector<std::string>{"Scalars", "TextLog"}));
  RowsOptions o;
  o.archetype = "Scalars";
  auto cols = ds.rows_schema(o).value();
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"recording_id", "application_id", "source",
                                             "entity_path", "row_id", "frame", "scalars"}));
  o.columns = std::vector<std::string>{"recording_id", "entity_path", "frame", "scalars"};
  o.index = "frame";
  o.range = {4, 100};
  auto rows = rows_text(*ds.read_rows(o).value());
  ASSERT_EQ(rows.size(), 6u + 6u + 3u + 1u);
  EXPECT_EQ(rows[0], "[\"rec-0\"]|[\"/arm/force\"]|[4]|[[4]]");
  EXPECT_EQ(rows.back(), "[\"rec-2\"]|[\"/arm/force\"]|[100]|[[200]]");
  // Static rows have no time: a table of static data only has no timeline column.
  RowsOptions t;
  t.archetype = "TextLog";
  EXPECT_EQ(ds.rows_schema(t).value().size(), 6u);  // the five fixed columns and `text`
  t.columns = std::vector<std::string>{"recording_id", "text"};
  EXPECT_EQ(rows_text(*ds.read_rows(t).value()),
            (std::vector<std::string>{"[\"rec-0\"]|[[\"r0\"]]", "[\"rec-1\"]|[[\"r1\"]]",
                                      "[\"rec-2\"]|[[\"r2\"]]"}));
}

TEST_F(DatasetTest, TypeConflictsNameBothFiles) {
  {
    auto writer = format::RecordingWriter::open(path(3)).value();
    ASSERT_TRUE(writer->write_store_info({"fleet", "rec-3", 0}).ok());
    ChunkBuilder force("/arm/force");
    force.add_row(RowId::create(), {{Timeline::sequence("frame"), 1}},
                  {{kScalar, arrow::make_primitive<float>({1.0f})}});
    ASSERT_TRUE(writer->write_chunk(*force.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }
  Dataset ds = open();
  auto v = ds.view("frame", "/arm/**");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("rec3.reel"), std::string::npos) << v.status().to_string();
  EXPECT_NE(v.status().message().find("rec0.reel"), std::string::npos) << v.status().to_string();
}

// A fleet of recordings with many chunks each: views read only the chunks that can match,
// and give exactly the rows of loading every recording whole.
class DatasetStreamingTest : public DatasetTest {
 protected:
  // /arm/force frames 0..999 in 20 chunks of 50 (value 1000 * r + frame), a 256 KiB static
  // asset on /asset, and a static /meta label.
  void write_long(int r, format::WriterOptions options = {}) {
    auto writer = format::RecordingWriter::open(long_path(r), options).value();
    ASSERT_TRUE(writer->write_store_info({"fleet", "long-" + std::to_string(r), 0}).ok());
    for (int c = 0; c < 20; ++c) {
      ChunkBuilder force("/arm/force");
      for (int f = 50 * c; f < 50 * (c + 1); ++f) {
        force.add_row(RowId::create(), {{Timeline::sequence("frame"), f}},
                      {{kScalar, arrow::make_primitive<double>({1000.0 * r + f})}});
      }
      ASSERT_TRUE(writer->write_chunk(*force.build().value()).ok());
    }
    ChunkBuilder asset("/asset");
    std::vector<double> blob(32768);
    for (size_t i = 0; i < blob.size(); ++i) blob[i] = double(i * 7919 % 10007) / 3.0;
    asset.add_row(RowId::create(), {},
                  {{kScalar, arrow::make_primitive<double>(std::span<const double>(blob))}});
    ASSERT_TRUE(writer->write_chunk(*asset.build().value()).ok());
    ChunkBuilder meta("/meta");
    meta.add_row(RowId::create(), {},
                 {{kLabel, arrow::make_strings({("long" + std::to_string(r)).c_str()})}});
    ASSERT_TRUE(writer->write_chunk(*meta.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }
  std::string long_path(int r) const {
    return (dir_ / "long" / ("long" + std::to_string(r) + ".reel")).string();
  }
  void SetUp() override {
    DatasetTest::SetUp();
    fs::create_directories(dir_ / "long");
    for (int r = 0; r < 3; ++r) write_long(r);
  }
  Dataset open_long(bool stream) {
    DatasetOptions options;
    options.stream_files = stream;
    auto ds = Dataset::open({(dir_ / "long").string()}, options);
    EXPECT_TRUE(ds.ok()) << ds.status().to_string();
    return *ds;
  }
  uint64_t long_bytes() const {
    uint64_t total = 0;
    for (int r = 0; r < 3; ++r) total += fs::file_size(long_path(r));
    return total;
  }
};

TEST_F(DatasetStreamingTest, ANarrowViewReadsOnlyTheChunksThatMatch) {
  Dataset loaded = open_long(false);
  Dataset streamed = open_long(true);
  ASSERT_TRUE(streamed.summarize().ok());
  const uint64_t summarized = streamed.stats().bytes_read;
  EXPECT_EQ(summarized, 0u);  // summaries are not reads
  auto narrow = [](const Dataset& ds) {
    auto v = ds.view("frame", "/arm/**").value().filter_range(120, 130);
    return rows_text(*v.read().value());
  };
  const auto rows = narrow(streamed);
  ASSERT_EQ(rows.size(), 33u);
  EXPECT_EQ(rows[0], "[\"long-0\"]|[\"fleet\"]|[\"" + long_path(0) + "\"]|[120]|[[120]]");
  EXPECT_EQ(rows[32], "[\"long-2\"]|[\"fleet\"]|[\"" + long_path(2) + "\"]|[130]|[[2130]]");
  EXPECT_EQ(rows, narrow(loaded));
  // Three files streamed, none loaded: one chunk of 20 per file and the index, not the asset.
  EXPECT_EQ(streamed.stats().recordings_opened, 3);
  EXPECT_EQ(streamed.stats().recordings_streamed, 3);
  EXPECT_EQ(streamed.stats().chunks_loaded, 0);
  EXPECT_GT(streamed.stats().bytes_read, 0u);
  EXPECT_LT(streamed.stats().bytes_read, long_bytes() / 10)
      << streamed.stats().bytes_read << " of " << long_bytes();
  EXPECT_EQ(loaded.stats().recordings_streamed, 0);
  EXPECT_EQ(loaded.stats().bytes_read, long_bytes());
  EXPECT_TRUE(streamed.warnings().empty());
}

TEST_F(DatasetStreamingTest, StreamedViewsEqualLoadedOnesForEveryBuilderCall) {
  Dataset loaded = open_long(false);
  Dataset streamed = open_long(true);
  auto all = [](const Dataset& ds, auto&& build) {
    return rows_text(*build(ds.view("frame", "/**").value()).read().value());
  };
  auto same = [&](auto&& build) { EXPECT_EQ(all(streamed, build), all(loaded, build)); };
  same([](DatasetView v) { return v; });
  same([](DatasetView v) { return v.filter_range(45, 55).fill_latest_at(); });
  same([](DatasetView v) { return v.filter_index_values({0, 49, 50, 999, 5000}); });
  same([](DatasetView v) { return v.using_index_values({-1, 10, 2000}).fill_latest_at(); });
  same([](DatasetView v) {
    return v.filter_is_not_null("/arm/force:Scalars:scalars").value().filter_range(990, 2000);
  });
  same([](DatasetView v) {
    return v.select({"/meta:TextLog:text", "/arm/force:Scalars:scalars"})
        .value()
        .with_batch_rows(7);
  });
  const auto everything = all(streamed, [](DatasetView v) { return v; });
  EXPECT_EQ(everything.size(), 3000u);
  // The static view reads each file's static data (the asset among it).
  auto statics = [](const Dataset& ds) {
    return rows_text(*ds.view(std::nullopt, "/meta").value().read().value());
  };
  EXPECT_EQ(statics(streamed), statics(loaded));
  EXPECT_EQ(statics(streamed).size(), 3u);
  EXPECT_EQ(streamed.stats().recordings_streamed, streamed.stats().recordings_opened);
}

TEST_F(DatasetStreamingTest, AFileOfSeveralRecordingsIsLoadedAsBefore) {
  // long1.reel followed by long2.reel's bytes: two recordings in one file, which a view does
  // not stream (it loads the first, with a warning, as a load does).
  {
    auto a = read_file(long_path(1));
    auto b = read_file(long_path(2));
    std::ofstream out(long_path(1), std::ios::binary | std::ios::trunc);
    out.write(a.data(), std::streamsize(a.size()));
    out.write(b.data(), std::streamsize(b.size()));
  }
  auto ds = Dataset::open({long_path(0), long_path(1)}).value();
  auto rows = rows_text(*ds.view("frame", "/arm/**").value().filter_range(7, 7).read().value());
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "[\"long-0\"]|[\"fleet\"]|[\"" + long_path(0) + "\"]|[7]|[[7]]",
                      "[\"long-1\"]|[\"fleet\"]|[\"" + long_path(1) + "\"]|[7]|[[1007]]"}));
  EXPECT_EQ(ds.stats().recordings_opened, 2);
  EXPECT_EQ(ds.stats().recordings_streamed, 1);
  EXPECT_EQ(ds.stats().chunks_loaded, 22);  // long1's 20 + asset + meta
}

// The schema pass answers from footers: the same summaries as reading every chunk (files
// without a footer), and a damaged chunk is not read by it (it is found, and left out with a
// warning naming its byte offset, by the read that needs it).
TEST_F(DatasetStreamingTest, SummariesComeFromTheFooterAsFromReadingEveryChunk) {
  auto summaries = [&] {
    Dataset ds = open_long(true);
    EXPECT_TRUE(ds.summarize().ok());
    return ds.recordings();
  };
  const auto from_footers = summaries();
  format::WriterOptions no_footer;
  no_footer.write_footer = false;
  for (int r = 0; r < 3; ++r) write_long(r, no_footer);
  const auto from_chunks = summaries();
  ASSERT_EQ(from_footers.size(), 3u);
  ASSERT_EQ(from_chunks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& a = from_footers[i];
    const auto& b = from_chunks[i];
    EXPECT_TRUE(a.has_footer);
    EXPECT_FALSE(b.has_footer);
    EXPECT_EQ(a.chunks.size(), 22u);
    EXPECT_EQ(a.timelines, b.timelines);
    EXPECT_EQ(a.static_components, b.static_components);
    EXPECT_EQ(a.entity_timelines, b.entity_timelines);
    ASSERT_EQ(a.components.size(), b.components.size());
    for (const auto& [entity, comps] : b.components) {
      ASSERT_TRUE(a.components.count(entity)) << entity.str();
      const auto& mine = a.components.at(entity);
      ASSERT_EQ(mine.size(), comps.size()) << entity.str();
      for (size_t c = 0; c < comps.size(); ++c) {
        EXPECT_EQ(mine[c].first, comps[c].first);
        EXPECT_TRUE(arrow::type_equals(mine[c].second, comps[c].second))
            << mine[c].second->to_string() << " != " << comps[c].second->to_string();
      }
    }
  }
  EXPECT_EQ(from_footers[0].components.at(EntityPath("/arm/force"))[0].second->to_string(),
            "float64");

  // Back to files with footers; one byte of long1's chunk of frames 500..549 flipped.
  for (int r = 0; r < 3; ++r) write_long(r);
  const auto footer = format::read_footer(long_path(1)).value().value();
  const uint64_t at = footer.chunks[10].offset;
  {
    std::fstream f(long_path(1), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(std::streamoff(at + 60));
    char byte = 0;
    f.get(byte);
    f.seekp(std::streamoff(at + 60));
    f.put(char(byte ^ 0x5a));
  }
  Dataset ds = open_long(true);
  ASSERT_TRUE(ds.summarize().ok());
  EXPECT_EQ(ds.recordings().size(), 3u);
  EXPECT_TRUE(ds.warnings().empty());
  auto rows = rows_text(*ds.view("frame", "/arm/**").value().filter_range(498, 551).read().value());
  EXPECT_EQ(rows.size(), 54u + 4u + 54u);  // long1 keeps frames 498, 499, 550 and 551
  auto warnings = ds.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(long_path(1)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(std::to_string(at)), std::string::npos) << warnings[0];
}

// A file cut while a view streams it: the rows read from it stay, the rest of it is left out
// with a warning naming the file and byte offset, and the recordings after it answer.
TEST_F(DatasetStreamingTest, AFileCutWhileItIsReadLeavesOutTheRestOfItOnly) {
  Dataset ds = open_long(true);
  auto reader = ds.view("frame", "/arm/**").value().with_batch_rows(100).read().value();
  std::map<std::string, int64_t> rows;
  auto count = [&](const arrow::RecordBatch& b) {
    for (int64_t i = 0; i < b.num_rows; ++i) {
      ++rows[std::string(arrow::array_to_string(*b.columns[0]->slice(i, 1)))];
    }
  };
  // Read until long1's first rows (its view is open then), then cut long1 from its chunk of
  // frames 300..349 on.
  while (rows["[\"long-1\"]"] == 0) {
    auto b = reader->next();
    ASSERT_TRUE(b.ok() && *b) << b.status().to_string();
    count(**b);
  }
  const auto footer = format::read_footer(long_path(1)).value().value();
  fs::resize_file(long_path(1), footer.chunks[6].offset + 10);
  for (;;) {
    auto b = reader->next();
    ASSERT_TRUE(b.ok()) << b.status().to_string();
    if (!*b) break;
    count(**b);
  }
  EXPECT_EQ(rows["[\"long-0\"]"], 1000);
  EXPECT_EQ(rows["[\"long-1\"]"], 300);  // frames 0..299
  EXPECT_EQ(rows["[\"long-2\"]"], 1000);
  auto warnings = ds.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("skipping the rest of " + long_path(1)), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find(std::to_string(footer.chunks[6].offset)), std::string::npos)
      << warnings[0];
}

// Long tables (SQL's) load of each file only the chunks of the entities and time range asked
// for, from the footer.
TEST_F(DatasetStreamingTest, LongRowsReadOnlyTheChunksOfTheirWindow) {
  Dataset ds = open_long(true);
  RowsOptions o;
  o.archetype = "Scalars";
  o.index = "frame";
  o.range = {120, 130};
  o.columns = std::vector<std::string>{"recording_id", "entity_path", "frame", "scalars"};
  auto rows = rows_text(*ds.read_rows(o).value());
  ASSERT_EQ(rows.size(), 33u);
  EXPECT_EQ(rows[0], "[\"long-0\"]|[\"/arm/force\"]|[120]|[[120]]");
  EXPECT_EQ(rows[32], "[\"long-2\"]|[\"/arm/force\"]|[130]|[[2130]]");
  // Per file the chunk of frames 100..149 and the static chunks (/asset's 256 KiB among them:
  // its entity has Scalars too), not the other 19 chunks.
  EXPECT_EQ(ds.stats().recordings_opened, 3);
  EXPECT_EQ(ds.stats().chunks_loaded, 3 * 3);
  EXPECT_LT(ds.stats().bytes_read, long_bytes() * 9 / 10)
      << ds.stats().bytes_read << " of " << long_bytes();
  // Only /arm/**: the asset is not read either.
  Dataset arm = open_long(true);
  o.entities = "/arm/**";
  EXPECT_EQ(rows_text(*arm.read_rows(o).value()), rows);
  EXPECT_EQ(arm.stats().chunks_loaded, 3);
  EXPECT_LT(arm.stats().bytes_read, long_bytes() / 10)
      << arm.stats().bytes_read << " of " << long_bytes();
}

TEST(DistinctNames, LowercaseCollisionsGetSuffixes) {
  EXPECT_EQ(distinct_names({"Frame", "frame", "FRAME", "frame_2", "x", "x"}),
            (std::vector<std::string>{"Frame_3", "frame", "FRAME_4", "frame_2", "x", "x_2"}));
}

TEST(DatasetTimes, TimestampIndexIsTypedInEveryRecordingsRows) {
  std::vector<std::shared_ptr<const ChunkStore>> stores;
  for (int r = 0; r < 2; ++r) {
    auto store = std::make_shared<ChunkStore>();
    ChunkBuilder b("/x");
    b.add_row(RowId::create(), {{Timeline::timestamp("t"), 1700000000000000001 + r}},
              {{kScalar, arrow::make_primitive<double>({double(r)})}});
    ASSERT_TRUE(store->insert(*b.build()).ok());
    stores.push_back(store);
  }
  auto ds = Dataset::from_stores(stores).value();
  auto view = ds.view("t").value();
  auto schema = view.schema();
  ASSERT_EQ(schema[3].name, "t");
  EXPECT_EQ(schema[3].type->to_string(), "timestamp[ns, UTC]");
  auto reader = view.read().value();
  EXPECT_EQ(reader->schema()->fields[3]->type->to_string(), "timestamp[ns, UTC]");
  std::vector<int64_t> times;
  auto batches = reader->read_all();
  ASSERT_TRUE(batches.ok()) << batches.status().to_string();
  for (const auto& b : *batches) {
    EXPECT_EQ(b.columns[3]->type->to_string(), "timestamp[ns, UTC]");
    for (int64_t i = 0; i < b.num_rows; ++i) times.push_back(b.columns[3]->values<int64_t>()[i]);
  }
  EXPECT_EQ(times, (std::vector<int64_t>{1700000000000000001, 1700000000000000002}));
}

// A timeline that is a timestamp in one recording and a sequence in another has no one index
// type: refused, naming both, instead of frame numbers printed as 1970 dates.
TEST(DatasetTimes, IndexTypeConflictNamesBothRecordings) {
  std::vector<std::shared_ptr<const ChunkStore>> stores;
  for (int r = 0; r < 2; ++r) {
    auto store = std::make_shared<ChunkStore>();
    store->set_info({"fleet", "rec-" + std::to_string(r), 0});
    ChunkBuilder b("/x");
    const Timeline t = r == 0 ? Timeline::timestamp("t") : Timeline::sequence("t");
    b.add_row(RowId::create(), {{t, 5}}, {{kScalar, arrow::make_primitive<double>({1.0})}});
    ASSERT_TRUE(store->insert(*b.build()).ok());
    stores.push_back(store);
  }
  auto ds = Dataset::from_stores(stores).value();
  auto view = ds.view("t");
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.status().code(), StatusCode::kTypeError);
  EXPECT_NE(view.status().message().find("index timeline 't' is a timestamp in "),
            std::string::npos)
      << view.status().to_string();
  EXPECT_NE(view.status().message().find(" and a sequence in "), std::string::npos)
      << view.status().to_string();
}

}  // namespace
}  // namespace reel::dataframe
