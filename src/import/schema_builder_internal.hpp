// What the schema parsers share: message types whose fields still name the types they use,
// and the step that turns them into a MessageSchema (names resolved to indices, only the
// types the root reaches kept, well-known time types made scalars, recursion refused).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reel/import/message_schema.hpp"

namespace reel::import::internal {

struct PendingField {
  FieldDef def;
  std::string type_ref;  // the full name of the type used, when def.type.scalar == kMessage
  int line = 0;          // for messages
};

struct PendingType {
  std::string name;
  std::vector<PendingField> fields;
  std::vector<ConstantDef> constants;
};

struct SchemaRules {
  const char* format = "";                  // "ros1msg", for messages
  std::map<std::string, ScalarType> times;  // type names that are kTime / kDuration
  std::vector<PendingType> fallbacks;       // types known when the text omits them
};

Result<MessageSchema> finish_schema(const std::string& root, std::vector<PendingType> types,
                                    const SchemaRules& rules);

// Identifier: a letter or '_', then letters, digits, '_'.
bool is_identifier(std::string_view s);

}  // namespace reel::import::internal
