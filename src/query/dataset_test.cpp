#include "reel/query/dataset.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "reel/format/recording_file.hpp"
#include "reel/types/archetypes.hpp"

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

// A column null on every row (an import's empty column) is no column of the recording, as a
// store has it: the file still streams and answers as loading it does.
TEST_F(DatasetTest, AColumnNullOnEveryRowIsNoColumn) {
  {
    auto writer = format::RecordingWriter::open(path(3)).value();
    ASSERT_TRUE(writer->write_store_info({"fleet", "rec-3", 0}).ok());
    ChunkBuilder force("/arm/force");
    for (int f = 0; f < 6; ++f) {
      force.add_row(RowId::create(), {{Timeline::sequence("frame"), f}},
                    {{kScalar, arrow::make_primitive<double>({double(f)})},
                     {kLabel, f == 0 ? arrow::make_strings({"typed"}) : nullptr}});
    }
    const std::vector<int64_t> unlabelled = {1, 2, 3, 4, 5};
    auto chunk = force.build().value()->take(unlabelled).value();
    ASSERT_NE(chunk->component(kLabel), nullptr);
    ASSERT_EQ(chunk->num_non_null(kLabel), 0);
    ASSERT_TRUE(writer->write_chunk(*chunk).ok());
    ASSERT_TRUE(writer->finish().ok());
  }
  auto rows = [&](bool stream) {
    DatasetOptions options;
    options.stream_files = stream;
    Dataset ds = Dataset::open({path(3)}, options).value();
    auto schema = ds.view("frame", "/arm/**").value().schema();
    EXPECT_EQ(schema.back().name, "/arm/force:Scalars:scalars");
    auto out = rows_text(*ds.view("frame", "/arm/**").value().read().value());
    EXPECT_TRUE(ds.warnings().empty()) << ds.warnings().front();
    EXPECT_EQ(ds.stats().recordings_streamed, stream ? 1 : 0);
    return out;
  };
  const auto streamed = rows(true);
  ASSERT_EQ(streamed.size(), 5u);
  EXPECT_EQ(streamed[0], "[\"rec-3\"]|[\"fleet\"]|[\"" + path(3) + "\"]|[1]|[[1]]");
  EXPECT_EQ(streamed, rows(false));
}

// Damages a file: one byte flipped (a chunk's checksum then fails).
void flip_byte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(std::streamoff(at));
  char byte = 0;
  f.get(byte);
  f.seekp(std::streamoff(at));
  f.put(char(byte ^ 0x5a));
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
  // not stream (it loads the first, with a warning, as a load does, only the view's entities).
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
  // long1's 20 /arm/force chunks; not its asset or label (no entity of the view).
  EXPECT_EQ(ds.stats().chunks_loaded, 20);
  ASSERT_EQ(ds.warnings().size(), 1u);
  EXPECT_NE(ds.warnings()[0].find(long_path(1) + " holds another recording after the first: "
                                                 "recording 'long-2' (application 'fleet')"),
            std::string::npos)
      << ds.warnings()[0];
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
  flip_byte(long_path(1), at + 60);
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

// The chunk a summary and a view read a column's type from (the smallest) damaged: the next
// one gives the type, whichever file's summary came first, and only that chunk is left out.
TEST_F(DatasetStreamingTest, TheChunkThatGivesAColumnsTypeDamagedIsLeftOutAlone) {
  const auto footer = format::read_footer(long_path(1)).value().value();
  size_t smallest = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (footer.chunks[i].stored_bytes < footer.chunks[smallest].stored_bytes) smallest = i;
  }
  ASSERT_EQ(footer.chunks[smallest].entity, EntityPath("/arm/force"));
  const TimeInt first = TimeInt(50 * smallest);
  auto rows = [&] {
    Dataset ds = Dataset::open({long_path(1)}).value();  // no other file knows the type
    EXPECT_TRUE(ds.summarize().ok());
    EXPECT_EQ(ds.recordings().size(), 1u);
    EXPECT_TRUE(ds.warnings().empty()) << ds.warnings().front();
    auto v = ds.view("frame", "/arm/**").value().filter_range(first - 2, first + 51);
    auto out = rows_text(*v.read().value());
    return std::pair(out, ds.warnings());
  };
  const auto [whole, none] = rows();
  EXPECT_TRUE(none.empty());
  const uint64_t at = footer.chunks[smallest].offset;
  flip_byte(long_path(1), at + 60);
  const auto [damaged, warnings] = rows();
  EXPECT_EQ(damaged.size(), whole.size() - 50);  // the chunk's 50 frames, no more
  EXPECT_EQ(damaged.back(), whole.back());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(long_path(1)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("byte " + std::to_string(at)), std::string::npos) << warnings[0];
}

