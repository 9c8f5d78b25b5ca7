// Serving a file larger than memory (file_pager.cpp): what is preloaded, the exact rows of a
// window read from the file, the cache's bound and its reloads, narrowed windows, live rows,
// a file cut while served; and the same through a server's WebSocket.
#include "server/file_pager.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/test_fixtures.hpp"
#include "server/test_util.hpp"

namespace reel::server {
namespace {

namespace fs = std::filesystem;
using internal::SubscribeRequest;
using test_util::scalar;
using test_util::scalar_chunk;

constexpr int kChunks = 20;  // per entity
constexpr int kRows = 10;    // per chunk: entity e's chunk k holds frames 10k .. 10k+9

// The value logged for `entity` at `frame` (scalar_chunk's, scaled per entity).
double value_at(int entity, int64_t frame) { return double(frame) * (entity + 1); }

std::string write_file(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_pager_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  auto w = format::RecordingWriter::open(path).value();
  EXPECT_TRUE(w->write_store_info({"pager_app", "pager_rec", 0}).ok());
  ChunkBuilder names("/meta");
  names.add_row(RowId::create(), {}, {{scalar(), arrow::make_primitive<double>({-1.0})}});
  EXPECT_TRUE(w->write_chunk(*names.build().value()).ok());
  // Entity after entity, as send_columns writes them.
  for (int e = 0; e < 3; ++e) {
    for (int k = 0; k < kChunks; ++k) {
      ChunkPtr c = scalar_chunk("/e" + std::to_string(e), k * kRows, kRows, e + 1);
      EXPECT_TRUE(w->write_chunk(*c).ok());
    }
  }
  EXPECT_TRUE(w->finish().ok());
  return path;
}

std::shared_ptr<FilePager> open_pager(const std::string& path, uint64_t cache_bytes) {
  format::RecordingIndex index;
  EXPECT_TRUE(format::index_recording(path, index).ok());
  FilePager::Options o;
  o.cache_bytes = cache_bytes;
  auto pager = FilePager::open(index, 0, o);
  EXPECT_TRUE(pager.ok()) << pager.status().to_string();
  return pager.ok() ? *pager : nullptr;
}

// entity -> frame -> value, of an answer; every row once.
std::map<std::string, std::map<int64_t, double>> rows_of(const std::vector<ChunkPtr>& chunks) {
  std::map<std::string, std::map<int64_t, double>> out;
  for (const auto& c : chunks) {
    const auto* col = c->component(scalar());
    EXPECT_TRUE(col);
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      const int64_t t = c->timeline("frame")->time_at(i);
      const double v = arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0);
      EXPECT_TRUE(out[c->entity_path().str()].emplace(t, v).second)
          << c->entity_path().str() << " frame " << t << " twice";
    }
  }
  return out;
}

void expect_window(const std::map<int64_t, double>& rows, int entity, int64_t lo, int64_t hi) {
  ASSERT_EQ(int64_t(rows.size()), hi - lo + 1) << "entity " << entity;
  for (int64_t t = lo; t <= hi; ++t) {
    auto it = rows.find(t);
    ASSERT_NE(it, rows.end()) << "frame " << t;
    EXPECT_EQ(it->second, value_at(entity, t)) << "frame " << t;
  }
}

SubscribeRequest window(TimeInt lo, TimeInt hi, std::vector<EntityPath> entities = {}) {
  SubscribeRequest r;
  r.timeline = "frame";
  r.range = {lo, hi};
  r.entities = std::move(entities);
  return r;
}

uint64_t one_chunk_bytes() { return scalar_chunk("/e0", 0, kRows)->heap_size_bytes(); }

TEST(FilePagerTest, PreloadsStaticDataAndTheFirstTimesOfEveryEntity) {
  auto pager = open_pager(write_file("preload.reel"), 64 << 20);
  ASSERT_TRUE(pager);
  EXPECT_EQ(pager->extent().chunks, uint64_t(3 * kChunks));
  ASSERT_EQ(pager->extent().entities.size(), 3u);
  ASSERT_EQ(pager->extent().timelines.size(), 1u);
  EXPECT_EQ(pager->extent().timelines[0].name, "frame");
  EXPECT_EQ(pager->extent().timelines[0].range, (TimeRange{0, kChunks * kRows - 1}));
  const uint64_t per_chunk = pager->extent().bytes / pager->extent().chunks;
  ChunkStore store(ChunkStoreConfig::no_compaction());
  // Six chunks' worth: the first two of each entity (ordered by time, not by file order).
  ASSERT_TRUE(pager->preload(store, per_chunk * 6 + per_chunk / 2).ok());
  EXPECT_TRUE(store.latest_static(EntityPath("/meta"), scalar()).has_value());
  for (int e = 0; e < 3; ++e) {
    const auto r = store.range({"frame", {kTimeMin, kTimeMax}},
                               EntityPath("/e" + std::to_string(e)), scalar());
    EXPECT_EQ(r.num_rows(), 2 * kRows) << "entity " << e;
  }
  EXPECT_EQ(pager->stats().chunks_read, 7u);  // the static chunk and six
}

