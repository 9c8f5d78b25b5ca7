#include "reel/chunk/component.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace reel {

using arrow::ArrayPtr;
using arrow::BufferPtr;
namespace bit_util = arrow::bit_util;

// ---------------------------------------------------------------------------------------
// ComponentDescriptor: interned in a process-wide table that is never freed (descriptors are
// few: one per archetype field and component type in use).

namespace {

struct DescriptorTable {
  std::mutex mutex;
  std::unordered_map<std::string, std::unique_ptr<const void, void (*)(const void*)>> map;
};

DescriptorTable& descriptor_table() {
  static auto* table = new DescriptorTable();  // intentionally leaked: outlives all users
  return *table;
}

}  // namespace

// The empty descriptor is interned once: default construction happens on hot paths.
ComponentDescriptor::ComponentDescriptor() {
  static const Data* const empty = ComponentDescriptor("", "", "").data_;
  data_ = empty;
}

ComponentDescriptor::ComponentDescriptor(std::string_view archetype, std::string_view field,
                                         std::string_view component_type) {
  std::string key;
  key.reserve(archetype.size() + field.size() + component_type.size() + 2);
  key.append(archetype).append(1, '\0').append(field).append(1, '\0').append(component_type);
  auto& table = descriptor_table();
  std::lock_guard lock(table.mutex);
  auto it = table.map.find(key);
  if (it == table.map.end()) {
    auto* d = new Data{
        std::string(archetype), std::string(field), std::string(component_type),
        archetype.empty() ? std::string(field) : std::string(archetype) + ":" + std::string(field)};
    it = table.map
             .emplace(std::move(key),
                      std::unique_ptr<const void, void (*)(const void*)>(
                          d, [](const void* p) { delete static_cast<const Data*>(p); }))
             .first;
  }
  data_ = static_cast<const Data*>(it->second.get());
}

ComponentDescriptor ComponentDescriptor::from_identifier(std::string_view identifier) {
  size_t first = identifier.find(':');
  if (first == std::string_view::npos) return ComponentDescriptor("", identifier, "");
  size_t second = identifier.find(':', first + 1);
  if (second == std::string_view::npos) {
    return ComponentDescriptor(identifier.substr(0, first), identifier.substr(first + 1), "");
  }
  return ComponentDescriptor(identifier.substr(0, first),
                             identifier.substr(first + 1, second - first - 1),
                             identifier.substr(second + 1));
}

// ---------------------------------------------------------------------------------------
// ListColumn

namespace {

int64_t count_nulls(const BufferPtr& validity, int64_t offset, int64_t length) {
  if (!validity) return 0;
  return length - bit_util::count_set_bits(validity->data(), offset, length);
}

// A bitmap starting at bit 0 with the bits [offset, offset+length) of `validity`.
BufferPtr rebase_bits(const BufferPtr& validity, int64_t offset, int64_t length) {
  if (!validity || offset == 0) return validity;
  auto out = arrow::Buffer::allocate(size_t(bit_util::bytes_for_bits(length)));
  bit_util::copy_bits(validity->data(), offset, length, out->mutable_data(), 0);
  return out;
}

}  // namespace

Result<ListColumn> ListColumn::from_arrow(const ArrayPtr& list, bool compact) {
  if (!list || list->type->id() != arrow::TypeId::kList) {
    return Status::TypeError("component column must be a list array, got " +
                             (list ? list->type->to_string() : std::string("nothing")));
  }
  REEL_RETURN_NOT_OK(arrow::validate(*list, false));
  ListColumn c;
  c.values_ = list->children[0];
  c.length_ = list->length;
  c.null_count_ = list->null_count;
  c.validity_ = list->null_count ? list->buffers[0] : nullptr;
  c.validity_offset_ = list->offset;
  const int32_t* o = list->length || list->buffers[1] ? list->values<int32_t>(1) : nullptr;
  bool unit = compact && o != nullptr;
  if (unit) {
    for (int64_t i = 0; i < list->length; ++i) {
      if (o[i + 1] - o[i] != 1) {
        unit = false;
        break;
      }
    }
  }
  if (unit) {
    c.values_offset_ = o[0];
  } else if (o == nullptr) {
    // A zero-length list without an offsets buffer.
    c.offsets_ = arrow::Buffer::allocate(4);
    c.offsets_offset_ = 0;
  } else {
    c.offsets_ = list->buffers[1];
    c.offsets_offset_ = list->offset;
  }
  return c;
}