// A damaged static chunk, which a streamed view reads when it opens the file: that chunk is
// left out with one warning naming it, the rest of the file answers.
TEST_F(DatasetStreamingTest, ADamagedStaticChunkFoundAtOpenLeavesOutThatChunkOnly) {
  const auto footer = format::read_footer(long_path(1)).value().value();
  const format::FooterEntry& meta = footer.chunks.back();
  ASSERT_EQ(meta.entity, EntityPath("/meta"));
  ASSERT_TRUE(meta.is_static);
  flip_byte(long_path(1), meta.offset + 60);
  Dataset ds = open_long(true);
  auto v = ds.view("frame", "/**")
               .value()
               .filter_range(0, 0)
               .select({"/arm/force:Scalars:scalars", "/meta:TextLog:text"});
  auto rows = rows_text(*v.value().read().value());
  EXPECT_EQ(rows,
            (std::vector<std::string>{
                "[\"long-0\"]|[\"fleet\"]|[\"" + long_path(0) + "\"]|[0]|[[0]]|[[\"long0\"]]",
                "[\"long-1\"]|[\"fleet\"]|[\"" + long_path(1) + "\"]|[0]|[[1000]]|null",
                "[\"long-2\"]|[\"fleet\"]|[\"" + long_path(2) + "\"]|[0]|[[2000]]|[[\"long2\"]]"}));
  const auto warnings = ds.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(long_path(1)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("byte " + std::to_string(meta.offset)), std::string::npos)
      << warnings[0];
  EXPECT_EQ(ds.stats().recordings_streamed, 3);
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
  // Per file the chunk of frames 100..149, not the other 19 chunks, nor the static ones
  // (/asset's 256 KiB has Scalars too, but no frame: no row of this table).
  EXPECT_EQ(ds.stats().recordings_opened, 3);
  EXPECT_EQ(ds.stats().chunks_loaded, 3);
  EXPECT_LT(ds.stats().bytes_read, long_bytes() / 10)
      << ds.stats().bytes_read << " of " << long_bytes();
  // Only /arm/**: the same chunks.
  Dataset arm = open_long(true);
  o.entities = "/arm/**";
  EXPECT_EQ(rows_text(*arm.read_rows(o).value()), rows);
  EXPECT_EQ(arm.stats().chunks_loaded, 3);
  EXPECT_LT(arm.stats().bytes_read, long_bytes() / 10)
      << arm.stats().bytes_read << " of " << long_bytes();
}