TEST(FilePagerTest, AnswersTheExactRowsOfAWindowReadingOnlyItsChunks) {
  auto pager = open_pager(write_file("window.reel"), 64 << 20);
  ASSERT_TRUE(pager);
  ChunkStore store;
  auto a = pager->answer(store, window(55, 74, {EntityPath("/e1")}));
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->covered, (TimeRange{55, 74}));
  auto rows = rows_of(a->chunks);
  ASSERT_EQ(rows.size(), 1u);
  expect_window(rows["/e1"], 1, 55, 74);
  EXPECT_EQ(pager->stats().chunks_read, 3u);  // frames 50-59, 60-69, 70-79 of /e1
  // Asked again: from the cache, same rows.
  a = pager->answer(store, window(55, 74, {EntityPath("/e1")}));
  ASSERT_TRUE(a.ok());
  rows = rows_of(a->chunks);
  expect_window(rows["/e1"], 1, 55, 74);
  EXPECT_EQ(pager->stats().chunks_read, 3u);
  EXPECT_EQ(pager->stats().cached_chunks, 3u);
  // Every entity (no list), a window past the end: what there is.
  a = pager->answer(store, window(185, 1000));
  ASSERT_TRUE(a.ok());
  rows = rows_of(a->chunks);
  ASSERT_EQ(rows.size(), 3u);
  for (int e = 0; e < 3; ++e) expect_window(rows["/e" + std::to_string(e)], e, 185, 199);
  // Unknown timeline or entity: nothing, nothing read.
  const uint64_t read = pager->stats().chunks_read;
  SubscribeRequest other = window(0, 10);
  other.timeline = "other";
  EXPECT_TRUE(pager->answer(store, other)->chunks.empty());
  EXPECT_TRUE(pager->answer(store, window(0, 10, {EntityPath("/nope")}))->chunks.empty());
  EXPECT_EQ(pager->stats().chunks_read, read);
}

TEST(FilePagerTest, TheCacheStaysWithinItsLimitAndForgottenChunksAreReadAgain) {
  const uint64_t limit = one_chunk_bytes() * 4;
  auto pager = open_pager(write_file("evict.reel"), limit);
  ASSERT_TRUE(pager);
  ChunkStore store;
  for (int k = 0; k < kChunks; ++k) {
    auto a = pager->answer(store, window(k * kRows, k * kRows + 9, {EntityPath("/e2")}));
    ASSERT_TRUE(a.ok());
    expect_window(rows_of(a->chunks)["/e2"], 2, k * kRows, k * kRows + 9);
    EXPECT_LE(pager->stats().cached_bytes, limit) << "window " << k;
  }
  EXPECT_EQ(pager->stats().chunks_read, uint64_t(kChunks));
  EXPECT_LE(pager->stats().cached_chunks, 4u);
  // The first window was forgotten: read again, the same rows.
  auto a = pager->answer(store, window(0, 9, {EntityPath("/e2")}));
  ASSERT_TRUE(a.ok());
  expect_window(rows_of(a->chunks)["/e2"], 2, 0, 9);
  EXPECT_EQ(pager->stats().chunks_read, uint64_t(kChunks) + 1);
}

TEST(FilePagerTest, AWindowTooLargeForTheCacheIsNarrowedAroundItsMiddle) {
  // Room for about five chunks of /e0, asked for all twenty.
  auto pager = open_pager(write_file("narrow.reel"), one_chunk_bytes() * 5 + 1);
  ASSERT_TRUE(pager);
  ChunkStore store;
  auto a = pager->answer(store, window(0, 199, {EntityPath("/e0")}));
  ASSERT_TRUE(a.ok());
  const TimeRange c = a->covered;
  // The footer's estimate of a chunk's memory was close: the cache holds what it said.
  EXPECT_LE(pager->stats().cached_bytes, one_chunk_bytes() * 6);
  EXPECT_TRUE(c.contains(100)) << c.min << ".." << c.max;
  EXPECT_GT(c.min, 0);
  EXPECT_LT(c.max, 199);
  EXPECT_EQ(c.min % kRows, 0);  // on chunk borders: every row of the covered window is there
  EXPECT_EQ(c.max % kRows, kRows - 1);
  EXPECT_LE(c.max - c.min + 1, 5 * kRows);
  expect_window(rows_of(a->chunks)["/e0"], 0, c.min, c.max);
}

TEST(FilePagerTest, LiveRowsOfTheStoreAreAnsweredAndPreloadedOnesNotTwice) {
  auto pager = open_pager(write_file("live.reel"), 64 << 20);
  ASSERT_TRUE(pager);
  ChunkStore store;  // compaction on: preloaded chunks may be merged, and are still known
  const uint64_t per_chunk = pager->extent().bytes / pager->extent().chunks;
  ASSERT_TRUE(pager->preload(store, per_chunk * 6).ok());
  ASSERT_TRUE(store.insert(scalar_chunk("/e1", 500, 5, 2)).ok());  // live, after the file
  auto a = pager->answer(store, window(0, 504, {EntityPath("/e1")}));
  ASSERT_TRUE(a.ok());
  auto rows = rows_of(a->chunks)["/e1"];
  ASSERT_EQ(rows.size(), size_t(kChunks * kRows + 5));
  for (int64_t t = 500; t < 505; ++t) EXPECT_EQ(rows.at(t), value_at(1, t));
  expect_window(std::map<int64_t, double>(rows.begin(), rows.find(500)), 1, 0, kChunks * kRows - 1);
}

