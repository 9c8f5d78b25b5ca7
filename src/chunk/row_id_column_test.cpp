#include <gtest/gtest.h>

#include <random>

#include "reel/chunk/row_id_column.hpp"

namespace reel {
namespace {

std::vector<RowId> materialize(const RowIdColumn& c) {
  std::vector<RowId> out;
  for (int64_t i = 0; i < c.length(); ++i) out.push_back(c[i]);
  return out;
}

TEST(RowIdColumnTest, InterleavedLoggingCompressesToOneRun) {
  // One thread logging 45 entities in turn: each entity sees every 45th id.
  std::vector<RowId> ids;
  for (uint64_t i = 0; i < 10000; ++i) ids.push_back({1000, 7 + 45 * i});
  auto c = RowIdColumn::from_ids(ids);
  EXPECT_FALSE(c.is_explicit());
  EXPECT_EQ(c.num_runs(), 1u);
  EXPECT_FALSE(c.is_consecutive());
  EXPECT_EQ(materialize(c), ids);
  EXPECT_EQ(c.min(), ids.front());
  EXPECT_EQ(c.max(), ids.back());
  EXPECT_TRUE(c.is_sorted());
  std::vector<std::pair<const void*, size_t>> buffers;
  c.collect_buffers(buffers);
  EXPECT_TRUE(buffers.empty());  // no per-row storage
}

TEST(RowIdColumnTest, RandomIdsFallBackToExplicitStorage) {
  std::mt19937_64 rng(3);
  std::vector<RowId> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back({rng() % 5, rng()});
  auto c = RowIdColumn::from_ids(ids);
  EXPECT_TRUE(c.is_explicit());
  EXPECT_EQ(materialize(c), ids);
  EXPECT_FALSE(c.is_sorted());
}

TEST(RowIdColumnTest, ConcatenatingContinuingRunsMergesThem) {
  auto a = RowIdColumn::consecutive({5, 100}, 10);
  auto b = RowIdColumn::consecutive({5, 110}, 10);
  std::vector<const RowIdColumn*> parts = {&a, &b};
  auto c = RowIdColumn::concatenate(parts);
  EXPECT_TRUE(c.is_consecutive());
  EXPECT_EQ(c.num_runs(), 1u);
  EXPECT_EQ(c[19], (RowId{5, 119}));
  // A new clock reading starts a new run, still without per-row storage.
  auto d = RowIdColumn::consecutive({6, 500}, 10);
  std::vector<const RowIdColumn*> more = {&c, &d};
  auto e = RowIdColumn::concatenate(more);
  EXPECT_EQ(e.num_runs(), 2u);
  EXPECT_FALSE(e.is_explicit());
  EXPECT_TRUE(e.is_sorted());
  EXPECT_EQ(e[20], (RowId{6, 500}));
}

TEST(RowIdColumnTest, RandomRunsSlicesConcatenationsAndTakesMatchAVector) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    auto make = [&] {
      std::vector<RowId> ids;
      int runs = 1 + int(rng() % 4);
      for (int r = 0; r < runs; ++r) {
        RowId first{rng() % 3, rng() % 1000};
        uint64_t stride = 1 + rng() % 5;
        int len = 1 + int(rng() % 40);
        for (int i = 0; i < len; ++i) ids.push_back(first.plus(stride * uint64_t(i)));
      }
      return ids;
    };
    auto ids_a = make(), ids_b = make();
    auto a = RowIdColumn::from_ids(ids_a), b = RowIdColumn::from_ids(ids_b);
    ASSERT_EQ(materialize(a), ids_a) << "seed " << seed;
    int64_t start = int64_t(rng() % ids_a.size());
    int64_t len = int64_t(rng() % (ids_a.size() - size_t(start) + 1));
    auto s = a.slice(start, len);
    std::vector<RowId> expected(ids_a.begin() + start, ids_a.begin() + start + len);
    ASSERT_EQ(materialize(s), expected) << "seed " << seed;
    if (!expected.empty()) {
      EXPECT_EQ(s.min(), *std::min_element(expected.begin(), expected.end())) << "seed " << seed;
      EXPECT_EQ(s.max(), *std::max_element(expected.begin(), expected.end())) << "seed " << seed;
      EXPECT_EQ(s.is_sorted(), std::is_sorted(expected.begin(), expected.end())) << "seed " << seed;
    }
    std::vector<const RowIdColumn*> parts = {&s, &b};
    auto c = RowIdColumn::concatenate(parts);
    expected.insert(expected.end(), ids_b.begin(), ids_b.end());
    ASSERT_EQ(materialize(c), expected) << "seed " << seed;
    EXPECT_EQ(c.is_sorted(), std::is_sorted(expected.begin(), expected.end())) << "seed " << seed;
    std::vector<int64_t> rows;
    for (int i = 0; i < 10 && c.length() > 0; ++i)
      rows.push_back(int64_t(rng() % uint32_t(c.length())));
    auto t = c.take(rows);
    for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(t[int64_t(i)], expected[size_t(rows[i])]);
    // The Arrow form round-trips.
    auto back = RowIdColumn::from_arrow(c.to_arrow());
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(materialize(*back), expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace reel