// .rrd files answer beside .reel ones. Two were written without reel: Rerun's own encoder
// (the 0.33 web viewer's "Save recording": rec_js_1, /plots/sine steps 0..49, sin(step / 5))
// and apache-arrow JS (rrd_js_blueprint.rrd: rec_bp, /a steps 0..4 = 0.5..4.5, /b step 0 = -1,
// a blueprint store interleaved). reel's own .rrd writer adds a file whose blueprint comes
// before its recording, and one that holds a blueprint only.
class DatasetRrdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("reel_dataset_rrd_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path data = fs::path(REEL_SOURCE_DIR) / "tests" / "data";
    fs::copy_file(data / "rerun_0.33.0_saved.rrd", dir_ / "a_saved.rrd");
    fs::copy_file(data / "rrd_js_blueprint.rrd", dir_ / "b_js.rrd");
    write(dir_ / "c_layout_first.rrd", format::FileFormat::kRrd, true, "rec-rrd", 10);
    write(dir_ / "d.reel", format::FileFormat::kReel, false, "rec-reel", 20);
    write(dir_ / "e_layout_only.rrd", format::FileFormat::kRrd, true, "", 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A blueprint (/viewport) first if `layout`, then recording `id` (/a at steps first and
  // first + 1, values first + 0.5 and first + 1.5) unless `id` is empty.
  static void write(const fs::path& p, format::FileFormat file_format, bool layout,
                    const std::string& id, int64_t first) {
    auto writer = open_writer(p, file_format);
    if (layout) {
      StoreInfo bp{"fleet", "layout", 0, true};
      ASSERT_TRUE(writer->write_store_info(bp).ok());
      ChunkBuilder view("/viewport");
      view.add_row(RowId::create(), {{Timeline::sequence("blueprint"), 0}},
                   {{kLabel, arrow::make_strings({"grid"})}});
      ASSERT_TRUE(writer->write_chunk(*view.build().value()).ok());
    }
    if (!id.empty()) {
      ASSERT_TRUE(writer->write_store_info({"fleet", id, 0}).ok());
      ChunkBuilder a("/a");
      for (int64_t s = first; s < first + 2; ++s) {
        a.add_row(RowId::create(), {{Timeline::sequence("step"), s}},
                  {{kScalar, arrow::make_primitive<double>({double(s) + 0.5})}});
      }
      ASSERT_TRUE(writer->write_chunk(*a.build().value()).ok());
    }
    ASSERT_TRUE(writer->finish().ok());
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::unique_ptr<format::RecordingWriter> open_writer(
      const fs::path& p, format::FileFormat file_format = format::FileFormat::kRrd) {
    format::WriterOptions options;
    options.file_format = file_format;
    return format::RecordingWriter::open(p.string(), options).value();
  }

  fs::path dir_;
};

TEST_F(DatasetRrdTest, RecordingsOfRerunFilesAreFoundAndLayoutsLeftOut) {
  auto ds = Dataset::open({dir_.string()});
  ASSERT_TRUE(ds.ok()) << ds.status().to_string();
  ASSERT_TRUE(ds->summarize().ok());
  auto recs = ds->recordings();
  std::vector<std::string> ids;
  for (const auto& r : recs) ids.push_back(r.info.application_id + "/" + r.info.recording_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"rrd_writer_js/rec_js_1", "bp_js/rec_bp",
                                           "fleet/rec-rrd", "fleet/rec-reel"}));
  ASSERT_EQ(ds->warnings().size(), 1u);
  EXPECT_EQ(ds->warnings()[0], "skipping " + path("e_layout_only.rrd") + ": " +
                                   path("e_layout_only.rrd") +
                                   ": only a Rerun blueprint (a view layout), no recording");
  // The blueprints' entities are not the recordings'.
  std::vector<std::string> entities;
  for (const auto& r : recs) {
    for (const auto& [e, comps] : r.components) entities.push_back(e.str());
  }
  EXPECT_EQ(entities,
            (std::vector<std::string>{"/plots/sine", "/world/points", "/a", "/b", "/a", "/a"}));
}

TEST_F(DatasetRrdTest, ViewsAndLongRowsReadRerunFilesAsReelOnes) {
  Dataset ds = Dataset::open({dir_.string()}).value();
  auto a = rows_text(
      *ds.view("step", "/a").value().select({"/a:Scalars:scalars"}).value().read().value());
  const std::string js = path("b_js.rrd"), rrd = path("c_layout_first.rrd"), reel = path("d.reel");
  EXPECT_EQ(a, (std::vector<std::string>{
                   "[\"rec_bp\"]|[\"bp_js\"]|[\"" + js + "\"]|[0]|[[0.5]]",
                   "[\"rec_bp\"]|[\"bp_js\"]|[\"" + js + "\"]|[1]|[[1.5]]",
                   "[\"rec_bp\"]|[\"bp_js\"]|[\"" + js + "\"]|[2]|[[2.5]]",
                   "[\"rec_bp\"]|[\"bp_js\"]|[\"" + js + "\"]|[3]|[[3.5]]",
                   "[\"rec_bp\"]|[\"bp_js\"]|[\"" + js + "\"]|[4]|[[4.5]]",
                   "[\"rec-rrd\"]|[\"fleet\"]|[\"" + rrd + "\"]|[10]|[[10.5]]",
                   "[\"rec-rrd\"]|[\"fleet\"]|[\"" + rrd + "\"]|[11]|[[11.5]]",
                   "[\"rec-reel\"]|[\"fleet\"]|[\"" + reel + "\"]|[20]|[[20.5]]",
                   "[\"rec-reel\"]|[\"fleet\"]|[\"" + reel + "\"]|[21]|[[21.5]]",
               }));
  // Rerun's encoder's sine, every step and value.
  auto v = ds.view("step", "/plots/sine").value();
  auto reader = v.select({"/plots/sine:Scalars:scalars"}).value().read().value();
  int64_t rows = 0;
  for (;;) {
    auto b = reader->next().value();
    if (!b) break;
    const auto& steps = b->columns[3];
    const auto& values = b->columns[4];
    for (int64_t r = 0; r < b->num_rows; ++r, ++rows) {
      EXPECT_EQ(arrow::array_to_string(*steps->slice(r, 1)), "[" + std::to_string(rows) + "]");
      auto list = arrow::ListArray(values->slice(r, 1));
      const arrow::PrimitiveArray<double> cell(list.value_slice(0));
      ASSERT_EQ(cell.length(), 1);
      EXPECT_DOUBLE_EQ(cell.value(0), std::sin(double(rows) / 5)) << "step " << rows;
    }
  }
  EXPECT_EQ(rows, 50);
  // Long rows: the blueprints' /viewport rows are not among them.
  RowsOptions o;
  o.archetype = "Scalars";
  o.columns = std::vector<std::string>{"recording_id", "entity_path", "step"};
  o.index = "step";
  o.range = {2, 10};
  EXPECT_EQ(rows_text(*ds.read_rows(o).value()),
            (std::vector<std::string>{
                "[\"rec_js_1\"]|[\"/plots/sine\"]|[2]", "[\"rec_js_1\"]|[\"/plots/sine\"]|[3]",
                "[\"rec_js_1\"]|[\"/plots/sine\"]|[4]", "[\"rec_js_1\"]|[\"/plots/sine\"]|[5]",
                "[\"rec_js_1\"]|[\"/plots/sine\"]|[6]", "[\"rec_js_1\"]|[\"/plots/sine\"]|[7]",
                "[\"rec_js_1\"]|[\"/plots/sine\"]|[8]", "[\"rec_js_1\"]|[\"/plots/sine\"]|[9]",
                "[\"rec_js_1\"]|[\"/plots/sine\"]|[10]", "[\"rec_bp\"]|[\"/a\"]|[2]",
                "[\"rec_bp\"]|[\"/a\"]|[3]", "[\"rec_bp\"]|[\"/a\"]|[4]",
                "[\"rec-rrd\"]|[\"/a\"]|[10]"}));
  // Only the blueprints log text.
  EXPECT_EQ(ds.archetypes().value(), (std::vector<std::string>{"Points3D", "Scalars"}));
  EXPECT_EQ(ds.warnings().size(), 1u) << ds.warnings().back();  // e_layout_only.rrd's, no more
}

// An .rrd file is loaded for a view, not streamed: only the chunks of the view's entities
// and of their ancestors, whose recursive Clears empty them.
TEST_F(DatasetRrdTest, ALoadedFileKeepsTheViewsEntitiesAndTheirAncestorsOnly) {
  const Timeline step = Timeline::sequence("step");
  {
    auto writer = open_writer(path("f_clear.rrd"));
    ASSERT_TRUE(writer->write_store_info({"fleet", "rec-clear", 0}).ok());
    for (const char* e : {"/arm/force", "/other"}) {
      ChunkBuilder b{EntityPath(e)};
      for (int64_t s = 0; s < 2; ++s)
        b.add_row(RowId::create(), {{step, s}},
                  {{kScalar, arrow::make_primitive<double>({100.0 + s})}});
      ASSERT_TRUE(writer->write_chunk(*b.build().value()).ok());
    }
    ChunkBuilder clear{EntityPath("/arm")};
    arrow::BooleanBuilder recursive;
    recursive.append(true);
    clear.add_row(RowId::create(), {{step, 2}},
                  {{Clear::descriptor_is_recursive(), recursive.finish()}});
    ASSERT_TRUE(writer->write_chunk(*clear.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }
  DatasetOptions whole;
  whole.stream_files = false;
  Dataset loaded = Dataset::open({path("f_clear.rrd")}, whole).value();
  Dataset chosen = Dataset::open({path("f_clear.rrd")}).value();
  auto rows = [](const Dataset& ds) {
    auto v = ds.view("step", "/arm/force").value().using_index_values({1, 2, 3}).fill_latest_at();
    return rows_text(*v.read().value());
  };
  const std::string where = "[\"rec-clear\"]|[\"fleet\"]|[\"" + path("f_clear.rrd") + "\"]|";
  const auto got = rows(chosen);
  EXPECT_EQ(got, (std::vector<std::string>{where + "[1]|[[101]]", where + "[2]|[[]]",
                                           where + "[3]|[[]]"}));
  EXPECT_EQ(got, rows(loaded));
  EXPECT_EQ(chosen.stats().chunks_loaded, 2);  // /arm/force and /arm's Clear, not /other
  EXPECT_EQ(loaded.stats().chunks_loaded, 3);
  EXPECT_EQ(chosen.stats().recordings_streamed, 0);
}

// The same loaded file, with a not-null filter on an entity outside the view, and a view of
// static data only at index values: the entity the filter names is loaded, and so is a chunk
// on the index timeline, so the rows are those of loading the file whole.
TEST_F(DatasetRrdTest, ALoadedFileAnswersFiltersAndIndexValuesAsAWholeLoad) {
  const Timeline step = Timeline::sequence("step");
  {
    auto writer = open_writer(path("g.rrd"));
    ASSERT_TRUE(writer->write_store_info({"fleet", "rec-g", 0}).ok());
    ChunkBuilder a{EntityPath("/a")};
    for (int64_t t = 0; t < 3; ++t)
      a.add_row(RowId::create(), {{step, t}},
                {{kScalar, arrow::make_primitive<double>({t + 0.5})}});
    ASSERT_TRUE(writer->write_chunk(*a.build().value()).ok());
    ChunkBuilder b{EntityPath("/b")};
    b.add_row(RowId::create(), {{step, 1}}, {{kScalar, arrow::make_primitive<double>({-1.0})}});
    ASSERT_TRUE(writer->write_chunk(*b.build().value()).ok());
    ChunkBuilder meta{EntityPath("/meta")};
    meta.add_row(RowId::create(), {}, {{kLabel, arrow::make_strings({"g"})}});
    ASSERT_TRUE(writer->write_chunk(*meta.build().value()).ok());
    ASSERT_TRUE(writer->finish().ok());
  }
  DatasetOptions whole;
  whole.stream_files = false;
  Dataset loaded = Dataset::open({path("g.rrd")}, whole).value();
  Dataset chosen = Dataset::open({path("g.rrd")}).value();
  const std::string where = "[\"rec-g\"]|[\"fleet\"]|[\"" + path("g.rrd") + "\"]|";
  auto filtered = [](const Dataset& ds) {
    auto v = ds.view("step", "/a").value().filter_is_not_null("/b:Scalars:scalars").value();
    return rows_text(*v.read().value());
  };
  EXPECT_EQ(filtered(chosen), (std::vector<std::string>{where + "[1]|[[1.5]]"}));
  EXPECT_EQ(filtered(chosen), filtered(loaded));
  auto at_values = [](const Dataset& ds) {
    auto v = ds.view("step", "/meta").value().using_index_values({1, 7});
    return rows_text(*v.read().value());
  };
  EXPECT_EQ(at_values(chosen),
            (std::vector<std::string>{where + "[1]|[[\"g\"]]", where + "[7]|[[\"g\"]]"}));
  EXPECT_EQ(at_values(chosen), at_values(loaded));
  EXPECT_TRUE(chosen.warnings().empty()) << chosen.warnings().front();
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
