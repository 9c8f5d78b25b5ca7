// Partial reads: views of the chunks a selection keeps give the tables of the whole recording,
// over version 1 and 2 files, with and without a footer; with a footer only the matching
// chunks are read from disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "query/dataframe_internal.hpp"
#include "query/dataframe_test_internal.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::dataframe {
namespace {

using test_support::kLabel;
using test_support::kScalar;
using test_support::table;
using test_support::Table;
namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_partial_read_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// /sensors/s0..s3: chunks of 20 rows on "frame" 0..199 (s3 also on "time"); s1 has labels
// in its first chunk only, null every third row; /config is static; /late only has data at
// frames 500.. (a column no narrow range shows); /other only logs on "time".
std::vector<ChunkPtr> recording() {
  std::vector<ChunkPtr> out;
  for (int c = 0; c < 10; ++c) {
    for (int s = 0; s < 4; ++s) {
      ChunkBuilder b(EntityPath("/sensors/s" + std::to_string(s)));
      for (int i = 0; i < 20; ++i) {
        const TimeInt frame = c * 20 + i;
        std::vector<ChunkBuilder::TimePoint> times = {{Timeline::sequence("frame"), frame}};
        if (s == 3) times.push_back({Timeline::timestamp("time"), 1000 + frame * 10});
        std::vector<ChunkBuilder::Cell> cells = {
            {kScalar, arrow::make_primitive<double>({s * 1000.0 + double(frame)})}};
        if (s == 1 && c == 0) {
          cells.push_back(
              {kLabel, i % 3 ? arrow::make_strings({"l" + std::to_string(i)}) : nullptr});
        }
        b.add_row(RowId::create(), times, cells);
      }
      out.push_back(b.build().value());
    }
  }
  ChunkBuilder config(EntityPath("/config"));
  config.add_row(RowId::create(), {}, {{kScalar, arrow::make_primitive<double>({7.0})}});
  out.push_back(config.build().value());
  ChunkBuilder late(EntityPath("/late"));
  for (int i = 0; i < 5; ++i) {
    late.add_row(RowId::create(), {{Timeline::sequence("frame"), 500 + i}},
                 {{kLabel, arrow::make_strings({"late"})}});
  }
  out.push_back(late.build().value());
  ChunkBuilder other(EntityPath("/other"));
  other.add_row(RowId::create(), {{Timeline::timestamp("time"), 5}},
                {{kScalar, arrow::make_primitive<double>({-1.0})}});
  out.push_back(other.build().value());
  return out;
}

enum class Kind { kV2, kV1, kNoFooter, kKilled };

std::string write(const std::vector<ChunkPtr>& chunks, Kind kind, const std::string& name = "rec") {
  const std::string path = temp_path(name + std::to_string(int(kind)) + ".reel");
  format::WriterOptions options;
  if (kind == Kind::kV1) options.format_version = 1;
  if (kind == Kind::kNoFooter) options.write_footer = false;
  auto w = format::RecordingWriter::open(path, options).value();
  EXPECT_TRUE(w->write_store_info({"app", "rec", 1}).ok());
  for (const auto& c : chunks) EXPECT_TRUE(w->write_chunk(*c).ok());
  if (kind == Kind::kKilled) {
    fs::copy_file(path, path + ".cut", fs::copy_options::overwrite_existing);
    w.reset();
    fs::rename(path + ".cut", path);
  } else {
    EXPECT_TRUE(w->finish().ok());
  }
  return path;
}

struct Query {
  Query(std::optional<std::string> index, std::string contents,
        TimeRange range = {kTimeMin, kTimeMax}, bool fill = false,
        std::vector<std::string> select = {})
      : index(std::move(index)),
        contents(std::move(contents)),
        range(range),
        fill(fill),
        select(std::move(select)) {}
  std::optional<std::string> index;
  std::string contents;
  TimeRange range;
  bool fill;
  std::vector<std::string> select;
};

ChunkSelection selection_of(const Query& q) {
  ChunkSelection s;
  s.entities = EntityPathFilter::parse(q.contents).value();
  s.timeline = q.index;
  s.static_only = !q.index;
  s.range = q.range;
  s.keep_before_range = q.fill;
  s.columns = q.select;
  return s;
}

// The query's table over a view of the whole recording: a store's, or a file's (streamed).
Table run(const Result<View>& view, const Query& q) {
  EXPECT_TRUE(view.ok()) << view.status().to_string();
  if (!view.ok()) return {};
  View v = *view;
  v = v.filter_range(q.range.min, q.range.max);
  if (q.fill) v = v.fill_latest_at();
  if (!q.select.empty()) v = v.select(q.select).value();
  // The schema is part of the answer.
  Table out;
  std::vector<std::string> names;
  for (const auto& c : v.schema()) names.push_back(c.name + " " + c.type->to_string());
  out.push_back(names);
  for (auto& row : table(v)) out.push_back(row);
  return out;
}

Table run(std::shared_ptr<const ChunkStore> store, const Query& q) {
  return run(View::create(std::move(store), q.index, q.contents), q);
}

const std::vector<Query>& queries() {
  static const std::vector<Query> q = {
      {"frame", "/sensors/s1", {45, 52}},
      {"frame", "/sensors/s1", {0, 4}},  // the labels' chunk
      {"frame", "/**", {30, 35}},
      {"frame", "/**", {30, 35}, true},
      {"frame", "/** -/sensors/s2", {190, 600}},
      {"frame", "/**", {1000, 2000}},
      {"time", "/**", {1100, 1200}},
      {"time", "/other", {0, 10}},
      {std::nullopt, "/**"},
      {"frame", "/sensors/**", {60, 61}, false, {"/sensors/s0:Scalars:scalars"}},
      {"frame", "/sensors/**", {60, 61}, true, {"/sensors/s1:Points3D:labels"}},
      {"frame", "/**"},
  };
  return q;
}

TEST(PartialReadTest, SelectedChunksGiveTheWholeRecordingsTables) {
  const auto chunks = recording();
  const std::string reference = write(chunks, Kind::kV2);
  auto full = load_recording(reference).value();
  for (Kind kind : {Kind::kV2, Kind::kV1, Kind::kNoFooter, Kind::kKilled}) {
    const std::string path = write(chunks, kind);
    for (size_t i = 0; i < queries().size(); ++i) {
      SCOPED_TRACE("file kind " + std::to_string(int(kind)) + ", query " + std::to_string(i));
      const Query& q = queries()[i];
      auto partial = load_recording(path, selection_of(q));
      ASSERT_TRUE(partial.ok()) << partial.status().to_string();
      EXPECT_EQ(run(*partial, q), run(full, q));
    }
  }
}

TEST(PartialReadTest, NarrowQueryReadsOnlyTheMatchingChunks) {
  const auto chunks = recording();
  const std::string path = write(chunks, Kind::kV2);
  // Frames 45..52 of /sensors/s1: its chunks 2 (40..59) and none other; the chunk of frames
  // 0..19 holds its labels, which no other chunk has: read too, so the columns stay.
  ChunkSelection s = selection_of(Query("frame", "/sensors/s1", {45, 52}));
  ChunkStore store;
  uint64_t read = 0;
  auto report = load_selected(path, store, s, &read);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_TRUE(report->from_footer);
  EXPECT_EQ(report->chunks_in_file, chunks.size());
  EXPECT_EQ(read, 2u);
  EXPECT_EQ(report->chunks, 2u);
  // Frames 65..70 of /sensors/s0: one chunk.
  ChunkStore narrow;
  ASSERT_TRUE(
      load_selected(path, narrow, selection_of(Query("frame", "/sensors/s0", {65, 70})), &read)
          .ok());
  EXPECT_EQ(read, 1u);
  EXPECT_EQ(narrow.stats().num_rows, 20);
  // Without a footer every chunk is read once; the chunk of frames 0..19 comes first and shows
  // the column before the matching one does: kept as its witness (it adds no rows).
  ChunkStore streamed;
  auto r = load_selected(write(chunks, Kind::kV1), streamed,
                         selection_of(Query("frame", "/sensors/s0", {65, 70})), &read);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->from_footer);
  EXPECT_EQ(read, chunks.size());
  EXPECT_EQ(r->chunks, 2u);
}

