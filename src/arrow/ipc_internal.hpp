// Constants shared by the Arrow IPC writer (ipc.cpp) and reader (ipc_read.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "reel/status.hpp"

namespace reel::arrow::ipc {

namespace fb {
struct Field;
}

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
constexpr int kMaxDepth = 64;
constexpr int16_t kUnionModeDense = 1;  // Schema.fbs UnionMode: Sparse 0, Dense 1

inline size_t pad8(size_t n) { return (n + 7) & ~size_t{7}; }
// n rounded up to a multiple of `alignment` (a power of two).
inline size_t pad_to(size_t n, size_t alignment) { return (n + alignment - 1) & ~(alignment - 1); }

// What a field occupies in a record batch body: field nodes, buffers, and BinaryView/Utf8View
// fields (each adds the variadic buffer count the batch gives it), nested fields included.
struct FieldLayout {
  size_t nodes = 0, buffers = 0, variadic = 0;
};
// The layout of a field from the schema alone (ipc_skip.cpp), for fields reel passes over.
// Fails on a type id reel does not know (its layout is unknown) or a malformed nesting.
Status add_field_layout(const fb::Field* f, int depth, FieldLayout& out);
// The field's type as Arrow names it ("large_utf8", "list<item: date32[day]>", ...).
std::string field_type_name(const fb::Field* f, int depth = 0);

}  // namespace reel::arrow::ipc
