// Server notices: the one message a `reel serve` sends back to an SDK on its ingest
// connection, saying why it refused a chunk or is closing the connection
// (docs/file-format.md, "Server notices"). It is framed like a recording's messages but is
// never valid in a recording: every recording reader refuses its kind.
//
// Thread safety: a ServerNoticeDecoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reel/status.hpp"

namespace reel::format {

// The message kind of a server notice (kinds 1-4 are the recording's).
inline constexpr uint8_t kServerNoticeKind = 5;

struct ServerNotice {
  // What happened, for programs: "busy" (every ingest slot is taken), "idle" (closed to make
  // room for a new client), "stalled" (no byte for too long inside a message), "bad_stream"
  // (the bytes are not a reel recording, or corrupt), "too_large" (a message over what the
  // server takes), "chunk_refused" (the store refused a chunk, e.g. a timeline type
  // conflict), "shutdown" (the server stops). Readers treat other codes alike.
  std::string code;
  // One line for a person, naming what was refused and why.
  std::string message;
  // The server closes the connection after this notice (else the connection goes on).
  bool closing = false;
};

// The notice as one message: 24-byte message header (kind 5, no compression) + UTF-8 JSON
// {"code": str, "message": str, "closing": bool}.
std::vector<uint8_t> encode_server_notice(const ServerNotice& notice);

// Decodes the notices of a server-to-client byte stream, incrementally.
class ServerNoticeDecoder {
 public:
  void append(std::span<const uint8_t> bytes);
  // The next complete notice; nullopt until one has arrived whole. An error (a message that
  // is not a notice, a bad checksum, bad JSON) means the stream cannot be decoded further.
  Result<std::optional<ServerNotice>> next();
  // Bytes received and not yet decoded.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  std::vector<uint8_t> buffer_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;  // of buffer_[pos_] in the stream
};

}  // namespace reel::format
