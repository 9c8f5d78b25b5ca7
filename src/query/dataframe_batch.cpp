// Materializing a dataframe batch's columns from their runs of cells (see
// dataframe_batch_internal.hpp).
#include <algorithm>
#include <cstring>

#include "query/dataframe_batch_internal.hpp"

namespace reel::dataframe::internal {

using arrow::ArrayPtr;

Result<ArrayPtr> BatchColumn::finish(const arrow::TypePtr& list_type) {
  // Slices pay off for runs of several rows; single cells go through take's indices.
  const bool long_runs = int64_t(runs_.size()) * 8 <= cells_;
  if (one_per_row_ && long_runs) return concat_values(list_type);
  std::vector<int64_t> indices = take_indices();
  if (one_per_row_) return take_values(list_type, indices);
  std::vector<ArrayPtr> sources;
  for (const ListColumn* l : lists_) sources.push_back(l->to_arrow());
  REEL_ASSIGN_OR_RETURN(auto taken, arrow::take(sources, indices));
  // The view's exact list type (the columns' Arrow form names its own item field).
  return arrow::ArrayData::make(list_type, taken->length, taken->null_count, taken->buffers,
                                taken->children, taken->offset);
}

int64_t BatchColumn::start_of(const ListColumn* list) {
  // A batch column's cells come from a few chunks, usually: a hash map only for many.
  if (lists_.size() <= 16) {
    for (size_t k = 0; k < lists_.size(); ++k) {
      if (lists_[k] == list) return starts_[k];
    }
  } else {
    if (index_.empty()) {
      for (size_t k = 0; k < lists_.size(); ++k) index_.emplace(lists_[k], starts_[k]);
    }
    if (auto it = index_.find(list); it != index_.end()) return it->second;
    index_.emplace(list, total_);
  }
  lists_.push_back(list);
  starts_.push_back(total_);
  const int64_t start = total_;
  total_ += list->length();
  one_per_row_ &= list->is_unit() && list->null_count() == 0;
  return start;
}

std::vector<int64_t> BatchColumn::take_indices() const {
  std::vector<int64_t> indices(static_cast<size_t>(cells_));
  int64_t* out = indices.data();
  for (const Run& r : runs_) {
    if (!r.list) {
      std::fill_n(out, r.n, arrow::kNullIndex);
    } else if (r.repeat) {
      std::fill_n(out, r.n, r.start + r.first);
    } else {
      for (int64_t i = 0; i < r.n; ++i) out[i] = r.start + r.first + i;
    }
    out += r.n;
  }
  return indices;
}

Result<std::pair<arrow::BufferPtr, arrow::BufferPtr>> BatchColumn::list_level(
    int64_t* nulls_out) const {
  const int64_t n = cells_;
  REEL_ASSIGN_OR_RETURN(auto offsets, arrow::Buffer::try_allocate_for_overwrite(size_t(n + 1) * 4));
  int32_t* o = offsets->mutable_data_as<int32_t>();
  o[0] = 0;
  std::shared_ptr<arrow::Buffer> validity;
  int64_t i = 0, nulls = 0;
  int32_t valid = 0;  // non-null cells so far: the next offset
  for (const Run& r : runs_) {
    if (!r.list) {
      if (!validity) {
        validity = arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(n)));
        std::memset(validity->mutable_data(), 0xFF, validity->size());
      }
      for (int64_t k = 0; k < r.n; ++k) {
        arrow::bit_util::clear_bit(validity->mutable_data(), i + k);
        o[i + k + 1] = valid;
      }
      nulls += r.n;
    } else {
      for (int64_t k = 0; k < r.n; ++k) o[i + k + 1] = valid + int32_t(k + 1);
      valid += int32_t(r.n);
    }
    i += r.n;
  }
  *nulls_out = nulls;
  return std::pair<arrow::BufferPtr, arrow::BufferPtr>(nulls ? validity : nullptr, offsets);
}

Result<ArrayPtr> BatchColumn::concat_values(const arrow::TypePtr& list_type) const {
  int64_t nulls = 0;
  REEL_ASSIGN_OR_RETURN(auto level, list_level(&nulls));
  std::vector<ArrayPtr> pieces;
  for (const Run& r : runs_) {
    if (!r.list) continue;
    const ArrayPtr& values = r.list->values();
    const int64_t at = r.list->value_offset(0) + r.first;
    if (!r.repeat) {
      pieces.push_back(values->slice(at, r.n));
    } else {
      const std::vector<int64_t> same(size_t(r.n), at);
      REEL_ASSIGN_OR_RETURN(auto repeated, arrow::take(*values, same));
      pieces.push_back(std::move(repeated));
    }
  }
  ArrayPtr values = arrow::make_null_array(list_type->value_type(), 0);  // empty, no nulls
  if (!pieces.empty()) {
    REEL_ASSIGN_OR_RETURN(values, arrow::concatenate_copy(pieces));
  }
  return arrow::ArrayData::make(list_type, cells_, nulls, {level.first, level.second},
                                {std::move(values)});
}

Result<ArrayPtr> BatchColumn::take_values(const arrow::TypePtr& list_type,
                                          std::vector<int64_t>& indices) {
  int64_t nulls = 0;
  REEL_ASSIGN_OR_RETURN(auto level, list_level(&nulls));
  int64_t kept = 0;
  for (int64_t idx : indices) {
    if (idx != arrow::kNullIndex) indices[size_t(kept++)] = idx;  // without the nulls
  }
  ArrayPtr values;
  if (lists_.empty()) {
    values = arrow::make_null_array(list_type->value_type(), 0);  // empty, no nulls
  } else {
    std::vector<ArrayPtr> sources;
    for (const ListColumn* l : lists_) {
      sources.push_back(l->values()->slice(l->value_offset(0), l->length()));
    }
    REEL_ASSIGN_OR_RETURN(
        values, arrow::take(sources, std::span<const int64_t>(indices.data(), size_t(kept))));
  }
  return arrow::ArrayData::make(list_type, cells_, nulls, {level.first, level.second},
                                {std::move(values)});
}

}  // namespace reel::dataframe::internal
