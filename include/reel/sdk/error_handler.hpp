// Where `log` failures go.
//
// `RecordingStream::log` never throws and never aborts: wrong shapes, bad paths, type
// conflicts and sink errors go to the process-wide error handler (default: one line on
// stderr). `try_log` and the other `try_*` calls return the Status instead.
#pragma once

#include <functional>

#include "reel/status.hpp"

namespace reel {

// The handler may be called from any thread, including a stream's batcher thread (for sink
// errors), and from several threads at once. Pass nullptr to restore the default (stderr).
using ErrorHandler = std::function<void(const Status&)>;
void set_error_handler(ErrorHandler handler);

}  // namespace reel
