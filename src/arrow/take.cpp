// take(): gathers values of one or several arrays by index. It sorts chunks, joins splats in
// latest-at queries and builds the dataframe's output columns.
//
// The indices address the sources as if they were concatenated. Every type is one case of
// the switch in take_from(); nested types recurse into their children with child indices.
// Runs of consecutive indices into one source are copied with one memcpy (values of flat
// types, string bytes), so gathering sorted or dense rows costs what copying them does.
#include <algorithm>
#include <cstring>
#include <memory_resource>
#include <numeric>
#include <vector>

#include "arrow/array_internal.hpp"
#include "reel/arrow/array.hpp"

namespace reel::arrow {

namespace {

// A child index under a null parent row (a null fixed-size list or struct): a valid
// placeholder value (zero, false, empty), so that non-nullable children stay free of nulls.
// Only take_from() uses it; callers' negative indices other than kNullIndex are errors.
constexpr int64_t kPlaceholder = -2;

// The kernel's own small vectors (sources, base pointers, child indices) come from one arena
// per take() call, so that taking a few rows costs no more allocations than the result's.
template <typename T>
using Vec = std::pmr::vector<T>;

// The arrays taken from, as one sequence: index g is row g - start(s) of source s.
class Sources {
 public:
  explicit Sources(Vec<const ArrayData*> arrays)
      : arrays_(std::move(arrays)), starts_(arrays_.get_allocator()) {
    starts_.reserve(arrays_.size() + 1);
    int64_t total = 0;
    for (const ArrayData* a : arrays_) {
      starts_.push_back(total);
      total += a->length;
      any_nulls_ |= a->null_count != 0;
    }
    starts_.push_back(total);
  }

  size_t size() const { return arrays_.size(); }
  const ArrayData& operator[](size_t s) const { return *arrays_[s]; }
  const TypePtr& type() const { return arrays_[0]->type; }
  int64_t start(size_t s) const { return starts_[s]; }
  int64_t end(size_t s) const { return starts_[s + 1]; }
  int64_t total() const { return starts_.back(); }
  bool any_nulls() const { return any_nulls_; }
  std::pmr::memory_resource* arena() const { return arrays_.get_allocator().resource(); }

  // The source of index g (0 <= g < total()); one comparison while g stays in one source.
  size_t find(int64_t g) {
    if (g >= starts_[last_] && g < starts_[last_ + 1]) return last_;
    last_ = size_t(std::upper_bound(starts_.begin(), starts_.end(), g) - starts_.begin()) - 1;
    return last_;
  }

  // Child `c` of every source, not sliced (index it with the parents' offsets).
  Sources children(size_t c) const {
    Vec<const ArrayData*> out(arena());
    out.reserve(arrays_.size());
    for (const ArrayData* a : arrays_) out.push_back(a->children[c].get());
    return Sources(std::move(out));
  }

 private:
  Vec<const ArrayData*> arrays_;
  Vec<int64_t> starts_;
  size_t last_ = 0;
  bool any_nulls_ = false;
};

// The validity of the result: null where an index is kNullIndex or the value is null. No
// bitmap (and 0 nulls) when nothing is null.
BufferPtr gather_validity(Sources& src, std::span<const int64_t> idx, bool null_indices,
                          int64_t* null_count) {
  *null_count = 0;
  if (!null_indices && !src.any_nulls()) return nullptr;
  const int64_t n = int64_t(idx.size());
  auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
  uint8_t* b = bits->mutable_data();
  int64_t nulls = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    bool valid = g == kPlaceholder;
    if (g >= 0) {
      const size_t s = src.find(g);
      valid = src[s].is_valid(g - src.start(s));
    }
    if (valid) {
      bit_util::set_bit(b, i);
    } else {
      ++nulls;
    }
  }
  *null_count = nulls;
  return nulls ? BufferPtr(bits) : nullptr;
}

// Where the values of a flat array start (value 0, `a.type->flat_width()` bytes each, in one
// buffer), or null when `a` is not flat: a type without a flat width, or nulls in a
// fixed-size list's children (their values would be placeholders, their validity lost).
const uint8_t* flat_values(const ArrayData& a) {
  static const uint8_t kNone = 0;  // where the values of an empty array start
  if (a.length == 0) return &kNone;
  if (a.type->id() == TypeId::kFixedSizeList) {
    const ArrayData& child = *a.children[0];
    if (child.null_count != 0) return nullptr;
    const uint8_t* base = flat_values(child);
    return base ? base + a.offset * a.type->flat_width() : nullptr;
  }
  const int width = a.type->primitive_width();
  if (width <= 0) return nullptr;
  if (!a.buffers[1] || !a.buffers[1]->data()) return nullptr;
  return a.buffers[1]->data() + a.offset * width;
}

// Copies the values at `idx` (W bytes each, or `width` when W is 0) from `base` into `dst`;
// placeholders and null indices get zeros.
template <int W>
void gather_bytes(Sources& src, const Vec<const uint8_t*>& base, std::span<const int64_t> idx,
                  int64_t width, uint8_t* dst) {
  const int64_t w = W ? W : width;
  const int64_t n = int64_t(idx.size());
  for (int64_t i = 0; i < n;) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) {
      std::memset(dst + i * w, 0, size_t(w));
      ++i;
      continue;
    }
    const size_t s = src.find(g);
    const int64_t limit = std::min(n, i + (src.end(s) - g));
    int64_t j = i + 1;
    while (j < limit && idx[size_t(j)] == g + (j - i)) ++j;
    const uint8_t* from = base[s] + (g - src.start(s)) * w;
    if (j - i == 1) {
      std::memcpy(dst + i * w, from, size_t(W ? W : w));  // a constant size when W is one
    } else {
      std::memcpy(dst + i * w, from, size_t((j - i) * w));
    }
    i = j;
  }
}

