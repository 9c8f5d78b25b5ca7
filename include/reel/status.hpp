// Status and Result<T>: how every reel function reports failure.
//
// No exception crosses the library boundary. A function that can fail returns a
// [[nodiscard]] Status (or Result<T> when it also produces a value); callers propagate with
// REEL_RETURN_NOT_OK / REEL_ASSIGN_OR_RETURN. Messages name the place: file and byte
// offset, entity path, column.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace reel {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalid,         // bad argument or bad shape from the API
  kTypeError,       // a column has the wrong Arrow type
  kIndexError,      // an index or offset out of range
  kIOError,         // the operating system failed a read or write
  kCorrupt,         // bytes that do not decode: bad magic, bad length, undecodable message
  kNotFound,        // a file, entity, component or column that does not exist
  kNotImplemented,  // a valid request this version cannot serve
  kCapacityError,   // a size limit would be exceeded
  kCancelled,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return {}; }
  static Status Invalid(std::string msg) { return {StatusCode::kInvalid, std::move(msg)}; }
  static Status TypeError(std::string msg) { return {StatusCode::kTypeError, std::move(msg)}; }
  static Status IndexError(std::string msg) { return {StatusCode::kIndexError, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corrupt(std::string msg) { return {StatusCode::kCorrupt, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status NotImplemented(std::string msg) {
    return {StatusCode::kNotImplemented, std::move(msg)};
  }
  static Status CapacityError(std::string msg) {
    return {StatusCode::kCapacityError, std::move(msg)};
  }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "Invalid: <message>", or "OK".
  std::string to_string() const;

  // A copy whose message is prefixed with `context` ("while reading run.reel: ...").
  Status with_context(const std::string& context) const;

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

namespace internal {
// Prints "reel: value_or_die() on an error: <status>" to stderr and aborts.
[[noreturn]] void die_with(const Status& status);
}  // namespace internal

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : storage_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(storage_).ok() && "Result constructed from an OK status");
  }
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : storage_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(storage_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(storage_); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(storage_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(storage_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(storage_));
  }
  T value_or(T fallback) const& { return ok() ? std::get<T>(storage_) : std::move(fallback); }

  // The value, for results that cannot fail unless reel has a bug (a literal schema, an
  // input checked just before): without one, prints the Status to stderr and aborts, in
  // every build, where value() would be undefined behaviour once asserts are off.
  const T& value_or_die() const& {
    if (!ok()) internal::die_with(std::get<Status>(storage_));
    return std::get<T>(storage_);
  }
  T& value_or_die() & {
    if (!ok()) internal::die_with(std::get<Status>(storage_));
    return std::get<T>(storage_);
  }
  T&& value_or_die() && {
    if (!ok()) internal::die_with(std::get<Status>(storage_));
    return std::get<T>(std::move(storage_));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // Moves the value out; used by REEL_ASSIGN_OR_RETURN.
  T move_value() { return std::get<T>(std::move(storage_)); }

 private:
  std::variant<T, Status> storage_;
};

namespace internal {
inline Status to_status(Status s) { return s; }
template <typename T>
Status to_status(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace reel

#define REEL_CONCAT_IMPL(a, b) a##b
#define REEL_CONCAT(a, b) REEL_CONCAT_IMPL(a, b)

#define REEL_RETURN_NOT_OK(expr)                                 \
  do {                                                           \
    ::reel::Status _reel_st = ::reel::internal::to_status(expr); \
    if (!_reel_st.ok()) return _reel_st;                         \
  } while (false)

#define REEL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  if (!tmp.ok()) return tmp.status();               \
  lhs = tmp.move_value()

#define REEL_ASSIGN_OR_RETURN(lhs, rexpr) \
  REEL_ASSIGN_OR_RETURN_IMPL(REEL_CONCAT(_reel_result_, __LINE__), lhs, rexpr)