ListColumn ListColumn::unit(ArrayPtr values, BufferPtr validity, int64_t null_count) {
  ListColumn c;
  c.length_ = values->length;
  c.values_ = std::move(values);
  c.null_count_ = validity ? null_count : 0;
  c.validity_ = c.null_count_ ? std::move(validity) : nullptr;
  return c;
}

Result<ListColumn> ListColumn::with_offsets(ArrayPtr values, BufferPtr offsets, int64_t length,
                                            BufferPtr validity, int64_t null_count) {
  const int64_t nulls = validity ? null_count : 0;
  arrow::TypePtr type = arrow::list(values->type);  // before `values` moves
  auto data =
      arrow::ArrayData::make(std::move(type), length, nulls,
                             {nulls ? validity : nullptr, std::move(offsets)}, {std::move(values)});
  REEL_RETURN_NOT_OK(arrow::validate(*data, true));
  return from_arrow(data, false);
}

ListColumn ListColumn::nulls(const arrow::TypePtr& type, int64_t length) {
  ListColumn c;
  c.values_ = arrow::make_null_array(type, 0);  // empty: valid buffers and no nulls
  c.offsets_ = arrow::Buffer::allocate(size_t(length + 1) * 4);
  c.length_ = length;
  c.null_count_ = length;
  c.validity_ =
      length ? arrow::Buffer::allocate(size_t(bit_util::bytes_for_bits(length))) : nullptr;
  if (!length) c.null_count_ = 0;
  return c;
}

ArrayPtr ListColumn::row_values(int64_t row) const {
  return values_->slice(value_offset(row), is_valid(row) ? value_length(row) : 0);
}

ListColumn ListColumn::slice(int64_t start, int64_t length) const {
  start = std::clamp<int64_t>(start, 0, length_);
  length = std::clamp<int64_t>(length, 0, length_ - start);
  if (start == 0 && length == length_) return *this;
  ListColumn c = *this;
  c.length_ = length;
  if (offsets_) {
    c.offsets_offset_ += start;
  } else {
    c.values_offset_ += start;
  }
  c.validity_offset_ += start;
  if (null_count_) {
    c.null_count_ = count_nulls(validity_, c.validity_offset_, length);
    if (c.null_count_ == 0) {
      c.validity_ = nullptr;
      c.validity_offset_ = 0;
    }
  }
  return c;
}

ListColumn ListColumn::copy() const {
  if (!offsets_) {
    auto values = arrow::copy_array(values_->slice(values_offset_, length_));
    BufferPtr validity;
    if (null_count_) {
      auto bits = arrow::Buffer::allocate(size_t(bit_util::bytes_for_bits(length_)));
      bit_util::copy_bits(validity_->data(), validity_offset_, length_, bits->mutable_data(), 0);
      validity = bits;
    }
    return unit(std::move(values), validity, null_count_);
  }
  return from_arrow(arrow::copy_array(to_arrow()), false)
      .value_or_die();  // a valid list stays valid
}

Result<ListColumn> ListColumn::take(std::span<const int64_t> rows) const {
  for (int64_t r : rows) {
    if (r < 0 || r >= length_) {
      return Status::IndexError("row " + std::to_string(r) + " out of bounds for " +
                                std::to_string(length_) + " rows");
    }
  }
  if (!offsets_) {
    std::vector<int64_t> idx(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) idx[i] = values_offset_ + rows[i];
    REEL_ASSIGN_OR_RETURN(auto values, arrow::take(*values_, idx));
    BufferPtr validity;
    int64_t nulls = 0;
    if (null_count_) {
      auto bits = arrow::Buffer::allocate(size_t(bit_util::bytes_for_bits(int64_t(rows.size()))));
      for (size_t i = 0; i < rows.size(); ++i) {
        if (is_valid(rows[i])) {
          bit_util::set_bit(bits->mutable_data(), int64_t(i));
        } else {
          ++nulls;
        }
      }
      validity = bits;
    }
    return unit(std::move(values), nulls ? validity : nullptr, nulls);
  }
  REEL_ASSIGN_OR_RETURN(auto taken, arrow::take(*to_arrow(), rows));
  return from_arrow(taken, true);
}