TEST(FilePagerTest, AFileCutWhileServedIsAnErrorNamingItAndTheByte) {
  const std::string path = write_file("cut.reel");
  auto pager = open_pager(path, 64 << 20);
  ASSERT_TRUE(pager);
  fs::resize_file(path, fs::file_size(path) / 2);
  ChunkStore store;
  auto a = pager->answer(store, window(0, 199));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find(path), std::string::npos) << a.status().message();
  EXPECT_NE(a.status().message().find("byte"), std::string::npos) << a.status().message();
  // What could be read before the cut is still answered.
  auto early = pager->answer(store, window(0, 9, {EntityPath("/e0")}));
  ASSERT_TRUE(early.ok()) << early.status().to_string();
  expect_window(rows_of(early->chunks)["/e0"], 0, 0, 9);
}

TEST(FilePagerTest, ConcurrentAnswersOverASmallCacheAreExact) {
  // Viewers scrubbing at once: each answer is whole and exact while the others evict.
  auto pager = open_pager(write_file("concurrent.reel"), one_chunk_bytes() * 6);
  ASSERT_TRUE(pager);
  ChunkStore store;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int v = 0; v < 4; ++v) {
    threads.emplace_back([&, v] {
      for (int k = 0; k < 40; ++k) {
        const int e = (v + k) % 3;
        const int64_t lo = ((v * 7 + k * 13) % (kChunks - 1)) * kRows + 3;
        auto a = pager->answer(store, window(lo, lo + 9, {EntityPath("/e" + std::to_string(e))}));
        if (!a.ok() || a->covered != TimeRange{lo, lo + 9}) {
          ++wrong;
          continue;
        }
        auto rows = rows_of(a->chunks)["/e" + std::to_string(e)];
        bool exact = int64_t(rows.size()) == 10;
        for (const auto& [t, value] : rows) {
          exact = exact && t >= lo && t <= lo + 9 && value == value_at(e, t);
        }
        if (!exact) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(pager->stats().answers, 160u);
}

TEST(FilePagerTest, AViewerOfAPagedRecordingIsToldAndSubscribesThroughTheFile) {
  using nlohmann::json;
  const std::string path = write_file("served.reel");
  format::RecordingIndex index;
  ASSERT_TRUE(format::index_recording(path, index).ok());
  auto recordings = std::make_shared<RecordingSet>(ChunkStoreConfig());
  auto store = recordings->store_for(index.infos[0].info);
  auto pager = FilePager::open(index, 0, {}).value();
  ASSERT_TRUE(pager->preload(*store, pager->extent().bytes / 10).ok());
  recordings->attach_pager(store.get(), pager);
  ServerOptions options;
  options.http_port = 0;
  options.enable_ingest = false;
  test_util::LogCapture log;
  options.log = log.sink();
  auto server = Server::start(recordings, options).value();

  test_util::WsClient ws(server->http_port());
  EXPECT_EQ(ws.read_json()["type"], "hello");
  json paged = ws.read_json();
  ASSERT_EQ(paged["type"], "paged") << paged.dump();
  EXPECT_EQ(paged["recording"], 0);
  EXPECT_EQ(paged["path"], path);
  EXPECT_EQ(paged["chunks"], 3 * kChunks);
  EXPECT_EQ(paged["entities"], json::array({"/e0", "/e1", "/e2"}));
  EXPECT_EQ(paged["timelines"][0]["min"], "0");
  EXPECT_EQ(paged["timelines"][0]["max"], std::to_string(kChunks * kRows - 1));
  EXPECT_EQ(paged["timelines"][0]["type"], "sequence");
  // The backlog is the preloaded part.
  size_t backlog = 0;
  for (;;) {
    auto m = ws.read();
    if (m.text) {
      EXPECT_EQ(json::parse(m.data)["type"], "caught_up");
      break;
    }
    ++backlog;
  }
  EXPECT_EQ(backlog, store->num_chunks());
  ws.send(
      R"({"type":"subscribe","id":4,"timeline":"frame","min":"120","max":"149","entities":["/e2"]})");
  auto answer = ws.answer(4);
  expect_window(rows_of(answer)["/e2"], 2, 120, 149);
  // /api/info tells what was read.
  json info = json::parse(test_util::http_get(server->http_port(), "/api/info").body);
  const json& p = info["recordings"][0]["paged"];
  EXPECT_EQ(p["path"], path);
  EXPECT_EQ(p["answers"], 1);
  EXPECT_GE(p["chunks_read"].get<uint64_t>(), 3u);
  server->stop();
}

}  // namespace
}  // namespace reel::server