// Row tables on a timeline have no static rows: `temporal_only` reads no static chunk, with
// a footer or without one (/config's value is not loaded, nor kept as a witness).
TEST(PartialReadTest, TemporalOnlySelectionsReadNoStaticChunk) {
  const auto chunks = recording();
  for (Kind kind : {Kind::kV2, Kind::kV1}) {
    SCOPED_TRACE("file kind " + std::to_string(int(kind)));
    const std::string path = write(chunks, kind);
    ChunkSelection s = selection_of(Query("frame", "/**", {30, 35}));
    ChunkStore with_statics;
    auto all = load_selected(path, with_statics, s);
    ASSERT_TRUE(all.ok()) << all.status().to_string();
    EXPECT_TRUE(with_statics.latest_static(EntityPath("/config"), kScalar).has_value());
    s.temporal_only = true;
    ChunkStore temporal;
    auto report = load_selected(path, temporal, s);
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    EXPECT_FALSE(temporal.latest_static(EntityPath("/config"), kScalar).has_value());
    EXPECT_EQ(report->chunks + 1, all->chunks);
  }
}

TEST(PartialReadTest, ViewOfAFileReadsOnlyItsEntities) {
  const auto chunks = recording();
  const std::string path = write(chunks, Kind::kV2);
  auto view = View::create(path, "frame", "/sensors/s0");
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  auto full = load_recording(path).value();
  EXPECT_EQ(table(*view), table(View::create(full, "frame", "/sensors/s0").value()));
  auto none = View::create(path, std::nullopt, "/**");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(table(*none), (Table{{"[7]"}}));
}

