// Status and Result<T>: codes and messages as callers print them, propagation through
// REEL_RETURN_NOT_OK / REEL_ASSIGN_OR_RETURN, values moved rather than copied, and
// value_or_die() aborting with the Status text.
#include "reel/status.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace reel {
namespace {

TEST(StatusTest, DefaultIsOkWithNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.to_string(), "OK");
  EXPECT_EQ(s, Status::OK());
}

TEST(StatusTest, EachFactoryGivesItsCodeAndMessage) {
  const std::vector<std::pair<Status, StatusCode>> cases = {
      {Status::Invalid("m"), StatusCode::kInvalid},
      {Status::TypeError("m"), StatusCode::kTypeError},
      {Status::IndexError("m"), StatusCode::kIndexError},
      {Status::IOError("m"), StatusCode::kIOError},
      {Status::Corrupt("m"), StatusCode::kCorrupt},
      {Status::NotFound("m"), StatusCode::kNotFound},
      {Status::NotImplemented("m"), StatusCode::kNotImplemented},
      {Status::CapacityError("m"), StatusCode::kCapacityError},
      {Status::Cancelled("m"), StatusCode::kCancelled},
  };
  for (const auto& [status, code] : cases) {
    EXPECT_FALSE(status.ok()) << status_code_name(code);
    EXPECT_EQ(status.code(), code) << status_code_name(code);
    EXPECT_EQ(status.message(), "m") << status_code_name(code);
  }
}

TEST(StatusTest, CodeNamesAsPrinted) {
  EXPECT_STREQ(status_code_name(StatusCode::kOk), "OK");
  EXPECT_STREQ(status_code_name(StatusCode::kInvalid), "Invalid");
  EXPECT_STREQ(status_code_name(StatusCode::kTypeError), "Type error");
  EXPECT_STREQ(status_code_name(StatusCode::kIndexError), "Index error");
  EXPECT_STREQ(status_code_name(StatusCode::kIOError), "IO error");
  EXPECT_STREQ(status_code_name(StatusCode::kCorrupt), "Corrupt");
  EXPECT_STREQ(status_code_name(StatusCode::kNotFound), "Not found");
  EXPECT_STREQ(status_code_name(StatusCode::kNotImplemented), "Not implemented");
  EXPECT_STREQ(status_code_name(StatusCode::kCapacityError), "Capacity error");
  EXPECT_STREQ(status_code_name(StatusCode::kCancelled), "Cancelled");
}

TEST(StatusTest, ToStringIsCodeNameColonMessage) {
  EXPECT_EQ(Status::Corrupt("run.reel at byte 1024: bad magic").to_string(),
            "Corrupt: run.reel at byte 1024: bad magic");
  EXPECT_EQ(Status::NotFound("").to_string(), "Not found: ");
}

TEST(StatusTest, OkCodeWithAMessageIsPlainOk) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s, Status::OK());
}

TEST(StatusTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  Status inner = Status::IOError("short read at byte 12");
  Status outer = inner.with_context("reading run.reel");
  EXPECT_EQ(outer.code(), StatusCode::kIOError);
  EXPECT_EQ(outer.message(), "reading run.reel: short read at byte 12");
  EXPECT_EQ(inner.message(), "short read at byte 12");  // the original is unchanged
  EXPECT_TRUE(Status::OK().with_context("reading run.reel").ok());
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status::Invalid("a"), Status::Invalid("a"));
  EXPECT_FALSE(Status::Invalid("a") == Status::Invalid("b"));
  EXPECT_FALSE(Status::Invalid("a") == Status::Corrupt("a"));
  EXPECT_FALSE(Status::Invalid("") == Status::OK());
}

TEST(StatusTest, CopiesAndMovesKeepTheError) {
  Status a = Status::Corrupt("x");
  Status copy = a;
  EXPECT_EQ(copy, a);
  Status moved = std::move(copy);
  EXPECT_EQ(moved.code(), StatusCode::kCorrupt);
  EXPECT_EQ(moved.message(), "x");
  EXPECT_EQ(a.message(), "x");
}

// Result<T> -----------------------------------------------------------------------------

TEST(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(r.value_or(7), 42);
  r.value() = 43;  // value() & is a reference into the result
  EXPECT_EQ(*r, 43);
}

TEST(ResultTest, HoldsAnError) {
  Result<int> r = Status::NotFound("no entity /world/robot");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no entity /world/robot");
  EXPECT_EQ(r.value_or(7), 7);
}

TEST(ResultTest, ConvertsValuesToT) {
  Result<std::string> s = "a literal";
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "a literal");
  EXPECT_EQ(s->size(), 9u);

  struct Base {
    virtual ~Base() = default;
    virtual int id() const { return 1; }
  };
  struct Derived : Base {
    int id() const override { return 2; }
  };
  Result<std::unique_ptr<Base>> p = std::make_unique<Derived>();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->id(), 2);
}

TEST(ResultTest, MovesAMoveOnlyValueOut) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> a = std::move(r).value();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, 5);

  Result<std::unique_ptr<int>> r2 = std::make_unique<int>(6);
  std::unique_ptr<int> b = r2.move_value();
  EXPECT_EQ(*b, 6);

  Result<std::unique_ptr<int>> r3 = std::make_unique<int>(7);
  std::unique_ptr<int> c = *std::move(r3);
  EXPECT_EQ(*c, 7);
}

