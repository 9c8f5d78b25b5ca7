// Arrays in the Arrow columnar layout.
//
// `ArrayData` is the physical description of one array, as in the Arrow spec: a type, a
// length, an offset into the buffers (for zero-copy slices), a null count, the buffers
// (validity bitmap first, then offsets/values as the layout says) and child arrays.
// Buffers per type:
//   null                 : (none)
//   bool, primitives     : [validity, values]
//   fixed_size_binary    : [validity, values]
//   utf8, binary         : [validity, offsets (i32, length+1), data]
//   list                 : [validity, offsets (i32, length+1)], child: values
//   fixed_size_list      : [validity], child: values (length * list_size)
//   struct               : [validity], children: one per field
// A null validity buffer means "all valid". ArrayData is immutable once built and shared by
// `ArrayPtr`; `Array` and its typed subclasses are cheap views with accessors.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/buffer.hpp"
#include "reel/arrow/type.hpp"
#include "reel/status.hpp"

namespace reel::arrow {

struct ArrayData;
using ArrayPtr = std::shared_ptr<const ArrayData>;

struct ArrayData {
  TypePtr type;
  int64_t length = 0;
  int64_t offset = 0;
  int64_t null_count = 0;
  std::vector<BufferPtr> buffers;
  std::vector<ArrayPtr> children;

  bool is_valid(int64_t i) const {
    return null_count == 0 || buffers.empty() || !buffers[0] ||
           bit_util::get_bit(buffers[0]->data(), offset + i);
  }
  bool is_null(int64_t i) const { return !is_valid(i); }

  // Typed pointer to buffer `b`, already advanced by `offset` elements.
  template <typename T>
  const T* values(size_t b = 1) const {
    return buffers[b]->data_as<T>() + offset;
  }

  // An array in one expression: `buffers` and `children` as the table above lists them for
  // `type` (null validity = all valid). The shape, how many buffers and children the type's
  // layout has, is always checked: a wrong one is a bug in the caller and aborts with a
  // message naming the type. The contents (buffer sizes, offsets, null_count against the
  // bitmap) are not: validate() arrays built from outside data.
  static ArrayPtr make(TypePtr type, int64_t length, int64_t null_count,
                       std::vector<BufferPtr> buffers, std::vector<ArrayPtr> children = {},
                       int64_t offset = 0);

  // Zero-copy slice [start, start+len) (clamped to the array); null_count is recomputed.
  ArrayPtr slice(int64_t start, int64_t len) const;
  // Heap bytes referenced (buffers counted once within this array).
  size_t memory_bytes() const;
  // Adds every distinct buffer memory key with its size to `out` (for shared accounting).
  void collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const;
};

// Checks the layout invariants (buffer counts and sizes, offsets monotonic and in bounds,
// child lengths, null_count). `full` also checks every offset and UTF-8 validity.
Status validate(const ArrayData& array, bool full = true);

// Deep logical equality: same type, length, validity and values (slices compare by content).
bool array_equals(const ArrayData& a, const ArrayData& b);
inline bool array_equals(const ArrayPtr& a, const ArrayPtr& b) {
  return a == b || (a && b && array_equals(*a, *b));
}

// New array with the arrays' values one after another. All must share one type. A single
// array is returned as is; concatenate_copy always copies into new buffers.
Result<ArrayPtr> concatenate(std::span<const ArrayPtr> arrays);
Result<ArrayPtr> concatenate_copy(std::span<const ArrayPtr> arrays);
// A deep copy into new, exactly sized buffers (offset 0): drops references to larger shared
// buffers the array was sliced from.
ArrayPtr copy_array(const ArrayPtr& array);
// take: a new array whose value i is the value at indices[i] of `array` (any order, repeats
// allowed), or null where indices[i] is kNullIndex. Null rows made by kNullIndex hold zero or
// empty placeholders (fixed-size lists and struct fields get valid placeholder children); null
// source values stay null. Other negative or too large indices: IndexError. `array` must be
// valid (validate()); slices are taken by their logical rows.
inline constexpr int64_t kNullIndex = -1;
Result<ArrayPtr> take(const ArrayData& array, std::span<const int64_t> indices);
// The same over several arrays of one type (a column's chunks) as if they were concatenated:
// row k of arrays[j] is index (arrays[0].length + ... + arrays[j-1].length) + k. Nothing is
// concatenated; runs of consecutive indices are copied in bulk. Arrays of different types:
// TypeError.
Result<ArrayPtr> take(std::span<const ArrayPtr> arrays, std::span<const int64_t> indices);
// An array of `length` nulls of `type`.
ArrayPtr make_null_array(const TypePtr& type, int64_t length);
// Debug form: "[1, 2, null]".
std::string array_to_string(const ArrayData& array, int64_t max_values = 20);

// ---------------------------------------------------------------------------------------
// Typed views. Construction does not copy; the view keeps the ArrayData alive.

class Array {
 public:
  Array() = default;
  explicit Array(ArrayPtr data) : data_(std::move(data)) {}
  const ArrayPtr& data() const { return data_; }
  const TypePtr& type() const { return data_->type; }
  int64_t length() const { return data_->length; }
  int64_t null_count() const { return data_->null_count; }
  bool is_valid(int64_t i) const { return data_->is_valid(i); }
  bool is_null(int64_t i) const { return data_->is_null(i); }