// A large static asset outside the view's entities is not read when the view is made; a
// not-null filter on it (or a view of its entity) reads it then, and answers as a store does.
TEST(PartialReadTest, StreamingViewReadsOtherEntitiesStaticDataWhenAskedFor) {
  auto chunks = recording();
  ChunkBuilder asset(EntityPath("/assets/mesh"));
  std::vector<double> vertices(1 << 17);
  uint64_t state = 1;
  for (double& v : vertices) v = double((state = state * 6364136223846793005u + 1) >> 11);
  asset.add_row(RowId::create(), {}, {{kScalar, arrow::make_primitive<double>(vertices)}});
  chunks.push_back(asset.build().value());
  const std::string path = write(chunks, Kind::kV2, "asset");
  const uint64_t asset_bytes = format::read_footer(path).value().value().chunks.back().stored_bytes;
  ASSERT_GT(asset_bytes, 500'000u);
  auto loaded = load_recording(path).value();
  auto view = View::create(path, "frame", "/sensors/**");
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  EXPECT_LT(view->file_progress()->read_bytes, asset_bytes);
  const std::string column = "/assets/mesh:" + kScalar.identifier();
  auto filtered = view->filter_is_not_null(column);
  ASSERT_TRUE(filtered.ok()) << filtered.status().to_string();
  EXPECT_GE(view->file_progress()->read_bytes, asset_bytes);
  const Table rows = table(*filtered);
  EXPECT_EQ(rows.size(), 200u);  // static: never null
  EXPECT_EQ(
      rows,
      table(
          View::create(loaded, "frame", "/sensors/**").value().filter_is_not_null(column).value()));
  auto all = View::create(path, std::nullopt, "/**");
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(table(*all), table(View::create(loaded, std::nullopt, "/**").value()));
  // The asset's entity is listed from the start, as a store lists it.
  auto of_assets = View::create(path, "frame", "/assets/**");
  ASSERT_TRUE(of_assets.ok()) << of_assets.status().to_string();
  auto loaded_assets = View::create(loaded, "frame", "/assets/**").value();
  ASSERT_EQ(of_assets->schema().size(), loaded_assets.schema().size());
  EXPECT_EQ(of_assets->schema().back().name, column);
  EXPECT_EQ(table(*of_assets), table(loaded_assets));
}

// View::stream: a view of a file of one recording streams; a file of two streams (written
// twice, as `cat f f` would) does not (View::create loads it), nor does a missing file (its
// error is the loader's to give).
TEST(PartialReadTest, StreamSaysWhichFilesCanStream) {
  const std::string one = write(recording(), Kind::kV2, "one");
  auto streamed = View::stream(one, "frame", "/sensors/**");
  ASSERT_TRUE(streamed.ok()) << streamed.status().to_string();
  ASSERT_TRUE(streamed->has_value());
  ASSERT_TRUE((*streamed)->file_progress());
  EXPECT_EQ(table(**streamed),
            table(View::create(load_recording(one).value(), "frame", "/sensors/**").value()));

  const std::string two = temp_path("two.reel");
  {
    std::ofstream out(two, std::ios::binary);
    for (int i = 0; i < 2; ++i) out << std::ifstream(one, std::ios::binary).rdbuf();
  }
  auto loaded = View::stream(two, "frame", "/sensors/**");
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_FALSE(loaded->has_value());
  auto created = View::create(two, "frame", "/sensors/**");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  EXPECT_FALSE(created->file_progress());

  auto missing = View::stream(temp_path("missing.reel"), "frame");
  ASSERT_TRUE(missing.ok()) << missing.status().to_string();
  EXPECT_FALSE(missing->has_value());
}

// (A file cut while its chunks are read through the footer: ChunkFileReader's test in
// src/format/recording_index_test.cpp.) A file cut before it is opened has no footer: it
// streams up to the cut, with a truncation warning.
TEST(PartialReadTest, CutFileStreamsUpToTheCut) {
  const auto chunks = recording();
  const std::string path = write(chunks, Kind::kV2);
  auto footer = format::read_footer(path).value().value();
  fs::resize_file(path, footer.chunks[20].offset + 10);
  ChunkStore store;
  auto report = load_selected(path, store, selection_of(Query("frame", "/**")));
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_FALSE(report->from_footer);
  EXPECT_EQ(report->chunks, 20u);
  ASSERT_FALSE(report->warnings.empty());
  EXPECT_NE(report->warnings[0].find("truncated"), std::string::npos) << report->warnings[0];
}

// Views of a file stream (View::create(path)): they give the tables of the whole recording
// loaded into a store, over every kind of file, for every query.
TEST(PartialReadTest, StreamingViewsOfAFileGiveTheWholeRecordingsTables) {
  const auto chunks = recording();
  auto full = load_recording(write(chunks, Kind::kV2)).value();
  for (Kind kind : {Kind::kV2, Kind::kV1, Kind::kNoFooter, Kind::kKilled}) {
    const std::string path = write(chunks, kind);
    for (size_t i = 0; i < queries().size(); ++i) {
      SCOPED_TRACE("file kind " + std::to_string(int(kind)) + ", query " + std::to_string(i));
      const Query& q = queries()[i];
      auto view = View::create(path, q.index, q.contents);
      ASSERT_TRUE(view.ok() && view->file_progress()) << "the file was loaded, not streamed";
      EXPECT_EQ(run(view, q), run(full, q));
    }
  }
}

// A recording that takes the reader's every path: chunks of one entity overlapping in time,
// a chunk unsorted on the timeline, one time logged in two chunks (the higher RowId wins),
// null cells, a recursive Clear on an ancestor and a flat one, a static value next to
// temporal data.
std::vector<ChunkPtr> tangled() {
  std::vector<ChunkPtr> out;
  auto scalar = [](double v) { return arrow::make_primitive<double>({v}); };
  const Timeline frame = Timeline::sequence("frame");
  std::vector<RowId> ids;
  for (int i = 0; i < 400; ++i) ids.push_back(RowId::create());  // increasing
  for (int c = 0; c < 4; ++c) {
    // /m/a: chunk c holds frames c, c+4, c+8, ... (every chunk spans 0..99).
    ChunkBuilder a(EntityPath("/m/a"));
    for (int f = c; f < 100; f += 4) {
      a.add_row(ids[size_t(c * 100 + f)], {{frame, f}}, {{kScalar, f % 7 ? scalar(f) : nullptr}});
    }
    out.push_back(a.build().value());
  }
  ChunkBuilder b(EntityPath("/m/b"));  // unsorted: frames 99 down to 0, every third
  for (int f = 99; f >= 0; f -= 3)
    b.add_row(RowId::create(), {{frame, f}}, {{kScalar, scalar(-f)}});
  out.push_back(b.build().value());
  ChunkBuilder dup(EntityPath("/m/a"));  // frame 40 again, later: wins
  dup.add_row(RowId::create(), {{frame, 40}}, {{kScalar, scalar(4000)}});
  out.push_back(dup.build().value());
  auto clear = [&](const char* entity, TimeInt t, bool recursive) {
    ChunkBuilder cb{EntityPath(entity)};
    arrow::BooleanBuilder flag;
    flag.append(recursive);
    cb.add_row(RowId::create(), {{frame, t}}, {{Clear::descriptor_is_recursive(), flag.finish()}});
    out.push_back(cb.build().value());
  };
  // /f (no Clear reaches it): frames 0..9, then 60..61 and 62..70 in two more chunks. A view
  // of 30..70 with fill holds cells of frames 30..59 from the first chunk (read for the fill, owned
  // by no store) when the second retires: the first must outlive the batch.
  for (auto [from, to] : {std::pair(0, 9), std::pair(60, 61), std::pair(62, 70)}) {
    ChunkBuilder f(EntityPath("/f"));
    for (int t = from; t <= to; ++t)
      f.add_row(RowId::create(), {{frame, t}}, {{kScalar, scalar(t)}});
    out.push_back(f.build().value());
  }
  clear("/m", 50, true);
  clear("/m/b", 80, false);
  ChunkBuilder st(EntityPath("/m/c"));
  st.add_row(RowId::create(), {}, {{kLabel, arrow::make_strings({"fixed"})}});
  out.push_back(st.build().value());
  ChunkBuilder ct(EntityPath("/m/c"));
  for (int f = 10; f < 100; f += 10)
    ct.add_row(RowId::create(), {{frame, f}}, {{kScalar, scalar(f)}});
  out.push_back(ct.build().value());
  return out;
}

TEST(PartialReadTest, StreamingViewsTakeEveryPathOfTheReader) {
  const auto chunks = tangled();
  auto full = load_recording(write(chunks, Kind::kV2, "tangled")).value();
  const std::vector<Query> queries = {
      {"frame", "/**"},
      {"frame", "/**", {30, 70}, true},
      {"frame", "/m/b", {55, 90}, true},
      {"frame", "/m/**", {38, 42}},
      {std::nullopt, "/**"},
  };
  for (Kind kind : {Kind::kV2, Kind::kV1}) {
    const std::string path = write(chunks, kind, "tangled");
    for (size_t i = 0; i < queries.size(); ++i) {
      SCOPED_TRACE("file kind " + std::to_string(int(kind)) + ", query " + std::to_string(i));
      const Query& q = queries[i];
      EXPECT_EQ(run(View::create(path, q.index, q.contents), q), run(full, q));
    }
    // Filters and small batches, each against the store's view.
    auto file = View::create(path, "frame", "/**").value();
    ASSERT_TRUE(file.file_progress());
    auto store = View::create(full, "frame", "/**").value();
    auto both = [&](auto&& f) { EXPECT_EQ(table(f(file)), table(f(store))); };
    both([](const View& v) { return v.filter_is_not_null("/m/b:Scalars:scalars").value(); });
    both([](const View& v) {
      return v.using_index_values({-5, 3, 41, 50, 77, 81, 150}).fill_latest_at();
    });
    both([](const View& v) { return v.filter_index_values({0, 40, 52, 99}); });
    both([](const View& v) { return v.with_batch_rows(7).fill_latest_at(); });
    both([](const View& v) {
      return v.select({"/m/c:Points3D:labels", "/m/a:Scalars:scalars"}).value();
    });
    // Frames with data: /m/a's but every seventh (null), and /m/b's, /m/c's and /f's.
    EXPECT_EQ(table(file).size(), 92u);
  }
}

// Streaming holds the chunks at the frontier, never the file: a view over 200 chunks of
// 500 rows each, read in batches of 100 rows, reads every chunk once and holds a few.
TEST(PartialReadTest, StreamingViewHoldsOnlyTheChunksAtTheFrontier) {
  std::vector<ChunkPtr> chunks;
  for (int c = 0; c < 200; ++c) {
    for (const char* entity : {"/s/x", "/s/y"}) {
      ChunkBuilder b{EntityPath(entity)};
      for (int i = 0; i < 500; ++i) {
        const TimeInt t = c * 500 + i;
        b.add_row(RowId::create(), {{Timeline::sequence("step"), t}},
                  {{kScalar, arrow::make_primitive<double>({double(t)})},
                   {kLabel, arrow::make_strings({"v"})}});
      }
      chunks.push_back(b.build().value());
    }
  }
  const std::string path = write(chunks, Kind::kV2, "long");
  auto view = View::create(path, "step", "/s/**");
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  ASSERT_EQ(view->schema().size(), 5u);  // step, and two columns per entity
  auto reader = view->with_batch_rows(100).read().value();
  int64_t rows = 0;
  TimeInt expected = 0;
  for (;;) {
    auto batch = reader->next();
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    if (!*batch) break;
    const int64_t* steps = (*batch)->columns[0]->values<int64_t>();
    for (int64_t r = 0; r < (*batch)->num_rows; ++r) ASSERT_EQ(steps[r], expected++);
    rows += (*batch)->num_rows;
  }
  EXPECT_EQ(rows, 100000);
  const auto* stats = internal::reader_stats(*reader);
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->file_chunks_read, 400);  // each chunk once, though it has two columns
  // Per entity, the chunk at the frontier and the one before it (the batch still refers to
  // its last rows): a handful, not the file.
  EXPECT_LE(stats->max_file_chunks_held, 6);
  EXPECT_GE(stats->max_file_chunks_held, 2);
}

