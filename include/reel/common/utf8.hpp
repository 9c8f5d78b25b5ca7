// UTF-8 validation: names (application and recording ids, entity paths, timelines,
// component descriptors) are UTF-8 everywhere reel stores or writes them (JSON messages,
// Arrow IPC metadata, the viewer), so they are checked where they enter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace reel::utf8 {

// The offset of the first byte that does not begin a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are not well-formed), or nullopt.
std::optional<size_t> first_invalid(std::string_view text);

inline bool is_valid(std::string_view text) { return !first_invalid(text).has_value(); }

// "invalid UTF-8 at byte 3 of \"ab\\xff...\"": the text with bad bytes shown as \xNN.
std::string describe_invalid(std::string_view text, size_t at);

// `text` with every ill-formed sequence replaced by U+FFFD (for output that must be UTF-8).
std::string replace_invalid(std::string_view text);

}  // namespace reel::utf8
