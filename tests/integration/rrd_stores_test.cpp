// Blueprint stores kept when copying (.rrd and .reel, convert, compact, merge, filter) and
// skipped by loads, queries and stats; columns of Arrow types reel does not represent dropped
// with one warning per entity and column while the rest of the chunk loads and queries.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cli_run.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel {
namespace {

namespace fs = std::filesystem;

struct Dir {
  fs::path path = fs::temp_directory_path() / ("reel_stores_" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

using test_support::cli;
using test_support::CliRun;

ChunkPtr scalars_chunk(const std::string& entity, int first, int rows) {
  ChunkBuilder b(entity);
  for (int i = first; i < first + rows; ++i) {
    b.add_row(RowId::create(), {{Timeline::sequence("step"), i}},
              {{Scalars::descriptor_scalars(), arrow::make_primitive<double>({i * 0.5})}});
  }
  return *b.build();
}

// What a blueprint holds in Rerun: view layouts under /viewport; here a component of
// Rerun's blueprint archetypes that reel keeps as it is.
ChunkPtr blueprint_chunk() {
  ChunkBuilder b("/viewport");
  const ComponentDescriptor d("rerun.blueprint.archetypes.ViewportBlueprint", "auto_views",
                              "rerun.blueprint.components.AutoViews");
  arrow::BooleanBuilder bools;
  bools.append(true);
  b.add_row(RowId::create(), {{Timeline::sequence("blueprint"), 0}}, {{d, bools.finish()}});
  return *b.build();
}

const StoreInfo kRecording{"my_app", "rec_1", 1700000000000000000};
const StoreInfo kBlueprint{"my_app", "bp_1", 0, true};

struct Stored {
  ChunkPtr chunk;
  StoreInfo store;
};

std::vector<Stored> read_chunks(const std::string& path, std::vector<StoreInfo>* infos = nullptr) {
  std::vector<Stored> out;
  auto r = format::RecordingReader::open(path);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return out;
  StoreInfo recording;
  for (;;) {
    auto m = (*r)->next();
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    if (!m.ok() || !*m) break;
    if ((*m)->kind == format::MessageKind::kStoreInfo) {
      if (infos) infos->push_back((*m)->info);
      if (!(*m)->info.is_blueprint) recording = (*m)->info;
    }
    if ((*m)->kind == format::MessageKind::kChunk) {
      out.push_back({(*m)->chunk, (*m)->info.is_blueprint ? (*m)->info : recording});
    }
  }
  EXPECT_TRUE((*r)->warnings().empty()) << path << ": " << (*r)->warnings()[0];
  return out;
}

void expect_same(const std::vector<Stored>& a, const std::vector<Stored>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].chunk->id(), b[i].chunk->id()) << i;
    EXPECT_TRUE(a[i].chunk->content_equals(*b[i].chunk)) << i;
    EXPECT_EQ(a[i].store.is_blueprint, b[i].store.is_blueprint) << i;
    EXPECT_EQ(a[i].store.recording_id, b[i].store.recording_id) << i;
    EXPECT_EQ(a[i].store.application_id, b[i].store.application_id) << i;
  }
}

// A recording with its blueprint interleaved, as Rerun writes them.
void write_with_blueprint(const std::string& path, format::FileFormat fmt) {
  format::WriterOptions o;
  o.file_format = fmt;
  auto w = format::RecordingWriter::open(path, o).value();
  ASSERT_TRUE(w->write_store_info(kRecording).ok());
  ASSERT_TRUE(w->write_chunk(*scalars_chunk("/a", 0, 3)).ok());
  ASSERT_TRUE(w->write_store_info(kBlueprint).ok());
  ASSERT_TRUE(w->write_chunk(*blueprint_chunk()).ok());
  ASSERT_TRUE(w->write_store_info(kRecording).ok());
  ASSERT_TRUE(w->write_chunk(*scalars_chunk("/a", 3, 2)).ok());
  ASSERT_TRUE(w->write_chunk(*scalars_chunk("/b", 0, 1)).ok());
  ASSERT_TRUE(w->finish().ok());
}