TEST(ResultTest, MovingAResultKeepsItsValueOrError) {
  Result<std::vector<int>> v = std::vector<int>{1, 2, 3};
  Result<std::vector<int>> moved = std::move(v);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, (std::vector<int>{1, 2, 3}));

  Result<std::vector<int>> e = Status::CapacityError("over 4 GiB");
  Result<std::vector<int>> moved_e = std::move(e);
  EXPECT_EQ(moved_e.status(), Status::CapacityError("over 4 GiB"));
}

// Propagation -----------------------------------------------------------------------------

Status fail_if(bool fail, int* calls) {
  ++*calls;
  return fail ? Status::Invalid("step " + std::to_string(*calls) + " failed") : Status::OK();
}

Result<int> parse(const std::string& s, int* calls) {
  ++*calls;
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    return Status::Invalid("not a number: '" + s + "'");
  return std::stoi(s);
}

Status three_steps(bool fail_second, int* calls) {
  REEL_RETURN_NOT_OK(fail_if(false, calls));
  REEL_RETURN_NOT_OK(fail_if(fail_second, calls));
  REEL_RETURN_NOT_OK(fail_if(false, calls));
  return Status::OK();
}

TEST(PropagationTest, ReturnNotOkReturnsTheFirstErrorAndStops) {
  int calls = 0;
  EXPECT_TRUE(three_steps(false, &calls).ok());
  EXPECT_EQ(calls, 3);
  calls = 0;
  EXPECT_EQ(three_steps(true, &calls), Status::Invalid("step 2 failed"));
  EXPECT_EQ(calls, 2);  // the third step did not run
}

Status check_number(const std::string& s, int* calls) {
  REEL_RETURN_NOT_OK(parse(s, calls));  // a Result's status
  return Status::OK();
}

TEST(PropagationTest, ReturnNotOkTakesAResult) {
  int calls = 0;
  EXPECT_TRUE(check_number("12", &calls).ok());
  EXPECT_EQ(check_number("1x", &calls), Status::Invalid("not a number: '1x'"));
  EXPECT_EQ(calls, 2);
}

Result<int> sum(const std::string& a, const std::string& b, int* calls) {
  REEL_ASSIGN_OR_RETURN(int x, parse(a, calls));
  int y = 0;
  REEL_ASSIGN_OR_RETURN(y, parse(b, calls));  // into an existing variable
  return x + y;
}

TEST(PropagationTest, AssignOrReturnAssignsOrReturnsTheError) {
  int calls = 0;
  Result<int> r = sum("20", "22", &calls);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 2);  // each expression evaluated once

  calls = 0;
  EXPECT_EQ(sum("x", "22", &calls).status(), Status::Invalid("not a number: 'x'"));
  EXPECT_EQ(calls, 1);  // stopped at the first
  calls = 0;
  EXPECT_EQ(sum("20", "", &calls).status(), Status::Invalid("not a number: ''"));
  EXPECT_EQ(calls, 2);
}

Result<std::unique_ptr<int>> make_box(int v) {
  if (v < 0) return Status::IndexError("negative: " + std::to_string(v));
  return std::make_unique<int>(v);
}

Result<int> unbox_twice(int a, int b) {
  REEL_ASSIGN_OR_RETURN(auto first, make_box(a));  // move-only: moved out, not copied
  REEL_ASSIGN_OR_RETURN(auto second, make_box(b));
  return *first + *second;
}

TEST(PropagationTest, AssignOrReturnMovesMoveOnlyValues) {
  EXPECT_EQ(unbox_twice(1, 2).value(), 3);
  EXPECT_EQ(unbox_twice(1, -2).status(), Status::IndexError("negative: -2"));
}

Status into_status(const std::string& s, int* out, int* calls) {
  REEL_ASSIGN_OR_RETURN(*out, parse(s, calls));  // in a function returning Status
  return Status::OK();
}

TEST(PropagationTest, AssignOrReturnInAFunctionReturningStatus) {
  int calls = 0, out = 0;
  EXPECT_TRUE(into_status("9", &out, &calls).ok());
  EXPECT_EQ(out, 9);
  EXPECT_EQ(into_status("-", &out, &calls), Status::Invalid("not a number: '-'"));
  EXPECT_EQ(out, 9);
}

// value_or_die ----------------------------------------------------------------------------

TEST(ResultTest, ValueOrDieGivesTheValue) {
  Result<std::string> r = std::string("kept");
  EXPECT_EQ(r.value_or_die(), "kept");
  const Result<std::string>& cr = r;
  EXPECT_EQ(&cr.value_or_die(), &r.value());  // a reference, not a copy
  Result<std::unique_ptr<int>> m = std::make_unique<int>(3);
  std::unique_ptr<int> p = std::move(m).value_or_die();
  EXPECT_EQ(*p, 3);
}

TEST(ResultDeathTest, ValueOrDieAbortsPrintingTheStatus) {
  Result<int> r = Status::Corrupt("run.reel at byte 4096: bad chunk length");
  EXPECT_DEATH((void)r.value_or_die(),
               "reel: value_or_die\\(\\) on an error: Corrupt: run.reel at byte 4096: bad chunk "
               "length");
  Result<std::unique_ptr<int>> m = Status::NotFound("no column /b:Scalars:scalars");
  EXPECT_DEATH((void)std::move(m).value_or_die(),
               "on an error: Not found: no column /b:Scalars:scalars");
}

}  // namespace
}  // namespace reel
