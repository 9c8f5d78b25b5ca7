#include "server/decode_budget_internal.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace reel::server::internal {
namespace {

using std::chrono::milliseconds;

TEST(DecodeBudgetTest, DefaultIsAQuarterOfTheMemoryLimit) {
  EXPECT_EQ(DecodeBudget::default_capacity(0), 0u);
  EXPECT_EQ(DecodeBudget::default_capacity(200'000'000), 50'000'000u);
  EXPECT_EQ(DecodeBudget::default_capacity(10'000'000), 16u << 20);
  // A zstd message of 529 KB declaring 200 MiB: stored + payload + the chunk copied out.
  EXPECT_EQ(DecodeBudget::message_cost(529'000, 200ull << 20, true), 529'000 + (400ull << 20));
  EXPECT_EQ(DecodeBudget::message_cost(1000, 1000, false), 2000u);
}

TEST(DecodeBudgetTest, MoreThanTheWholeBudgetIsRefusedAtOnce) {
  DecodeBudget budget(50'000'000);
  Status st =
      budget.acquire(DecodeBudget::message_cost(529'000, 200ull << 20, true), milliseconds(60'000));
  ASSERT_EQ(st.code(), StatusCode::kCapacityError);
  EXPECT_EQ(st.message(),
            "decoding it needs 419959400 bytes, more than the server's decode budget of 50000000 "
            "bytes (a quarter of --memory-limit)");
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(DecodeBudgetTest, AMessageThatDoesNotFitWaitsForTheOthers) {
  DecodeBudget budget(100);
  ASSERT_TRUE(budget.acquire(70, milliseconds(0)).ok());
  // Does not fit and nobody gives back: refused after the wait.
  Status st = budget.acquire(40, milliseconds(1));
  EXPECT_EQ(st.code(), StatusCode::kCapacityError) << st.to_string();
  // Fits once the first is given back.
  std::thread other([&] { budget.release(70); });
  EXPECT_TRUE(budget.acquire(40, milliseconds(600'000)).ok());
  other.join();
  EXPECT_EQ(budget.in_use(), 40u);
  EXPECT_EQ(budget.peak(), 70u);
  { DecodeReservation r(&budget, 0); }
  budget.release(40);
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(DecodeBudgetTest, ZeroIsUnlimited) {
  DecodeBudget budget(0);
  EXPECT_TRUE(budget.acquire(1ull << 40, milliseconds(0)).ok());
  EXPECT_EQ(budget.peak(), 1ull << 40);
}

}  // namespace
}  // namespace reel::server::internal