TEST(BlueprintStores, RrdToReelToRrdKeepsTheBlueprintChunkByChunk) {
  Dir dir;
  write_with_blueprint(dir / "a.rrd", format::FileFormat::kRrd);
  CliRun r = cli("convert " + (dir / "a.rrd") + " -o " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("left out"), std::string::npos) << r.out;
  r = cli("convert " + (dir / "a.reel") + " -o " + (dir / "b.rrd"));
  ASSERT_EQ(r.status, 0) << r.out;
  const auto a = read_chunks(dir / "a.rrd");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_TRUE(a[1].store.is_blueprint);
  std::vector<StoreInfo> reel_infos;
  const auto reel = read_chunks(dir / "a.reel", &reel_infos);
  expect_same(a, reel);
  bool blueprint_info = false;
  for (const auto& i : reel_infos) blueprint_info |= i.is_blueprint && i.recording_id == "bp_1";
  EXPECT_TRUE(blueprint_info);
  expect_same(a, read_chunks(dir / "b.rrd"));
  // .reel -> .reel too (the footer and a streaming read agree on whose chunks they are).
  r = cli("convert " + (dir / "a.reel") + " -o " + (dir / "b.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  expect_same(a, read_chunks(dir / "b.reel"));
}

TEST(BlueprintStores, LoadsQueriesAndStatsSkipThem) {
  Dir dir;
  write_with_blueprint(dir / "a.reel", format::FileFormat::kReel);
  ChunkStore store;
  auto report = load_file(dir / "a.reel", store);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->chunks, 3u);
  EXPECT_EQ(report->info.recording_id, "rec_1");
  EXPECT_TRUE(report->warnings.empty()) << report->warnings[0];
  for (const auto& c : store.chunks()) EXPECT_NE(c->entity_path().str(), "/viewport");

  // The footer path (load_selected) skips them too: a query sees no /viewport column.
  CliRun r = cli("query " + (dir / "a.reel") + " --index step");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("viewport"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step,/a:Scalars:scalars,/b:Scalars:scalars\n0,0.0,0.0\n"),
            std::string::npos)
      << r.out;
  r = cli("schema " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("viewport"), std::string::npos) << r.out;

  r = cli("stats " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("  store            recording rec_1 of application 'my_app'\n"
                       "  store            blueprint bp_1 of application 'my_app'\n"
                       "  blueprint chunks 1 (Rerun view layouts: not counted below)\n"
                       "  chunks           3 (0 static)\n"
                       "  rows             6\n"
                       "  entities         2\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("/viewport"), std::string::npos) << r.out;
}

TEST(BlueprintStores, CompactMergeAndFilterKeepThem) {
  Dir dir;
  write_with_blueprint(dir / "a.rrd", format::FileFormat::kRrd);
  write_with_blueprint(dir / "a.reel", format::FileFormat::kReel);
  for (const char* in : {"a.rrd", "a.reel"}) {
    for (const char* out : {"c.rrd", "c.reel"}) {
      SCOPED_TRACE(std::string(in) + " -> " + out);
      CliRun r = cli("compact " + (dir / in) + " -o " + (dir / out));
      ASSERT_EQ(r.status, 0) << r.out;
      EXPECT_NE(r.out.find("1 chunks of 1 Rerun blueprint stores copied as they were"),
                std::string::npos)
          << r.out;
      auto chunks = read_chunks(dir / out);
      ASSERT_EQ(chunks.size(), 3u);  // /a and /b compacted, then the blueprint's
      EXPECT_FALSE(chunks[0].store.is_blueprint);
      EXPECT_FALSE(chunks[1].store.is_blueprint);
      EXPECT_TRUE(chunks[2].store.is_blueprint);
      EXPECT_EQ(chunks[2].store.recording_id, "bp_1");
      EXPECT_EQ(chunks[2].chunk->entity_path().str(), "/viewport");

      r = cli("filter " + (dir / in) + " --drop-entity /b -o " + (dir / out));
      ASSERT_EQ(r.status, 0) << r.out;
      const auto filtered = read_chunks(dir / out);
      auto all = read_chunks(dir / in);
      all.pop_back();  // /b, the last
      expect_same(all, filtered);
    }
  }
  CliRun r = cli("merge " + (dir / "a.rrd") + " " + (dir / "a.reel") + " -o " + (dir / "m.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  auto merged = read_chunks(dir / "m.reel");
  size_t blueprints = 0;
  for (const auto& c : merged) blueprints += c.store.is_blueprint;
  EXPECT_EQ(blueprints, 2u);  // the same blueprint store, from each input

  // The same blueprint in two inputs (one file given twice) goes to .rrd once: Rerun keeps one
  // chunk per id.
  r = cli("compact " + (dir / "a.rrd") + " " + (dir / "a.rrd") + " -o " + (dir / "c2.rrd"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 chunks of 1 Rerun blueprint stores copied as they were"),
            std::string::npos)
      << r.out;
  r = cli("merge " + (dir / "a.rrd") + " " + (dir / "a.rrd") + " -o " + (dir / "m.rrd"));
  ASSERT_EQ(r.status, 0) << r.out;
  blueprints = 0;
  for (const auto& c : read_chunks(dir / "m.rrd")) blueprints += c.store.is_blueprint;
  EXPECT_EQ(blueprints, 1u);
}

// Written by apache-arrow JS with rrd_writer.mjs's framing (tests/rerun_viewer/
// write_blueprint_rrd.mjs): recording rec_bp (/a 3 rows, /a 2 rows, /b 1 row) with blueprint
// bp_1 (/viewport, /viewport/container) interleaved.
const std::string kJsBlueprint = std::string(REEL_SOURCE_DIR) + "/tests/data/rrd_js_blueprint.rrd";

TEST(BlueprintStores, JsWrittenFileRoundTripsThroughReel) {
  Dir dir;
  const auto a = read_chunks(kJsBlueprint);
  ASSERT_EQ(a.size(), 5u);
  const std::vector<bool> blueprint = {false, true, false, false, true};
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].store.is_blueprint, blueprint[i]) << i;
    EXPECT_EQ(a[i].store.recording_id, blueprint[i] ? "bp_1" : "rec_bp") << i;
  }
  CliRun r = cli("convert " + kJsBlueprint + " -o " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 stores, 5 chunks (8 rows) written as .reel"), std::string::npos) << r.out;
  r = cli("convert " + (dir / "a.reel") + " -o " + (dir / "b.rrd"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 stores, 5 chunks (8 rows) written as .rrd"), std::string::npos) << r.out;
  expect_same(a, read_chunks(dir / "a.reel"));
  expect_same(a, read_chunks(dir / "b.rrd"));

  r = cli("stats " + (dir / "a.reel"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("  store            recording rec_bp of application 'bp_js'\n"
                       "  store            blueprint bp_1 of application 'bp_js'\n"
                       "  blueprint chunks 2 (Rerun view layouts: not counted below)\n"
                       "  chunks           3 (0 static)\n"),
            std::string::npos)
      << r.out;
  for (const std::string& f : {kJsBlueprint, dir / "a.reel"}) {
    r = cli("query " + f + " --index step");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("step,/a:Scalars:scalars,/b:Scalars:scalars\n0,0.5,-1.0\n1,1.5,\n"),
              std::string::npos)
        << f << ": " << r.out;
    EXPECT_EQ(r.out.find("viewport"), std::string::npos) << f << ": " << r.out;
  }
}

// ---------------------------------------------------------------------------------------

const std::string kUnsupported =
    std::string(REEL_SOURCE_DIR) + "/tests/data/rrd_js_unsupported_columns.rrd";

TEST(UnsupportedColumns, LoadWarnsOncePerEntityAndColumnAndTheRestQueries) {
  ChunkStore store;
  auto report = load_file(kUnsupported, store);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->chunks, 3u);
  EXPECT_EQ(report->rows, 6);
  ASSERT_EQ(report->warnings.size(), 6u);  // 3 columns x 2 entities, not x 3 chunks
  EXPECT_EQ(report->warnings[0].find(kUnsupported + ": entity /a, column 'Custom:big' dropped: "
                                                    "reel does not represent its Arrow type "
                                                    "list<item: large_utf8> (first in the "
                                                    "ArrowMsg at byte "),
            0u)
      << report->warnings[0];

  CliRun r = cli("query " + kUnsupported + " --index step --select /a:my.archetypes.Custom:note");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("step,/a:my.archetypes.Custom:note\n0,note 0\n2,note 2\n4,note 4\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("column 'Custom:day' dropped"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace reel