// The values of flat sources at `idx` as one buffer (see flat_values); null when a source is
// not flat.
Result<BufferPtr> gather_flat(Sources& src, std::span<const int64_t> idx, int64_t width) {
  Vec<const uint8_t*> base(src.size(), src.arena());
  for (size_t s = 0; s < src.size(); ++s) {
    base[s] = flat_values(src[s]);
    if (!base[s]) return BufferPtr();
  }
  REEL_ASSIGN_OR_RETURN(auto out,
                        Buffer::try_allocate_for_overwrite(size_t(idx.size()) * size_t(width)));
  uint8_t* dst = out->mutable_data();
  switch (width) {
    case 1:
      gather_bytes<1>(src, base, idx, width, dst);
      break;
    case 2:
      gather_bytes<2>(src, base, idx, width, dst);
      break;
    case 4:
      gather_bytes<4>(src, base, idx, width, dst);
      break;
    case 8:
      gather_bytes<8>(src, base, idx, width, dst);
      break;
    case 12:
      gather_bytes<12>(src, base, idx, width, dst);
      break;
    case 16:
      gather_bytes<16>(src, base, idx, width, dst);
      break;
    case 24:
      gather_bytes<24>(src, base, idx, width, dst);
      break;
    default:
      gather_bytes<0>(src, base, idx, width, dst);
  }
  return BufferPtr(out);
}

// A flat array over `values`: fixed-size lists nest down to the primitive that holds them,
// with validity at the top level only.
ArrayPtr flat_array(const TypePtr& type, int64_t length, int64_t null_count, BufferPtr validity,
                    BufferPtr values) {
  if (type->id() == TypeId::kFixedSizeList) {
    auto child =
        flat_array(type->value_type(), length * type->list_size(), 0, nullptr, std::move(values));
    return ArrayData::make(type, length, null_count, {std::move(validity)}, {std::move(child)});
  }
  return ArrayData::make(type, length, null_count, {std::move(validity), std::move(values)});
}

BufferPtr gather_bits(Sources& src, std::span<const int64_t> idx) {
  const int64_t n = int64_t(idx.size());
  auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) continue;
    const size_t s = src.find(g);
    const ArrayData& a = src[s];
    if (bit_util::get_bit(a.buffers[1]->data(), a.offset + g - src.start(s))) {
      bit_util::set_bit(bits->mutable_data(), i);
    }
  }
  return bits;
}

// Offsets (n + 1 i32 from 0) of the entries at `idx` of sources with i32 offsets.
Result<BufferPtr> gather_offsets(Sources& src, std::span<const int64_t> idx) {
  const int64_t n = int64_t(idx.size());
  REEL_ASSIGN_OR_RETURN(auto offsets, Buffer::try_allocate_for_overwrite(size_t(n + 1) * 4));
  int32_t* o = offsets->mutable_data_as<int32_t>();
  o[0] = 0;
  int64_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g >= 0) {
      const size_t s = src.find(g);
      const int32_t* so = src[s].values<int32_t>(1) + (g - src.start(s));
      pos += so[1] - so[0];
      if (pos > INT32_MAX) {
        return Status::CapacityError("taken " + src.type()->to_string() +
                                     " values exceed 2^31 - 1 (offsets are 32-bit)");
      }
    }
    o[i + 1] = int32_t(pos);
  }
  return BufferPtr(offsets);
}

