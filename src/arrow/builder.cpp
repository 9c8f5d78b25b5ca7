#include <algorithm>

#include "reel/arrow/array.hpp"

namespace reel::arrow {

void ArrayBuilder::reserve_validity(int64_t n) {
  if (validity_.capacity() || null_count_) validity_.reserve(size_t(bit_util::bytes_for_bits(n)));
}

void ArrayBuilder::append_validity(bool valid) {
  if (valid && null_count_ == 0) {
    ++length_;
    return;
  }
  if (null_count_ == 0) {
    // First null: materialize the bitmap with every earlier value valid.
    validity_.resize(size_t(bit_util::bytes_for_bits(length_ + 1)));
    std::memset(validity_.data(), 0xFF, size_t(length_ / 8));
    for (int64_t i = (length_ / 8) * 8; i < length_; ++i) bit_util::set_bit(validity_.data(), i);
  } else if (validity_.size() < size_t(bit_util::bytes_for_bits(length_ + 1))) {
    validity_.resize(size_t(bit_util::bytes_for_bits(length_ + 1)));
  }
  bit_util::set_bit_to(validity_.data(), length_, valid);
  if (!valid) ++null_count_;
  ++length_;
}

BufferPtr ArrayBuilder::finish_validity() {
  if (null_count_ == 0) return nullptr;
  return validity_.finish();
}

template <typename T>
ArrayPtr PrimitiveBuilder<T>::finish() {
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity(), values_.finish()});
  length_ = null_count_ = 0;
  return out;
}

template class PrimitiveBuilder<int8_t>;
template class PrimitiveBuilder<int16_t>;
template class PrimitiveBuilder<int32_t>;
template class PrimitiveBuilder<int64_t>;
template class PrimitiveBuilder<uint8_t>;
template class PrimitiveBuilder<uint16_t>;
template class PrimitiveBuilder<uint32_t>;
template class PrimitiveBuilder<uint64_t>;
template class PrimitiveBuilder<float>;
template class PrimitiveBuilder<double>;

void BooleanBuilder::append(bool v) {
  bits_.resize(size_t(bit_util::bytes_for_bits(length_ + 1)));
  bit_util::set_bit_to(bits_.data(), length_, v);
  append_validity(true);
}

void BooleanBuilder::append_null() {
  bits_.resize(size_t(bit_util::bytes_for_bits(length_ + 1)));
  append_validity(false);
}

ArrayPtr BooleanBuilder::finish() {
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity(), bits_.finish()});
  length_ = null_count_ = 0;
  return out;
}

BinaryBuilder::BinaryBuilder(TypePtr type) : ArrayBuilder(std::move(type)) {
  offsets_.append_value<int32_t>(0);
}

void BinaryBuilder::append(std::string_view v) {
  data_.append(v.data(), v.size());
  offsets_.append_value<int32_t>(int32_t(data_.size()));
  append_validity(true);
}

void BinaryBuilder::append_null() {
  offsets_.append_value<int32_t>(int32_t(data_.size()));
  append_validity(false);
}

ArrayPtr BinaryBuilder::finish() {
  auto out = ArrayData::make(type_, length_, null_count_,
                             {finish_validity(), offsets_.finish(), data_.finish()});
  length_ = null_count_ = 0;
  offsets_.append_value<int32_t>(0);
  return out;
}

FixedSizeBinaryBuilder::FixedSizeBinaryBuilder(int32_t byte_width)
    : ArrayBuilder(fixed_size_binary(byte_width)), width_(byte_width) {}

void FixedSizeBinaryBuilder::append(const void* bytes) {
  values_.append(bytes, size_t(width_));
  append_validity(true);
}

void FixedSizeBinaryBuilder::append_null() {
  values_.resize(values_.size() + size_t(width_));
  append_validity(false);
}

ArrayPtr FixedSizeBinaryBuilder::finish() {
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity(), values_.finish()});
  length_ = null_count_ = 0;
  return out;
}

ListBuilder::ListBuilder(std::unique_ptr<ArrayBuilder> child, bool nullable_items)
    : ArrayBuilder(list(child->type(), nullable_items)), child_(std::move(child)) {
  offsets_.append_value<int32_t>(0);
}

void ListBuilder::append_entry() {
  offsets_.append_value<int32_t>(int32_t(child_->length()));
  append_validity(true);
}

void ListBuilder::append_null() {
  offsets_.append_value<int32_t>(int32_t(child_->length()));
  append_validity(false);
}

ArrayPtr ListBuilder::finish() {
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity(), offsets_.finish()},
                             {child_->finish()});
  length_ = null_count_ = 0;
  offsets_.append_value<int32_t>(0);
  return out;
}

FixedSizeListBuilder::FixedSizeListBuilder(std::unique_ptr<ArrayBuilder> child, int32_t list_size)
    : ArrayBuilder(fixed_size_list(child->type(), list_size)),
      child_(std::move(child)),
      list_size_(list_size) {}

void FixedSizeListBuilder::append_entry() { append_validity(true); }

void FixedSizeListBuilder::append_null() {
  for (int32_t i = 0; i < list_size_; ++i) child_->append_default();
  append_validity(false);
}

ArrayPtr FixedSizeListBuilder::finish() {
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity()}, {child_->finish()});
  length_ = null_count_ = 0;
  return out;
}

namespace {
TypePtr struct_type_of(std::vector<FieldPtr> fields) { return struct_(std::move(fields)); }
}  // namespace

