// gRPC-web framing for Rerun's message proxy (`reel serve` answering the Rerun viewer's
// rerun.sdk_comms.v1alpha1.MessageProxyService/ReadMessages), without sockets.
//
// A gRPC-web body is a sequence of frames: a flag byte (0x00 data, 0x80 trailer; bit 0 would
// mean a compressed message, which reel neither sends nor accepts), a u32 big-endian length,
// then that many bytes: one protobuf message, or for a trailer the HTTP/1-style header lines
// "grpc-status: 0\r\ngrpc-message: ...\r\n". All functions are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/format/rrd.hpp"
#include "reel/status.hpp"

namespace reel::format::grpc_web {

inline constexpr uint8_t kTrailerFlag = 0x80;
inline constexpr uint8_t kCompressedFlag = 0x01;
inline constexpr size_t kFrameHeaderBytes = 5;
inline constexpr std::string_view kReadMessagesPath =
    "/rerun.sdk_comms.v1alpha1.MessageProxyService/ReadMessages";
inline constexpr std::string_view kContentType = "application/grpc-web+proto";

// gRPC status codes reel uses in trailers.
enum class GrpcStatus : int { kOk = 0, kInvalidArgument = 3, kInternal = 13, kUnavailable = 14 };

struct Frame {
  uint8_t flags = 0;
  uint64_t offset = 0;               // of the frame's flag byte in the body
  std::span<const uint8_t> message;  // points into the parsed body
  bool is_trailer() const { return (flags & kTrailerFlag) != 0; }
};

// Splits a whole body into frames. Errors name the byte offset: a truncated frame, a
// compressed frame, unknown flag bits, a length over `max_message_bytes`.
Result<std::vector<Frame>> parse_frames(std::span<const uint8_t> body,
                                        uint64_t max_message_bytes = 64u << 20);

// A ReadMessages request body: one data frame holding a ReadMessagesRequest (empty today).
Status check_read_messages_request(std::span<const uint8_t> body);

void append_data_frame(std::span<const uint8_t> message, std::vector<uint8_t>& out);
// "grpc-status: N" and, when not empty, "grpc-message: <percent-encoded>".
void append_trailer_frame(GrpcStatus status, std::string_view message, std::vector<uint8_t>& out);

// A data frame of ReadMessagesResponse{log_msg: LogMsg{<kind>: body}}, from the body of an .rrd
// message (SetStoreInfo, ArrowMsg or BlueprintActivationCommand: End has no LogMsg form), as
// rrd::encode_*_body produce or an .rrd file holds; the body is not re-encoded.
Status append_read_messages_response(rrd::MessageKind kind, std::span<const uint8_t> body,
                                     std::vector<uint8_t>& out);
// The inverse, for one frame's message: the LogMsg's kind and body.
Result<std::pair<rrd::MessageKind, std::string>> parse_read_messages_response(
    std::span<const uint8_t> message);

// A trailer frame's lines as lower-case names and values (grpc-message percent-decoded).
Result<std::map<std::string, std::string>> parse_trailer(std::span<const uint8_t> message);

// gRPC's encoding of grpc-message: bytes outside printable ASCII, and '%', as %XX.
std::string percent_encode(std::string_view text);
std::string percent_decode(std::string_view text);

}  // namespace reel::format::grpc_web