// A file cut after its view was made: reading fails with the file and byte offset of the
// chunk that is no longer whole, after the batches before it.
TEST(PartialReadTest, StreamingViewOfAFileCutWhileReadFailsCleanly) {
  const auto chunks = recording();
  const std::string path = write(chunks, Kind::kV2, "cut");
  auto view = View::create(path, "frame", "/sensors/**");
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  auto footer = format::read_footer(path).value().value();
  const uint64_t cut = footer.chunks[20].offset + 10;  // chunk 20: /sensors/s0, frames 100..
  fs::resize_file(path, cut);
  auto reader = view->with_batch_rows(10).read().value();
  int64_t rows = 0;
  Status fault;
  for (;;) {
    auto batch = reader->next();
    if (!batch.ok()) {
      fault = batch.status();
      break;
    }
    if (!*batch) break;
    rows += (*batch)->num_rows;
  }
  ASSERT_FALSE(fault.ok()) << "read " << rows << " rows of a cut file without an error";
  EXPECT_EQ(rows, 100);  // frames 0..99, before the cut chunk
  EXPECT_NE(fault.message().find(path), std::string::npos) << fault.to_string();
  EXPECT_NE(fault.message().find(std::to_string(footer.chunks[20].offset)), std::string::npos)
      << fault.to_string();
}