// The child index of every value of the entries at `idx`, laid out by `offsets`.
Vec<int64_t> list_child_indices(Sources& src, std::span<const int64_t> idx, const int32_t* offsets,
                                const Sources& child) {
  const int64_t n = int64_t(idx.size());
  Vec<int64_t> out(static_cast<size_t>(offsets[n]), src.arena());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) continue;
    const size_t s = src.find(g);
    const int32_t* so = src[s].values<int32_t>(1) + (g - src.start(s));
    std::iota(out.begin() + offsets[i], out.begin() + offsets[i + 1], child.start(s) + so[0]);
  }
  return out;
}

// The values of the entries at `idx` of sources with i32 offsets, `width` bytes each, laid
// out by `offsets` (from gather_offsets): base[s] is where value 0 of source s's offsets
// starts (string bytes, or a flat child's values). Consecutive entries of one source are
// contiguous values, copied at once.
Result<BufferPtr> gather_ranges(Sources& src, std::span<const int64_t> idx, const int32_t* offsets,
                                const Vec<const uint8_t*>& base, int64_t width) {
  const int64_t n = int64_t(idx.size());
  REEL_ASSIGN_OR_RETURN(auto data,
                        Buffer::try_allocate_for_overwrite(size_t(offsets[n]) * size_t(width)));
  for (int64_t i = 0; i < n;) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) {
      ++i;
      continue;
    }
    const size_t s = src.find(g);
    const int64_t limit = std::min(n, i + (src.end(s) - g));
    int64_t j = i + 1;
    while (j < limit && idx[size_t(j)] == g + (j - i)) ++j;
    const int32_t* so = src[s].values<int32_t>(1) + (g - src.start(s));
    const int64_t count = so[j - i] - so[0];
    if (count > 0) {
      std::memcpy(data->mutable_data() + offsets[i] * width, base[s] + so[0] * width,
                  size_t(count * width));
    }
    i = j;
  }
  return BufferPtr(data);
}

// Where the children of list sources start as flat values (see flat_values), or an empty
// vector when a child is not flat or has nulls of its own.
Vec<const uint8_t*> flat_children(const Sources& child) {
  Vec<const uint8_t*> base(child.size(), child.arena());
  for (size_t s = 0; s < child.size(); ++s) {
    base[s] = child[s].null_count == 0 ? flat_values(child[s]) : nullptr;
    if (!base[s]) return Vec<const uint8_t*>(child.arena());
  }
  return base;
}

// Child indices of the entries at `idx`: `per` child values each (a fixed-size list's size, 1
// for a struct's fields), placeholders under null indices.
Vec<int64_t> child_indices(Sources& src, std::span<const int64_t> idx, const Sources& child,
                           int64_t per) {
  Vec<int64_t> out(idx.size() * size_t(per), src.arena());
  int64_t* d = out.data();
  for (int64_t g : idx) {
    if (g < 0) {
      std::fill(d, d + per, kPlaceholder);
    } else {
      const size_t s = src.find(g);
      const int64_t first = child.start(s) + (src[s].offset + g - src.start(s)) * per;
      for (int64_t k = 0; k < per; ++k) d[k] = first + k;
    }
    d += per;
  }
  return out;
}

