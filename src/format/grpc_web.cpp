// gRPC-web frames and the ReadMessagesResponse wrapping of .rrd message bodies.
#include "reel/format/grpc_web.hpp"

#include <cctype>
#include <climits>
#include <cstdio>

#include <google/protobuf/stubs/logging.h>

#include "rerun/v1alpha1/sdk_comms.pb.h"

namespace reel::format::grpc_web {

namespace {

void put_u32_be(uint32_t v, std::vector<uint8_t>& out) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

void put_varint(uint64_t v, std::vector<uint8_t>& out) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}

size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

constexpr uint8_t kLengthDelimited = 2;

}  // namespace

Result<std::vector<Frame>> parse_frames(std::span<const uint8_t> body, uint64_t max_message_bytes) {
  std::vector<Frame> frames;
  size_t at = 0;
  while (at < body.size()) {
    const std::string where = "gRPC-web frame at byte " + std::to_string(at);
    if (body.size() - at < kFrameHeaderBytes) {
      return Status::Corrupt(where + ": truncated frame header (" +
                             std::to_string(body.size() - at) + " of 5 bytes)");
    }
    const uint8_t flags = body[at];
    if (flags & kCompressedFlag) {
      return Status::NotImplemented(where + ": compressed messages are not supported");
    }
    if (flags & ~(kTrailerFlag | kCompressedFlag)) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", flags);
      return Status::Corrupt(where + ": unknown flags " + hex);
    }
    const uint64_t len = (uint64_t(body[at + 1]) << 24) | (uint64_t(body[at + 2]) << 16) |
                         (uint64_t(body[at + 3]) << 8) | uint64_t(body[at + 4]);
    if (len > max_message_bytes) {
      return Status::Corrupt(where + ": length " + std::to_string(len) + " is over the limit of " +
                             std::to_string(max_message_bytes));
    }
    if (len > body.size() - at - kFrameHeaderBytes) {
      return Status::Corrupt(where + ": length " + std::to_string(len) + " runs past the body's " +
                             std::to_string(body.size()) + " bytes");
    }
    frames.push_back({flags, at, body.subspan(at + kFrameHeaderBytes, size_t(len))});
    at += kFrameHeaderBytes + size_t(len);
  }
  return frames;
}

Status check_read_messages_request(std::span<const uint8_t> body) {
  REEL_ASSIGN_OR_RETURN(auto frames, parse_frames(body, 1u << 20));
  if (frames.size() != 1 || frames[0].is_trailer()) {
    return Status::Invalid("ReadMessages request: expected one data frame, got " +
                           std::to_string(frames.size()) + " frames");
  }
  ::rerun::sdk_comms::v1alpha1::ReadMessagesRequest request;
  google::protobuf::LogSilencer silencer;  // reel reports bad input itself
  const auto& m = frames[0].message;
  if (!request.ParseFromArray(m.data(), int(m.size()))) {
    return Status::Invalid("ReadMessages request: the message does not parse");
  }
  return Status::OK();
}

void append_data_frame(std::span<const uint8_t> message, std::vector<uint8_t>& out) {
  out.push_back(0);
  put_u32_be(uint32_t(message.size()), out);
  out.insert(out.end(), message.begin(), message.end());
}

void append_trailer_frame(GrpcStatus status, std::string_view message, std::vector<uint8_t>& out) {
  std::string text = "grpc-status: " + std::to_string(int(status)) + "\r\n";
  if (!message.empty()) text += "grpc-message: " + percent_encode(message) + "\r\n";
  out.push_back(kTrailerFlag);
  put_u32_be(uint32_t(text.size()), out);
  out.insert(out.end(), text.begin(), text.end());
}

Status append_read_messages_response(rrd::MessageKind kind, std::span<const uint8_t> body,
                                     std::vector<uint8_t>& out) {
  if (kind == rrd::MessageKind::kEnd || uint64_t(kind) > 3) {
    return Status::Invalid(std::string("a ") + rrd::message_kind_name(kind) +
                           " message has no LogMsg form");
  }
  // LogMsg{<kind> = body}: the oneof's field number is the .rrd message kind.
  const uint64_t log_msg_bytes = 1 + varint_size(body.size()) + body.size();
  const uint64_t response_bytes = 1 + varint_size(log_msg_bytes) + log_msg_bytes;
  if (response_bytes > uint64_t(UINT32_MAX)) {
    return Status::CapacityError("ReadMessagesResponse of " + std::to_string(response_bytes) +
                                 " bytes does not fit a gRPC-web frame");
  }
  out.reserve(out.size() + kFrameHeaderBytes + size_t(response_bytes));
  out.push_back(0);
  put_u32_be(uint32_t(response_bytes), out);
  out.push_back(uint8_t((1 << 3) | kLengthDelimited));  // ReadMessagesResponse.log_msg = 1
  put_varint(log_msg_bytes, out);
  out.push_back(uint8_t((uint64_t(kind) << 3) | kLengthDelimited));
  put_varint(body.size(), out);
  out.insert(out.end(), body.begin(), body.end());
  return Status::OK();
}

Result<std::pair<rrd::MessageKind, std::string>> parse_read_messages_response(
    std::span<const uint8_t> message) {
  namespace pb = ::rerun::log_msg::v1alpha1;
  ::rerun::sdk_comms::v1alpha1::ReadMessagesResponse response;
  google::protobuf::LogSilencer silencer;  // reel reports bad input itself
  if (message.size() > size_t(INT_MAX) ||
      !response.ParseFromArray(message.data(), int(message.size()))) {
    return Status::Corrupt("ReadMessagesResponse does not parse");
  }
  const pb::LogMsg& log_msg = response.log_msg();
  switch (log_msg.msg_case()) {
    case pb::LogMsg::kSetStoreInfo:
      return std::make_pair(rrd::MessageKind::kSetStoreInfo,
                            log_msg.set_store_info().SerializeAsString());
    case pb::LogMsg::kArrowMsg:
      return std::make_pair(rrd::MessageKind::kArrowMsg, log_msg.arrow_msg().SerializeAsString());
    case pb::LogMsg::kBlueprintActivationCommand:
      return std::make_pair(rrd::MessageKind::kBlueprintActivationCommand,
                            log_msg.blueprint_activation_command().SerializeAsString());
    case pb::LogMsg::MSG_NOT_SET:
      break;
  }
  return Status::Corrupt("ReadMessagesResponse without a LogMsg");
}

Result<std::map<std::string, std::string>> parse_trailer(std::span<const uint8_t> message) {
  std::map<std::string, std::string> out;
  const std::string_view text(reinterpret_cast<const char*>(message.data()), message.size());
  size_t at = 0;
  while (at < text.size()) {
    size_t eol = text.find("\r\n", at);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(at, eol - at);
    at = eol + 2;
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Status::Corrupt("gRPC-web trailer line without ':': " + std::string(line));
    }
    std::string name(line.substr(0, colon));
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out[name] = name == "grpc-message" ? percent_decode(value) : std::string(value);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7E && c != '%') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += char(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace reel::format::grpc_web
