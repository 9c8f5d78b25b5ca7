// What the concrete MessageDecoders share: the column tree behind MessageDecoder, and how a
// decode error names its place.
#pragma once

#include <string>
#include <vector>

#include "import/column_tree_internal.hpp"
#include "reel/import/message_decoder.hpp"

namespace reel::import {

struct MessageDecoder::Columns {
  internal::ColumnTree tree;
};

namespace internal {

// Where a decode failed: the innermost failure sets `what` and `offset`; each enclosing level
// adds its field name or [index] on the way out.
struct DecodeError {
  size_t offset = 0;
  std::string what;
  std::vector<std::string> path;  // innermost first

  std::string field_path() const {
    std::string s;
    for (size_t i = path.size(); i-- > 0;) {
      if (!s.empty() && path[i][0] != '[') s += '.';
      s += path[i];
    }
    return s;
  }
  Status to_status(size_t message_size) const {
    const std::string where = path.empty() ? "" : "field '" + field_path() + "' ";
    return Status::Corrupt(where + "at byte " + std::to_string(offset) + " of the " +
                           std::to_string(message_size) + "-byte message: " + what);
  }
};

}  // namespace internal

}  // namespace reel::import
