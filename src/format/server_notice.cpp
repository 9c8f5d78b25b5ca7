// Server notices (reel/format/server_notice.hpp): framed like recording messages, kind 5.
#include "reel/format/server_notice.hpp"

#include <cstring>
#include <nlohmann/json.hpp>

#include "format/codec_internal.hpp"
#include "format/crc32c.hpp"
#include "reel/common/utf8.hpp"

namespace reel::format {

namespace {

// A notice is a line or two of text: anything longer is not one.
constexpr uint64_t kMaxNoticeBytes = 64 * 1024;

}  // namespace

std::vector<uint8_t> encode_server_notice(const ServerNotice& notice) {
  nlohmann::json j = {{"code", utf8::replace_invalid(notice.code)},
                      {"message", utf8::replace_invalid(notice.message)},
                      {"closing", notice.closing}};
  std::string text = j.dump();
  if (text.size() > kMaxNoticeBytes) {
    j["message"] = utf8::replace_invalid(notice.message.substr(0, kMaxNoticeBytes / 2));
    text = j.dump();
  }
  // Sized once and copied into (not insert(): GCC 12 reports a false -Warray-bounds there).
  std::vector<uint8_t> out(kMessageHeaderBytes + text.size());
  std::memcpy(out.data() + kMessageHeaderBytes, text.data(), text.size());
  uint8_t* h = out.data();
  h[0] = kServerNoticeKind;
  h[1] = uint8_t(Compression::kNone);
  internal::put_u16(h + 2, 0);
  internal::put_u32(h + 4, crc32c(h + kMessageHeaderBytes, text.size()));
  internal::put_u64(h + 8, text.size());
  internal::put_u64(h + 16, text.size());
  return out;
}

void ServerNoticeDecoder::append(std::span<const uint8_t> bytes) {
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<ServerNotice>> ServerNoticeDecoder::next() {
  const size_t left = buffer_.size() - pos_;
  if (left < kMessageHeaderBytes) return std::optional<ServerNotice>();
  const uint8_t* p = buffer_.data() + pos_;
  const std::string where = "server notice at byte " + std::to_string(offset_);
  if (p[0] != kServerNoticeKind || p[1] != uint8_t(Compression::kNone) ||
      internal::get_u16(p + 2) != 0) {
    return Status::Corrupt(where + ": not a server notice (kind " + std::to_string(p[0]) + ")");
  }
  const uint64_t payload = internal::get_u64(p + 8);
  if (payload != internal::get_u64(p + 16) || payload > kMaxNoticeBytes) {
    return Status::Corrupt(where + ": bad length " + std::to_string(payload));
  }
  if (left < kMessageHeaderBytes + payload) return std::optional<ServerNotice>();
  const uint8_t* body = p + kMessageHeaderBytes;
  if (crc32c(body, size_t(payload)) != internal::get_u32(p + 4)) {
    return Status::Corrupt(where + ": checksum mismatch");
  }
  auto j = nlohmann::json::parse(body, body + payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("code") || !j["code"].is_string() ||
      !j.contains("message") || !j["message"].is_string()) {
    return Status::Corrupt(where + ": not a notice object");
  }
  ServerNotice n;
  n.code = j["code"].get<std::string>();
  n.message = j["message"].get<std::string>();
  n.closing = j.contains("closing") && j["closing"].is_boolean() && j["closing"].get<bool>();
  pos_ += kMessageHeaderBytes + size_t(payload);
  offset_ += kMessageHeaderBytes + payload;
  return std::optional<ServerNotice>(std::move(n));
}

}  // namespace reel::format