Result<ListColumn> ListColumn::concatenate(std::span<const ListColumn* const> columns) {
  if (columns.empty()) return Status::Invalid("concatenate needs at least one column");
  if (columns.size() == 1) return *columns[0];
  bool all_unit = true;
  int64_t total = 0, nulls = 0;
  for (const auto* c : columns) {
    if (!arrow::type_equals(c->value_type(), columns[0]->value_type())) {
      return Status::TypeError("cannot concatenate component columns of types " +
                               c->value_type()->to_string() + " and " +
                               columns[0]->value_type()->to_string());
    }
    all_unit &= c->is_unit();
    total += c->length_;
    nulls += c->null_count_;
  }
  if (!all_unit) {
    std::vector<ArrayPtr> lists;
    for (const auto* c : columns) lists.push_back(c->to_arrow());
    REEL_ASSIGN_OR_RETURN(auto joined, arrow::concatenate(lists));
    return from_arrow(joined, true);
  }
  std::vector<ArrayPtr> values;
  for (const auto* c : columns) values.push_back(c->values_->slice(c->values_offset_, c->length_));
  REEL_ASSIGN_OR_RETURN(auto joined, arrow::concatenate(values));
  BufferPtr validity;
  if (nulls) {
    auto bits = arrow::Buffer::allocate(size_t(bit_util::bytes_for_bits(total)));
    int64_t pos = 0;
    for (const auto* c : columns) {
      if (c->null_count_) {
        bit_util::copy_bits(c->validity_->data(), c->validity_offset_, c->length_,
                            bits->mutable_data(), pos);
      } else {
        for (int64_t i = 0; i < c->length_; ++i) bit_util::set_bit(bits->mutable_data(), pos + i);
      }
      pos += c->length_;
    }
    validity = bits;
  }
  return unit(std::move(joined), validity, nulls);
}

ArrayPtr ListColumn::to_arrow() const {
  const arrow::TypePtr type = arrow::list(values_->type);
  if (offsets_ && (null_count_ == 0 || validity_offset_ == offsets_offset_)) {
    return arrow::ArrayData::make(type, length_, null_count_,
                                  {null_count_ ? validity_ : nullptr, offsets_}, {values_},
                                  offsets_offset_);
  }
  auto offsets = arrow::Buffer::allocate(size_t(length_ + 1) * 4);
  int32_t* o = offsets->mutable_data_as<int32_t>();
  for (int64_t i = 0; i <= length_; ++i) {
    o[i] =
        offsets_ ? offsets_->data_as<int32_t>()[offsets_offset_ + i] : int32_t(values_offset_ + i);
  }
  return arrow::ArrayData::make(
      type, length_, null_count_,
      {null_count_ ? rebase_bits(validity_, validity_offset_, length_) : nullptr, offsets},
      {values_});
}

bool ListColumn::equals(const ListColumn& other) const {
  if (length_ != other.length_ || null_count_ != other.null_count_) return false;
  if (!arrow::type_equals(values_->type, other.values_->type)) return false;
  if (is_unit() && other.is_unit() && null_count_ == 0) {
    return arrow::array_equals(*values_->slice(values_offset_, length_),
                               *other.values_->slice(other.values_offset_, length_));
  }
  return arrow::array_equals(*to_arrow(), *other.to_arrow());
}

void ListColumn::collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const {
  values_->collect_buffers(out);
  if (offsets_) out.emplace_back(offsets_->memory_key(), offsets_->memory_bytes());
  if (validity_) out.emplace_back(validity_->memory_key(), validity_->memory_bytes());
}

}  // namespace reel
