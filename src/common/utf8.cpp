#include "reel/common/utf8.hpp"

#include <cstdio>

namespace reel::utf8 {

namespace {

// Length of the well-formed sequence starting at text[i], or 0 (Unicode 15, table 3-7).
size_t sequence_length(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return uint8_t(text[i + k]); };
  const size_t left = text.size() - i;
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    return k < left && b(k) >= lo && b(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

std::optional<size_t> first_invalid(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // ASCII runs, 8 bytes at a time.
    while (i + 8 <= text.size()) {
      uint64_t word = 0;
      for (size_t k = 0; k < 8; ++k) word |= uint64_t(uint8_t(text[i + k])) << (8 * k);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= text.size()) break;
    const size_t n = sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string describe_invalid(std::string_view text, size_t at) {
  std::string shown;
  const size_t limit = 64;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const uint8_t c = uint8_t(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      shown += char(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      shown += hex;
    }
  }
  if (text.size() > limit) shown += "...";
  return "invalid UTF-8 at byte " + std::to_string(at) + " of \"" + shown + "\"";
}

std::string replace_invalid(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace reel::utf8