// Rows a filter skips hold no chunk: a not-null filter on a column with data at the first and
// last frames only reads through 200 chunks of another column and holds a few.
TEST(PartialReadTest, StreamingViewWithASparseFilterHoldsOnlyTheFrontier) {
  std::vector<ChunkPtr> chunks;
  for (int c = 0; c < 200; ++c) {
    ChunkBuilder b{EntityPath("/dense")};
    for (int i = 0; i < 100; ++i) {
      b.add_row(RowId::create(), {{Timeline::sequence("step"), c * 100 + i}},
                {{kScalar, arrow::make_primitive<double>({double(c * 100 + i)})}});
    }
    chunks.push_back(b.build().value());
  }
  ChunkBuilder sparse{EntityPath("/sparse")};
  for (TimeInt t : {0, 19999}) {
    sparse.add_row(RowId::create(), {{Timeline::sequence("step"), t}},
                   {{kLabel, arrow::make_strings({"here"})}});
  }
  chunks.push_back(sparse.build().value());
  const std::string path = write(chunks, Kind::kV2, "sparse");
  auto view = View::create(path, "step", "/dense").value();
  for (const View& v :
       {view.filter_is_not_null("/sparse:Points3D:labels").value(),
        view.filter_index_values({0, 19999}), view.using_index_values({0, 19999})}) {
    auto reader = v.read().value();
    EXPECT_EQ(table(reader->read_all(), true), (Table{{"0", "[0]"}, {"19999", "[19999]"}}));
    const auto* stats = internal::reader_stats(*reader);
    ASSERT_NE(stats, nullptr);
    EXPECT_LE(stats->max_file_chunks_held, 4);
  }
}

