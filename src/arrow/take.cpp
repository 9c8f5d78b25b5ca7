// take(): gathers values of one or several arrays by index. It sorts chunks, joins splats in
// latest-at queries and builds the dataframe's output columns.
//
// The indices address the sources as if they were concatenated. Every type is one case of
// the switch in take_from(); nested types recurse into their children with child indices.
// Runs of consecutive indices into one source are copied with one memcpy (values of flat
// types, string bytes, flat list values), so gathering sorted or dense rows costs what
// copying them does. The loops keep what they need of the current source in locals (a Cursor
// and per-source pointers): a memcpy call would otherwise make the compiler reload the
// source's buffers through four pointers at every value.
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

// The kernel's own vectors (sources, pointers, child indices) come from one arena per take()
// call, so that taking a few rows costs no more allocations than the result's.
template <typename T>
using Vec = std::pmr::vector<T>;

// One array taken from, and where its rows are in the sequence of all sources.
struct Source {
  const ArrayData* array;
  int64_t start;            // the index of its row 0
  int64_t end;              // start + length
  const uint8_t* validity;  // null when the array has no nulls
  const int32_t* offsets;   // of row 0, for types with offsets; null otherwise
};

// The arrays taken from, as one sequence: index g is row g - start of the source holding it.
class Sources {
 public:
  explicit Sources(const Vec<const ArrayData*>& arrays) : sources_(arrays.get_allocator()) {
    sources_.reserve(arrays.size());
    int64_t total = 0;
    for (const ArrayData* a : arrays) {
      Source s{a, total, total + a->length, nullptr, nullptr};
      if (a->null_count != 0 && !a->buffers.empty() && a->buffers[0]) {
        s.validity = a->buffers[0]->data();
        any_nulls_ = true;
      }
      const TypeId id = a->type->id();
      if ((id == TypeId::kUtf8 || id == TypeId::kBinary || id == TypeId::kList) && a->buffers[1] &&
          a->buffers[1]->data()) {
        s.offsets = a->values<int32_t>(1);
      }
      sources_.push_back(s);
      total += a->length;
    }
    total_ = total;
  }

  size_t size() const { return sources_.size(); }
  const Source& operator[](size_t s) const { return sources_[s]; }
  const ArrayData& array(size_t s) const { return *sources_[s].array; }
  const TypePtr& type() const { return sources_[0].array->type; }
  int64_t total() const { return total_; }
  bool any_nulls() const { return any_nulls_; }
  std::pmr::memory_resource* arena() const { return sources_.get_allocator().resource(); }

  // The source of index g (0 <= g < total()).
  size_t find(int64_t g) const {
    auto it = std::upper_bound(sources_.begin(), sources_.end(), g,
                               [](int64_t v, const Source& s) { return v < s.start; });
    // Empty sources share their start with the next: the last one starting at or before g
    // holds it.
    return size_t(it - sources_.begin()) - 1;
  }

  // Child `c` of every source, not sliced (index it with the parents' offsets).
  Sources children(size_t c) const {
    Vec<const ArrayData*> out(arena());
    out.reserve(sources_.size());
    for (const Source& s : sources_) out.push_back(s.array->children[c].get());
    return Sources(out);
  }

 private:
  Vec<Source> sources_;
  int64_t total_ = 0;
  bool any_nulls_ = false;
};

// Walks indices source by source: the current source's range stays in registers, and it is
// looked up only when an index leaves it.
class Cursor {
 public:
  explicit Cursor(const Sources& src) : src_(src) { set(0); }
  // Moves to the source of index g (0 <= g < total) and returns g's row in it.
  int64_t row(int64_t g) {
    if (g < lo_ || g >= hi_) [[unlikely]]
      set(src_.find(g));
    return g - lo_;
  }
  size_t source() const { return s_; }
  const Source& current() const { return *cur_; }
  int64_t end() const { return hi_; }  // the index after the current source's last row

 private:
  void set(size_t s) {
    s_ = s;
    cur_ = &src_[s];
    lo_ = cur_->start;
    hi_ = cur_->end;
  }
  const Sources& src_;
  size_t s_ = 0;
  const Source* cur_ = nullptr;
  int64_t lo_ = 0, hi_ = 0;
};

