#include "reel/status.hpp"

#include <cstdio>
#include <cstdlib>

namespace reel {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalid:
      return "Invalid";
    case StatusCode::kTypeError:
      return "Type error";
    case StatusCode::kIndexError:
      return "Index error";
    case StatusCode::kIOError:
      return "IO error";
    case StatusCode::kCorrupt:
      return "Corrupt";
    case StatusCode::kNotFound:
      return "Not found";
    case StatusCode::kNotImplemented:
      return "Not implemented";
    case StatusCode::kCapacityError:
      return "Capacity error";
    case StatusCode::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk)
    state_ = std::make_shared<const State>(State{code, std::move(message)});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(status_code_name(code())) + ": " + message();
}

Status Status::with_context(const std::string& context) const {
  if (ok()) return *this;
  return Status(code(), context + ": " + message());
}

namespace internal {
void die_with(const Status& status) {
  std::fprintf(stderr, "reel: value_or_die() on an error: %s\n", status.to_string().c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

}  // namespace reel