// A damaged chunk (its checksum fails) is left out with a warning naming it, as loading the
// file leaves it out: the rest of the file answers.
// The table of /sensors/** over the file, streamed (checked to stream, and to equal the
// table of the file loaded into a store); `warnings`: the streamed view's.
Table streamed_sensors(const std::string& path, std::vector<std::string>* warnings) {
  auto loaded = load_recording(path).value();
  auto view = View::create(path, "frame", "/sensors/**");
  EXPECT_TRUE(view.ok()) << view.status().to_string();
  if (!view.ok()) return {};
  EXPECT_TRUE(view->file_progress());
  const Table streamed = table(*view);
  EXPECT_EQ(streamed, table(View::create(loaded, "frame", "/sensors/**").value()));
  *warnings = view->warnings();
  return streamed;
}

TEST(PartialReadTest, StreamingViewLeavesADamagedChunkOut) {
  const auto chunks = recording();
  const std::string path = write(chunks, Kind::kV2, "damaged");
  auto footer = format::read_footer(path).value().value();
  const uint64_t at = footer.chunks[5].offset;  // /sensors/s1, frames 20..39
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(at + 40));
    char byte = 0;
    f.seekg(std::streamoff(at + 40));
    f.get(byte);
    f.seekp(std::streamoff(at + 40));
    f.put(char(byte ^ 0x5a));
  }
  std::vector<std::string> warnings;
  const Table streamed = streamed_sensors(path, &warnings);
  EXPECT_EQ(streamed.size(), 200u);  // the other sensors still have every frame
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(std::to_string(at)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("left out"), std::string::npos) << warnings[0];
}

