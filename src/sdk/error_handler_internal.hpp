// Where the SDK's failures go when there is no caller to return them to: `log` (as opposed
// to `try_log`), sink errors on the batcher thread, a file sink's footer written on
// destruction. See set_error_handler in reel/sdk/recording_stream.hpp.
#pragma once

#include "reel/status.hpp"

namespace reel::internal {

// Passes a failed status to the installed handler (default: a line on stderr); nothing for OK.
// Thread-safe; the handler runs on the calling thread.
void report_error(const Status& status);

}  // namespace reel::internal