// The kernel: `idx` holds indices into `src` (0 <= g < total), kNullIndex (null_indices says
// whether any) and kPlaceholder.
Result<ArrayPtr> take_from(Sources& src, std::span<const int64_t> idx, bool null_indices) {
  const TypePtr& type = src.type();
  const int64_t n = int64_t(idx.size());
  int64_t nulls = 0;
  auto validity = [&] { return gather_validity(src, idx, null_indices, &nulls); };
  switch (type->id()) {
    case TypeId::kNull:
      return ArrayData::make(type, n, n, {});
    case TypeId::kBool: {
      auto v = validity();
      return ArrayData::make(type, n, nulls, {v, gather_bits(src, idx)});
    }
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kFixedSizeBinary: {
      const int width = type->primitive_width();
      if (width <= 0) return Status::NotImplemented("take of " + type->to_string());
      auto v = validity();
      REEL_ASSIGN_OR_RETURN(auto values, gather_flat(src, idx, width));
      if (!values) return Status::Invalid("take of " + type->to_string() + " without values");
      return ArrayData::make(type, n, nulls, {v, values});
    }
    case TypeId::kUtf8:
    case TypeId::kBinary: {
      auto v = validity();
      REEL_ASSIGN_OR_RETURN(auto offsets, gather_offsets(src, idx));
      Vec<const uint8_t*> bytes(src.size(), src.arena());
      for (size_t s = 0; s < src.size(); ++s) {
        bytes[s] = src[s].buffers[2] ? src[s].buffers[2]->data() : nullptr;  // null: no bytes
      }
      REEL_ASSIGN_OR_RETURN(auto data,
                            gather_ranges(src, idx, offsets->data_as<int32_t>(), bytes, 1));
      return ArrayData::make(type, n, nulls, {v, offsets, data});
    }
    case TypeId::kList: {
      auto v = validity();
      Sources child = src.children(0);
      const TypePtr& value_type = type->value_type();
      if (const int64_t width = value_type->flat_width(); width > 0) {
        // Entries of flat values (lists of primitives or of fixed-size lists of them): their
        // values are copied as bytes, entry runs at once, without a child index per value.
        if (auto base = flat_children(child); !base.empty()) {
          REEL_ASSIGN_OR_RETURN(auto offsets, gather_offsets(src, idx));
          const int32_t* o = offsets->data_as<int32_t>();
          REEL_ASSIGN_OR_RETURN(auto values, gather_ranges(src, idx, o, base, width));
          return ArrayData::make(type, n, nulls, {v, offsets},
                                 {flat_array(value_type, o[n], 0, nullptr, values)});
        }
      }
      REEL_ASSIGN_OR_RETURN(auto offsets, gather_offsets(src, idx));
      auto child_idx = list_child_indices(src, idx, offsets->data_as<int32_t>(), child);
      REEL_ASSIGN_OR_RETURN(auto values, take_from(child, child_idx, false));
      return ArrayData::make(type, n, nulls, {v, offsets}, {values});
    }
    case TypeId::kFixedSizeList: {
      auto v = validity();
      if (const int64_t width = type->flat_width(); width > 0) {
        // Values in one buffer (fixed-size lists of primitives): copied as bytes.
        REEL_ASSIGN_OR_RETURN(auto values, gather_flat(src, idx, width));
        if (values) return flat_array(type, n, nulls, v, values);
      }
      Sources child = src.children(0);
      auto child_idx = child_indices(src, idx, child, type->list_size());
      REEL_ASSIGN_OR_RETURN(auto values, take_from(child, child_idx, false));
      return ArrayData::make(type, n, nulls, {v}, {values});
    }
    case TypeId::kStruct: {
      auto v = validity();
      std::vector<ArrayPtr> fields;
      for (size_t f = 0; f < type->fields().size(); ++f) {
        Sources child = src.children(f);
        auto child_idx = child_indices(src, idx, child, 1);
        REEL_ASSIGN_OR_RETURN(auto values, take_from(child, child_idx, false));
        fields.push_back(std::move(values));
      }
      return ArrayData::make(type, n, nulls, {v}, std::move(fields));
    }
  }
  return Status::NotImplemented("take of " + type->to_string());
}

Result<ArrayPtr> checked_take(Sources& src, std::span<const int64_t> indices) {
  const int64_t total = src.total();
  // The range of the indices first (a loop without branches), the culprit only if needed.
  int64_t lo = 0, hi = -1;
  for (int64_t g : indices) {
    lo = std::min(lo, g);
    hi = std::max(hi, g);
  }
  if (lo < kNullIndex || hi >= total) {
    for (int64_t g : indices) {
      if (g < kNullIndex || g >= total) {
        return Status::IndexError("take index " + std::to_string(g) + " out of bounds for length " +
                                  std::to_string(total));
      }
    }
  }
  return take_from(src, indices, lo == kNullIndex);
}

}  // namespace

Result<ArrayPtr> take(const ArrayData& array, std::span<const int64_t> indices) {
  std::byte buffer[1024];
  std::pmr::monotonic_buffer_resource arena(buffer, sizeof buffer);
  Sources src(Vec<const ArrayData*>({&array}, &arena));
  return checked_take(src, indices);
}

Result<ArrayPtr> take(std::span<const ArrayPtr> arrays, std::span<const int64_t> indices) {
  if (arrays.empty()) return Status::Invalid("take needs at least one array");
  std::byte buffer[1024];
  std::pmr::monotonic_buffer_resource arena(buffer, sizeof buffer);
  Vec<const ArrayData*> sources(&arena);
  sources.reserve(arrays.size());
  for (const auto& a : arrays) {
    if (!a) return Status::Invalid("take from a null array");
    if (!type_equals(a->type, arrays[0]->type)) {
      return Status::TypeError("cannot take from " + arrays[0]->type->to_string() + " and " +
                               a->type->to_string() + " at once");
    }
    sources.push_back(a.get());
  }
  Sources src(std::move(sources));
  return checked_take(src, indices);
}

}  // namespace reel::arrow