TEST(PartialReadTest, StreamingViewLeavesOutAChunkTheStoreWouldRefuseForItsType) {
  // /sensors/s0's scalars as float32 after chunks of float64 ones: a store refuses the chunk
  // (one element type per column); the streamed view leaves it out with the store's words.
  auto chunks = recording();
  ChunkBuilder b(EntityPath("/sensors/s0"));
  b.add_row(RowId::create(), {{Timeline::sequence("frame"), 300}},
            {{kScalar, arrow::make_primitive<float>({1.5f})}});
  chunks.push_back(b.build().value());
  const std::string path = write(chunks, Kind::kV2, "retyped");
  const uint64_t at = format::read_footer(path).value().value().chunks.back().offset;
  std::vector<std::string> warnings;
  const Table streamed = streamed_sensors(path, &warnings);
  EXPECT_EQ(streamed.size(), 200u);  // frame 300 is not a row
  const std::string expected =
      path + ": chunk at byte " + std::to_string(at) + " not loaded: " +
      component_type_conflict(EntityPath("/sensors/s0"), kScalar.identifier(),
                              arrow::float32()->to_string(), arrow::float64()->to_string());
  EXPECT_EQ(warnings, std::vector<std::string>{expected});
}

}  // namespace
}  // namespace reel::dataframe
