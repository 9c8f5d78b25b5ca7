#include <cstdio>
#include <mutex>

#include "reel/sdk/error_handler.hpp"
#include "sdk/error_handler_internal.hpp"

namespace reel {

namespace {

std::mutex& handler_mutex() {
  static std::mutex m;
  return m;
}
ErrorHandler& handler() {
  static ErrorHandler h;
  return h;
}

void default_handler(const Status& status) {
  std::fprintf(stderr, "reel: %s\n", status.to_string().c_str());
}

}  // namespace

void set_error_handler(ErrorHandler h) {
  std::lock_guard lock(handler_mutex());
  handler() = std::move(h);
}

namespace internal {

void report_error(const Status& status) {
  if (status.ok()) return;
  ErrorHandler h;
  {
    std::lock_guard lock(handler_mutex());
    h = handler();
  }
  h ? h(status) : default_handler(status);
}

}  // namespace internal

}  // namespace reel