StructBuilder::StructBuilder(std::vector<FieldPtr> fields,
                             std::vector<std::unique_ptr<ArrayBuilder>> children)
    : ArrayBuilder(struct_type_of(std::move(fields))), children_(std::move(children)) {}

void StructBuilder::append_entry() { append_validity(true); }

void StructBuilder::append_null() {
  for (auto& c : children_) c->append_null();
  append_validity(false);
}

ArrayPtr StructBuilder::finish() {
  std::vector<ArrayPtr> children;
  for (auto& c : children_) children.push_back(c->finish());
  auto out = ArrayData::make(type_, length_, null_count_, {finish_validity()}, std::move(children));
  length_ = null_count_ = 0;
  return out;
}

std::unique_ptr<ArrayBuilder> make_builder(const TypePtr& type) {
  switch (type->id()) {
    case TypeId::kBool:
      return std::make_unique<BooleanBuilder>();
    case TypeId::kInt8:
      return std::make_unique<PrimitiveBuilder<int8_t>>();
    case TypeId::kInt16:
      return std::make_unique<PrimitiveBuilder<int16_t>>();
    case TypeId::kInt32:
      return std::make_unique<PrimitiveBuilder<int32_t>>();
    case TypeId::kInt64:
      return std::make_unique<PrimitiveBuilder<int64_t>>();
    case TypeId::kUInt8:
      return std::make_unique<PrimitiveBuilder<uint8_t>>();
    case TypeId::kUInt16:
      return std::make_unique<PrimitiveBuilder<uint16_t>>();
    case TypeId::kUInt32:
      return std::make_unique<PrimitiveBuilder<uint32_t>>();
    case TypeId::kUInt64:
      return std::make_unique<PrimitiveBuilder<uint64_t>>();
    case TypeId::kFloat32:
      return std::make_unique<PrimitiveBuilder<float>>();
    case TypeId::kFloat64:
      return std::make_unique<PrimitiveBuilder<double>>();
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return std::make_unique<BinaryBuilder>(type);
    case TypeId::kFixedSizeBinary:
      return std::make_unique<FixedSizeBinaryBuilder>(type->byte_width());
    case TypeId::kList:
      return std::make_unique<ListBuilder>(make_builder(type->value_type()),
                                           type->fields()[0]->nullable);
    case TypeId::kFixedSizeList:
      return std::make_unique<FixedSizeListBuilder>(make_builder(type->value_type()),
                                                    type->list_size());
    case TypeId::kStruct: {
      std::vector<std::unique_ptr<ArrayBuilder>> children;
      for (const auto& f : type->fields()) children.push_back(make_builder(f->type));
      return std::make_unique<StructBuilder>(type->fields(), std::move(children));
    }
    default:
      return nullptr;
  }
}

ArrayPtr make_primitive_from_buffer(const TypePtr& type, BufferPtr values, int64_t length,
                                    BufferPtr validity, int64_t null_count) {
  const int64_t nulls = validity ? null_count : 0;
  return ArrayData::make(type, length, nulls,
                         {null_count ? std::move(validity) : nullptr, std::move(values)});
}

ArrayPtr make_strings(std::initializer_list<std::string_view> values, TypePtr type) {
  BinaryBuilder b(std::move(type));
  for (auto v : values) b.append(v);
  return b.finish();
}

Result<ArrayPtr> make_list(std::span<const int32_t> offsets, ArrayPtr values, BufferPtr validity,
                           int64_t null_count) {
  if (offsets.empty()) return Status::Invalid("list offsets need at least one entry");
  const int64_t nulls = validity ? null_count : 0;
  TypePtr type = list(values->type);  // before `values` moves into the children
  auto out = ArrayData::make(std::move(type), int64_t(offsets.size()) - 1, nulls,
                             {nulls ? std::move(validity) : nullptr,
                              Buffer::copy_of(offsets.data(), offsets.size_bytes())},
                             {std::move(values)});
  REEL_RETURN_NOT_OK(validate(*out));
  return out;
}

Result<ArrayPtr> make_fixed_size_list(ArrayPtr values, int32_t list_size, BufferPtr validity,
                                      int64_t null_count) {
  if (list_size <= 0) return Status::Invalid("fixed-size list size must be positive");
  if (values->length % list_size != 0) {
    return Status::Invalid(std::to_string(values->length) + " values do not split into lists of " +
                           std::to_string(list_size));
  }
  const int64_t nulls = validity ? null_count : 0;
  const int64_t length = values->length / list_size;
  TypePtr type = fixed_size_list(values->type, list_size);  // before `values` moves
  auto out = ArrayData::make(std::move(type), length, nulls,
                             {nulls ? std::move(validity) : nullptr}, {std::move(values)});
  REEL_RETURN_NOT_OK(validate(*out));
  return out;
}

Result<ArrayPtr> make_struct(std::vector<FieldPtr> fields, std::vector<ArrayPtr> children,
                             BufferPtr validity, int64_t null_count) {
  if (fields.size() != children.size() || children.empty()) {
    return Status::Invalid("struct needs one child per field");
  }
  const int64_t length = children[0]->length;
  for (size_t i = 0; i < children.size(); ++i) {
    if (children[i]->length != length) {
      return Status::Invalid("struct field '" + fields[i]->name + "' has length " +
                             std::to_string(children[i]->length) + ", expected " +
                             std::to_string(length));
    }
  }
  const int64_t nulls = validity ? null_count : 0;
  auto out = ArrayData::make(struct_(std::move(fields)), length, nulls,
                             {nulls ? std::move(validity) : nullptr}, std::move(children));
  REEL_RETURN_NOT_OK(validate(*out));
  return out;
}

}  // namespace reel::arrow