// How many indices from idx[i] = g on are consecutive (g, g + 1, ...) within a source that
// ends at `end`, when the next one is g + 1 (at least 2). Loops test that next index in a
// branch of their own, so that scattered indices keep a data-independent loop step (as a
// computed step, it serializes their cache misses).
inline int64_t run_length(const int64_t* idx, int64_t i, int64_t n, int64_t g, int64_t end) {
  const int64_t limit = std::min(n - i, end - g);
  int64_t k = 2;
  while (k < limit && idx[i + k] == g + k) ++k;
  return std::min(k, limit);
}

Status too_many_values(const Sources& src) {
  return Status::CapacityError("taken " + src.type()->to_string() +
                               " values exceed 2^31 - 1 (offsets are 32-bit)");
}

// The validity of the result: null where an index is kNullIndex or the value is null. No
// bitmap (and 0 nulls) when nothing is null.
BufferPtr gather_validity(const Sources& src, std::span<const int64_t> idx, bool null_indices,
                          int64_t* null_count) {
  *null_count = 0;
  if (!null_indices && !src.any_nulls()) return nullptr;
  const int64_t n = int64_t(idx.size());
  auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
  uint8_t* b = bits->mutable_data();
  int64_t nulls = 0;
  Cursor at(src);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    bool valid = g == kPlaceholder;
    if (g >= 0) {
      const int64_t row = at.row(g);
      const Source& s = at.current();
      valid = !s.validity || bit_util::get_bit(s.validity, s.array->offset + row);
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

// Copies the values at `idx` (W bytes each, or `width` when W is 0) from `base` (where value
// 0 of each source is) into `dst`; placeholders and null indices get zeros. kOneSource: the
// common case of one array, without looking sources up.
template <int W, bool kOneSource>
void gather_bytes(const Sources& src, const uint8_t* const* base, const int64_t* __restrict idx,
                  int64_t n, int64_t width, uint8_t* __restrict dst) {
  const int64_t w = W ? W : width;
  const int64_t total = src.total();
  Cursor at(src);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[i];
    if (g < 0) {
      std::memset(dst + i * w, 0, size_t(W ? W : w));
      continue;
    }
    int64_t row = g;
    size_t source = 0;
    if constexpr (!kOneSource) {
      row = at.row(g);
      source = at.source();
    }
    const uint8_t* from = base[source] + row * w;
    const int64_t end = kOneSource ? total : at.end();
    if (i + 1 < n && idx[i + 1] == g + 1 && g + 1 < end) [[unlikely]] {
      const int64_t run = run_length(idx, i, n, g, end);
      std::memcpy(dst + i * w, from, size_t(run * w));
      i += run - 1;
      continue;
    }
    std::memcpy(dst + i * w, from, size_t(W ? W : w));  // a constant size when W is one
  }
}

template <int W>
void gather_bytes(const Sources& src, const Vec<const uint8_t*>& base, std::span<const int64_t> idx,
                  int64_t width, uint8_t* dst) {
  const int64_t n = int64_t(idx.size());
  if (src.size() == 1) {
    gather_bytes<W, true>(src, base.data(), idx.data(), n, width, dst);
  } else {
    gather_bytes<W, false>(src, base.data(), idx.data(), n, width, dst);
  }
}

// The values of flat sources at `idx` as one buffer (see flat_values); null when a source is
// not flat.
Result<BufferPtr> gather_flat(const Sources& src, std::span<const int64_t> idx, int64_t width) {
  Vec<const uint8_t*> base(src.size(), src.arena());
  for (size_t s = 0; s < src.size(); ++s) {
    base[s] = flat_values(src.array(s));
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

BufferPtr gather_bits(const Sources& src, std::span<const int64_t> idx) {
  const int64_t n = int64_t(idx.size());
  auto bits = Buffer::allocate(size_t(bit_util::bytes_for_bits(n)));
  uint8_t* b = bits->mutable_data();
  Cursor at(src);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) continue;
    const int64_t row = at.row(g);
    const ArrayData& a = *at.current().array;
    if (bit_util::get_bit(a.buffers[1]->data(), a.offset + row)) bit_util::set_bit(b, i);
  }
  return bits;
}

// Offsets (n + 1 i32 from 0) of the entries at `idx` of sources with i32 offsets.
Result<BufferPtr> gather_offsets(const Sources& src, std::span<const int64_t> idx) {
  const int64_t n = int64_t(idx.size());
  REEL_ASSIGN_OR_RETURN(auto offsets, Buffer::try_allocate_for_overwrite(size_t(n + 1) * 4));
  int32_t* o = offsets->mutable_data_as<int32_t>();
  o[0] = 0;
  int64_t pos = 0;
  Cursor at(src);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g >= 0) {
      const int64_t row = at.row(g);
      const int32_t* so = at.current().offsets + row;
      pos += so[1] - so[0];
    }
    o[i + 1] = int32_t(pos);
  }
  if (pos > INT32_MAX) return too_many_values(src);
  return BufferPtr(offsets);
}