 protected:
  ArrayPtr data_;
};

template <typename T>
class PrimitiveArray : public Array {
 public:
  using Array::Array;
  const T* raw_values() const { return data_->values<T>(1); }
  T value(int64_t i) const { return raw_values()[i]; }
  std::span<const T> values() const { return {raw_values(), size_t(length())}; }
};

class BooleanArray : public Array {
 public:
  using Array::Array;
  bool value(int64_t i) const {
    return bit_util::get_bit(data_->buffers[1]->data(), data_->offset + i);
  }
};

class BinaryArray : public Array {  // utf8 and binary
 public:
  using Array::Array;
  const int32_t* raw_offsets() const { return data_->values<int32_t>(1); }
  std::string_view value(int64_t i) const {
    const int32_t* o = raw_offsets();
    return {reinterpret_cast<const char*>(data_->buffers[2]->data()) + o[i],
            size_t(o[i + 1] - o[i])};
  }
};
using StringArray = BinaryArray;

class FixedSizeBinaryArray : public Array {
 public:
  using Array::Array;
  int32_t byte_width() const { return type()->byte_width(); }
  const uint8_t* value(int64_t i) const {
    return data_->buffers[1]->data() + (data_->offset + i) * byte_width();
  }
};

class ListArray : public Array {
 public:
  using Array::Array;
  const int32_t* raw_offsets() const { return data_->values<int32_t>(1); }
  int32_t value_offset(int64_t i) const { return raw_offsets()[i]; }
  int32_t value_length(int64_t i) const { return raw_offsets()[i + 1] - raw_offsets()[i]; }
  // The child array (not sliced: index it with value_offset).
  const ArrayPtr& values() const { return data_->children[0]; }
  // The values of entry i as a zero-copy slice of the child.
  ArrayPtr value_slice(int64_t i) const;
};

class FixedSizeListArray : public Array {
 public:
  using Array::Array;
  int32_t list_size() const { return type()->list_size(); }
  int64_t value_offset(int64_t i) const { return (data_->offset + i) * list_size(); }
  const ArrayPtr& values() const { return data_->children[0]; }
};

class StructArray : public Array {
 public:
  using Array::Array;
  int num_fields() const { return int(data_->children.size()); }
  // Field i, sliced to this array's offset and length.
  ArrayPtr field(int i) const;
  ArrayPtr field(std::string_view name) const;  // null if absent
};

// ---------------------------------------------------------------------------------------
// Builders. Append values, then `finish()` once; a builder is single-threaded.

class ArrayBuilder {
 public:
  virtual ~ArrayBuilder() = default;
  explicit ArrayBuilder(TypePtr type) : type_(std::move(type)) {}
  const TypePtr& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  virtual void append_null() = 0;
  // A valid placeholder value (zero / empty) where the type has one; used under a null
  // parent so that non-nullable children stay free of nulls.
  virtual void append_default() { append_null(); }
  void append_nulls(int64_t n) {
    for (int64_t i = 0; i < n; ++i) append_null();
  }
  virtual ArrayPtr finish() = 0;
  void reserve_validity(int64_t n);

 protected:
  void append_validity(bool valid);
  BufferPtr finish_validity();
  TypePtr type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  MutableBuffer validity_;  // materialized lazily at the first null
};

template <typename T>
class PrimitiveBuilder final : public ArrayBuilder {
 public:
  PrimitiveBuilder() : ArrayBuilder(TypeTraits<T>::type()) {}
  void reserve(int64_t n) { values_.reserve(size_t(n) * sizeof(T)); }
  void append(T v) {
    append_validity(true);
    values_.append_value(v);
  }
  void append_values(std::span<const T> v) {
    for (size_t i = 0; i < v.size(); ++i) append_validity(true);
    values_.append(v.data(), v.size_bytes());
  }
  void append_null() override {
    append_validity(false);
    values_.append_value(T{});
  }
  void append_default() override { append(T{}); }
  ArrayPtr finish() override;

