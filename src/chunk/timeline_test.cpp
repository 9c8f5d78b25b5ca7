#include "reel/chunk/timeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace reel {
namespace {

TEST(TimeColumnTest, StatisticsAreComputed) {
  std::vector<int64_t> sorted = {1, 2, 2, 5};
  auto c = TimeColumn::sequence("f", sorted);
  EXPECT_TRUE(c.is_sorted());
  EXPECT_EQ(c.range(), (TimeRange{1, 5}));
  EXPECT_EQ(c.stride(), 0);
  std::vector<int64_t> unsorted = {5, -3, 9, 0};
  auto u = TimeColumn::sequence("f", unsorted);
  EXPECT_FALSE(u.is_sorted());
  EXPECT_EQ(u.range(), (TimeRange{-3, 9}));
  std::vector<int64_t> even = {10, 13, 16, 19};
  auto e = TimeColumn::sequence("f", even);
  EXPECT_EQ(e.stride(), 3);
  EXPECT_EQ(e.slice(1, 2).stride(), 3);
  EXPECT_EQ(e.slice(1, 1).stride(), 0);
  EXPECT_TRUE(TimeColumn::sequence("f", std::vector<int64_t>{}).range().empty());
}

// Found by recording_reader_fuzz and ipc_fuzz: a decoded time column with times far apart
// overflowed the signed differences of the even-spacing check (UBSan: signed integer
// overflow in compute_stats). The values are the fuzzers' inputs.
TEST(TimeColumnTest, StatisticsOfTimesAcrossTheWholeRange) {
  std::vector<int64_t> apart = {-4408157706818084158, 6189297394539770402};
  auto a = TimeColumn::sequence("f", apart);
  EXPECT_TRUE(a.is_sorted());
  EXPECT_EQ(a.range(), (TimeRange{apart[0], apart[1]}));
  EXPECT_EQ(a.stride(), 0);  // a step over 2^63 is not a stride
  EXPECT_EQ(a.upper_bound(0), 1);
  EXPECT_EQ(a.lower_bound(apart[1]), 1);
  std::vector<int64_t> unsorted = {8385541330855526400, -7349874591862002327, 0};
  auto u = TimeColumn::sequence("f", unsorted);
  EXPECT_FALSE(u.is_sorted());
  EXPECT_EQ(u.range(), (TimeRange{unsorted[1], unsorted[0]}));
  std::vector<int64_t> ends = {kTimeMin, 0, kTimeMax};
  auto e = TimeColumn::sequence("f", ends);
  EXPECT_TRUE(e.is_sorted());
  EXPECT_EQ(e.stride(), 0);
  EXPECT_EQ(e.upper_bound(-1), 1);
  std::vector<int64_t> even = {kTimeMin + 1, -1, kTimeMax - 2};  // stride 2^63 - 2 fits
  EXPECT_EQ(TimeColumn::sequence("f", even).stride(), kTimeMax - 1);
  EXPECT_EQ(TimeColumn::sequence("f", even).upper_bound(0), 2);
}

TEST(TimeColumnTest, MakeCheckedRejectsFalseClaims) {
  std::vector<int64_t> v = {3, 1, 2};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto wrong_sorted = TimeColumn::make_checked(Timeline::sequence("f"), buffer, 0, 3, true, {1, 3});
  ASSERT_FALSE(wrong_sorted.ok());
  EXPECT_NE(wrong_sorted.status().message().find("is_sorted"), std::string::npos);
  auto wrong_range = TimeColumn::make_checked(Timeline::sequence("f"), buffer, 0, 3, false, {0, 3});
  ASSERT_FALSE(wrong_range.ok());
  EXPECT_TRUE(TimeColumn::make_checked(Timeline::sequence("f"), buffer, 0, 3, false, {1, 3}).ok());
}

TEST(TimeColumnTest, CheckedTimeColumnRefusesAFalseSortedFlag) {
  std::vector<int64_t> v = {3, 1, 2};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 0, 3, true, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "time column 'frame' claims is_sorted=true but its times are not sorted");
}

// Regression: claiming "unsorted" for sorted times was reported as "claims is_sorted=false but
// it is not", which reads as if the column were unsorted.
TEST(TimeColumnTest, CheckedTimeColumnRefusesAFalseUnsortedFlag) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 0, 3, false, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "time column 'frame' claims is_sorted=false but its times are sorted");
}

TEST(TimeColumnTest, CheckedTimeColumnRefusesAFalseRange) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto r = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 1, 2, true, {1, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "time column 'frame' claims range [1, 3] but holds [2, 3]");
  EXPECT_TRUE(
      TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 1, 2, true, {2, 3}).ok());
}

// Regression: a negative offset passed the size check ((offset + length) * 8 <= size) and the
// column read before the buffer.
TEST(TimeColumnTest, CheckedTimeColumnRefusesRowsOutsideTheBuffer) {
  std::vector<int64_t> v = {1, 2, 3};
  auto buffer = arrow::Buffer::copy_of(v.data(), v.size() * 8);
  auto negative =
      TimeColumn::make_checked(Timeline::sequence("frame"), buffer, -1, 1, true, {1, 1});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(),
            "time column 'frame': 1 rows at offset -1 are outside its buffer of 3 times");
  auto past = TimeColumn::make_checked(Timeline::sequence("frame"), buffer, 2, 2, true, {3, 3});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().message(),
            "time column 'frame': 2 rows at offset 2 are outside its buffer of 3 times");
}

TEST(TimeColumnTest, SearchesAgreeWithTheStandardLibrary) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = int(rng() % 200);
    std::vector<int64_t> v(static_cast<size_t>(n));
    const int kind = trial % 3;
    int64_t t = int64_t(rng() % 1000) - 500;
    const int64_t stride = 1 + int64_t(rng() % 7);
    for (auto& x : v) {
      x = t;
      t += kind == 0   ? stride
           : kind == 1 ? int64_t(rng() % 3)
                       : int64_t(rng() % 50);  // even, dups, gaps
    }
    auto c = TimeColumn::sequence("f", v);
    for (int q = 0; q < 50; ++q) {
      int64_t at =
          n ? v[0] - 10 + int64_t(rng() % uint64_t(v.back() - v[0] + 21)) : int64_t(rng() % 10);
      EXPECT_EQ(c.upper_bound(at), std::upper_bound(v.begin(), v.end(), at) - v.begin())
          << "trial " << trial << " at " << at;
      EXPECT_EQ(c.lower_bound(at), std::lower_bound(v.begin(), v.end(), at) - v.begin())
          << "trial " << trial << " at " << at;
    }
  }
}

TEST(TimeFormatTest, EveryKind) {
  EXPECT_EQ(format_time(TimeType::kSequence, -42), "-42");
  EXPECT_EQ(format_time(TimeType::kDuration, 1'500'000'000), "1.500000000s");
  EXPECT_EQ(format_time(TimeType::kDuration, -1'500'000'000), "-1.500000000s");
  EXPECT_EQ(format_time(TimeType::kTimestamp, 0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_time(TimeType::kTimestamp, -1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_time(TimeType::kTimestamp, 1'700'000'000'123'456'789),
            "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(parse_time_type("duration").value(), TimeType::kDuration);
  EXPECT_FALSE(parse_time_type("weeks").ok());
}

}  // namespace
}  // namespace reel