// Whether `idx` looks like runs of consecutive indices (rows of a sorted or dense gather), from
// 32 samples: scattered indices do better without looking for runs at every index.
bool has_runs(std::span<const int64_t> idx) {
  const size_t n = idx.size();
  if (n < 2) return false;
  int consecutive = 0;
  for (size_t k = 0; k < 32; ++k) {
    const size_t i = k * (n - 1) / 32;
    consecutive += idx[i + 1] == idx[i] + 1;
  }
  return consecutive >= 4;
}

// Copies the values of the entries at `idx` (see gather_entries) and writes their offsets.
// kRuns: look for runs of consecutive entries (a test per entry that scattered indices do
// not repay).
template <bool kOneSource, bool kRuns>
void copy_entries(const Sources& src, const int64_t* __restrict idx, int64_t n,
                  const uint8_t* const* base, int64_t width, int32_t* __restrict o,
                  uint8_t* __restrict dst) {
  const int64_t total = src.total();
  const int32_t* const offsets0 = src[0].offsets;
  Cursor at(src);
  o[0] = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[i];
    if (g < 0) {
      o[i + 1] = o[i];
      continue;
    }
    const int32_t* so;
    size_t source = 0;
    if constexpr (kOneSource) {
      so = offsets0 + g;
    } else {
      const int64_t row = at.row(g);  // moves to g's source first
      so = at.current().offsets + row;
      source = at.source();
    }
    const uint8_t* from = base[source] + int64_t(so[0]) * width;
    const int64_t end = kOneSource ? total : at.end();
    if (kRuns && i + 1 < n && idx[i + 1] == g + 1 && g + 1 < end) {
      // Consecutive entries of one source: their values are contiguous.
      const int64_t run = run_length(idx, i, n, g, end);
      const int64_t count = so[run] - so[0];
      if (count > 0) std::memcpy(dst + int64_t(o[i]) * width, from, size_t(count * width));
      for (int64_t k = 1; k <= run; ++k) o[i + k] = o[i] + (so[k] - so[0]);
      i += run - 1;
      continue;
    }
    const int32_t count = so[1] - so[0];
    if (count > 0) std::memcpy(dst + int64_t(o[i]) * width, from, size_t(count * width));
    o[i + 1] = o[i] + count;
  }
}

// The entries at `idx` of sources with i32 offsets whose values are `width` bytes each
// (strings: bytes; lists of flat values) at base[s] for value 0 of source s: their offsets
// (n + 1 i32 from 0) and their values.
Result<std::pair<BufferPtr, BufferPtr>> gather_entries(const Sources& src,
                                                       std::span<const int64_t> idx,
                                                       const Vec<const uint8_t*>& base,
                                                       int64_t width) {
  const int64_t n = int64_t(idx.size());
  int64_t values = 0;
  Cursor at(src);
  for (int64_t g : idx) {
    if (g < 0) continue;
    const int64_t row = at.row(g);  // moves to g's source first
    const int32_t* so = at.current().offsets + row;
    values += so[1] - so[0];
  }
  const bool runs = has_runs(idx);
  if (values > INT32_MAX) return too_many_values(src);
  REEL_ASSIGN_OR_RETURN(auto offsets, Buffer::try_allocate_for_overwrite(size_t(n + 1) * 4));
  REEL_ASSIGN_OR_RETURN(auto data,
                        Buffer::try_allocate_for_overwrite(size_t(values) * size_t(width)));
  int32_t* o = offsets->mutable_data_as<int32_t>();
  auto copy = [&](auto copy_entries) {
    copy_entries(src, idx.data(), n, base.data(), width, o, data->mutable_data());
  };
  if (src.size() == 1) {
    runs ? copy(copy_entries<true, true>) : copy(copy_entries<true, false>);
  } else {
    runs ? copy(copy_entries<false, true>) : copy(copy_entries<false, false>);
  }
  return std::make_pair(BufferPtr(offsets), BufferPtr(data));
}