 private:
  MutableBuffer values_;
};

class BooleanBuilder final : public ArrayBuilder {
 public:
  BooleanBuilder() : ArrayBuilder(boolean()) {}
  void append(bool v);
  void append_null() override;
  ArrayPtr finish() override;

 private:
  MutableBuffer bits_;
};

class BinaryBuilder final : public ArrayBuilder {  // utf8 or binary
 public:
  explicit BinaryBuilder(TypePtr type = utf8());
  void append(std::string_view v);
  void append(const void* data, size_t n) {
    append(std::string_view(static_cast<const char*>(data), n));
  }
  void append_null() override;
  ArrayPtr finish() override;

 private:
  MutableBuffer offsets_;
  MutableBuffer data_;
};

class FixedSizeBinaryBuilder final : public ArrayBuilder {
 public:
  explicit FixedSizeBinaryBuilder(int32_t byte_width);
  void append(const void* bytes);  // byte_width bytes
  void append_null() override;
  ArrayPtr finish() override;

 private:
  int32_t width_;
  MutableBuffer values_;
};

// list<child>: call `start_value()`, append to `child()`, then `end_value()`; or
// `append_length(n)` after appending n child values.
class ListBuilder final : public ArrayBuilder {
 public:
  ListBuilder(std::unique_ptr<ArrayBuilder> child, bool nullable_items = true);
  ArrayBuilder& child() { return *child_; }
  template <typename B>
  B& child_as() {
    return static_cast<B&>(*child_);
  }
  // Closes an entry holding the child values appended since the previous entry.
  void append_entry();
  void append_null() override;
  ArrayPtr finish() override;

 private:
  std::unique_ptr<ArrayBuilder> child_;
  MutableBuffer offsets_;
};

class FixedSizeListBuilder final : public ArrayBuilder {
 public:
  FixedSizeListBuilder(std::unique_ptr<ArrayBuilder> child, int32_t list_size);
  ArrayBuilder& child() { return *child_; }
  template <typename B>
  B& child_as() {
    return static_cast<B&>(*child_);
  }
  // Marks that list_size child values were appended for one entry.
  void append_entry();
  void append_null() override;  // appends list_size null child values
  ArrayPtr finish() override;

 private:
  std::unique_ptr<ArrayBuilder> child_;
  int32_t list_size_;
};

class StructBuilder final : public ArrayBuilder {
 public:
  StructBuilder(std::vector<FieldPtr> fields, std::vector<std::unique_ptr<ArrayBuilder>> children);
  ArrayBuilder& child(int i) { return *children_[size_t(i)]; }
  template <typename B>
  B& child_as(int i) {
    return static_cast<B&>(*children_[size_t(i)]);
  }
  // Marks one entry whose fields were appended to each child.
  void append_entry();
  void append_null() override;  // appends a null to each child
  ArrayPtr finish() override;

 private:
  std::vector<std::unique_ptr<ArrayBuilder>> children_;
};

// A builder for any supported type (nested builders included).
std::unique_ptr<ArrayBuilder> make_builder(const TypePtr& type);

// Convenience constructors for tests and small data.
template <typename T>
ArrayPtr make_primitive(std::span<const T> values) {
  PrimitiveBuilder<T> b;
  b.append_values(values);
  return b.finish();
}
template <typename T>
ArrayPtr make_primitive(std::initializer_list<T> values) {
  return make_primitive<T>(std::span<const T>(values.begin(), values.size()));
}
// A primitive array over an existing buffer, without copying.
ArrayPtr make_primitive_from_buffer(const TypePtr& type, BufferPtr values, int64_t length,
                                    BufferPtr validity = nullptr, int64_t null_count = 0);
ArrayPtr make_strings(std::initializer_list<std::string_view> values, TypePtr type = utf8());
// list<T> from offsets (length+1) and the child values.
Result<ArrayPtr> make_list(std::span<const int32_t> offsets, ArrayPtr values,
                           BufferPtr validity = nullptr, int64_t null_count = 0);
Result<ArrayPtr> make_fixed_size_list(ArrayPtr values, int32_t list_size,
                                      BufferPtr validity = nullptr, int64_t null_count = 0);
Result<ArrayPtr> make_struct(std::vector<FieldPtr> fields, std::vector<ArrayPtr> children,
                             BufferPtr validity = nullptr, int64_t null_count = 0);

}  // namespace reel::arrow