// Where the children of list sources start as flat values (see flat_values), or an empty
// vector when a child is not flat or has nulls of its own.
Vec<const uint8_t*> flat_children(const Sources& child) {
  Vec<const uint8_t*> base(child.size(), child.arena());
  for (size_t s = 0; s < child.size(); ++s) {
    base[s] = child.array(s).null_count == 0 ? flat_values(child.array(s)) : nullptr;
    if (!base[s]) return Vec<const uint8_t*>(child.arena());
  }
  return base;
}

// The child index of every value of the entries at `idx`, laid out by `offsets`.
Vec<int64_t> list_child_indices(const Sources& src, std::span<const int64_t> idx,
                                const int32_t* offsets, const Sources& child) {
  const int64_t n = int64_t(idx.size());
  Vec<int64_t> out(static_cast<size_t>(offsets[n]), src.arena());
  Cursor at(src);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t g = idx[size_t(i)];
    if (g < 0) continue;
    const int64_t row = at.row(g);
    const int32_t* so = at.current().offsets + row;
    std::iota(out.begin() + offsets[i], out.begin() + offsets[i + 1],
              child[at.source()].start + so[0]);
  }
  return out;
}

// Child indices of the entries at `idx`: `per` child values each (a fixed-size list's size, 1
// for a struct's fields), placeholders under null indices.
Vec<int64_t> child_indices(const Sources& src, std::span<const int64_t> idx, const Sources& child,
                           int64_t per) {
  Vec<int64_t> out(idx.size() * size_t(per), src.arena());
  int64_t* d = out.data();
  Cursor at(src);
  for (int64_t g : idx) {
    if (g < 0) {
      std::fill(d, d + per, kPlaceholder);
    } else {
      const int64_t row = at.row(g);
      const int64_t first = child[at.source()].start + (at.current().array->offset + row) * per;
      for (int64_t k = 0; k < per; ++k) d[k] = first + k;
    }
    d += per;
  }
  return out;
}

// The kernel: `idx` holds indices into `src` (0 <= g < total), kNullIndex (null_indices says
// whether any) and kPlaceholder.
Result<ArrayPtr> take_from(const Sources& src, std::span<const int64_t> idx, bool null_indices) {
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
      Vec<const uint8_t*> bytes(src.size(), src.arena());
      for (size_t s = 0; s < src.size(); ++s) {
        const BufferPtr& data = src.array(s).buffers[2];
        bytes[s] = data ? data->data() : nullptr;  // null: no bytes
      }
      REEL_ASSIGN_OR_RETURN(auto entries, gather_entries(src, idx, bytes, 1));
      return ArrayData::make(type, n, nulls, {v, entries.first, entries.second});
    }
    case TypeId::kList: {
      auto v = validity();
      Sources child = src.children(0);
      const TypePtr& value_type = type->value_type();
      if (const int64_t width = value_type->flat_width(); width > 0) {
        // Entries of flat values (lists of primitives or of fixed-size lists of them): their
        // values are copied as bytes, entry runs at once, without a child index per value.
        if (auto base = flat_children(child); !base.empty()) {
          REEL_ASSIGN_OR_RETURN(auto entries, gather_entries(src, idx, base, width));
          const int64_t values = entries.first->data_as<int32_t>()[n];
          return ArrayData::make(type, n, nulls, {v, entries.first},
                                 {flat_array(value_type, values, 0, nullptr, entries.second)});
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

Result<ArrayPtr> checked_take(const Sources& src, std::span<const int64_t> indices) {
  const uint64_t total = uint64_t(src.total());
  bool null_indices = false;
  for (int64_t g : indices) {
    if (uint64_t(g) < total) continue;  // one predictable branch per index
    if (g != kNullIndex) {
      return Status::IndexError("take index " + std::to_string(g) + " out of bounds for length " +
                                std::to_string(total));
    }
    null_indices = true;
  }
  return take_from(src, indices, null_indices);
}

}  // namespace

Result<ArrayPtr> take(const ArrayData& array, std::span<const int64_t> indices) {
  std::byte buffer[1024];
  std::pmr::monotonic_buffer_resource arena(buffer, sizeof buffer);
  return checked_take(Sources(Vec<const ArrayData*>({&array}, &arena)), indices);
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
  return checked_take(Sources(sources), indices);
}

}  // namespace reel::arrow
