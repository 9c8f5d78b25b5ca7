#include "sdk/pending_table.hpp"

#include <algorithm>

namespace reel::internal {

namespace {

// Batches at least this large are referenced instead of copied when they have an owner;
// smaller ones are cheaper to copy than to keep as separate buffers.
constexpr size_t kAdoptMinBytes = 64 << 10;

// An array of `length` values of the flat type `type` over one contiguous buffer.
arrow::ArrayPtr make_flat_array(const arrow::TypePtr& type, arrow::BufferPtr buffer,
                                int64_t length) {
  if (type->id() == arrow::TypeId::kFixedSizeList) {
    auto child = make_flat_array(type->value_type(), std::move(buffer), length * type->list_size());
    return arrow::ArrayData::make(type, length, 0, {nullptr}, {std::move(child)});
  }
  return arrow::make_primitive_from_buffer(type, std::move(buffer), length);
}

// The contiguous bytes of a flat array without nulls (for Arrow-valued batches of flat types).
const uint8_t* flat_bytes(const arrow::ArrayData& a, int64_t width) {
  if (a.type->id() == arrow::TypeId::kFixedSizeList) {
    const arrow::ArrayData& child = *a.children[0];
    return flat_bytes(child, child.type->flat_width()) + a.offset * width;
  }
  return a.buffers[1]->data() + a.offset * width;
}

}  // namespace

PendingColumn::PendingColumn(ComponentDescriptor descriptor, const arrow::TypePtr& type,
                             int64_t null_rows)
    : descriptor_(descriptor), type_(type), width_(type->flat_width()) {
  if (type->id() == arrow::TypeId::kFixedSizeList &&
      type->value_type()->id() == arrow::TypeId::kFixedSizeList) {
    width_ = 0;  // nested fixed-size lists go through Arrow concatenation
  }
  unit_ = width_ > 0;
  if (!unit_) offsets_.append_value<int32_t>(0);
  for (int64_t i = 0; i < null_rows; ++i) append_null();
}

void PendingColumn::set_validity(bool valid) {
  if (valid && null_count_ == 0) return;
  if (null_count_ == 0) {
    validity_.resize(size_t(arrow::bit_util::bytes_for_bits(rows_ + 1)));
    std::memset(validity_.data(), 0xFF, validity_.size());
  } else if (validity_.size() < size_t(arrow::bit_util::bytes_for_bits(rows_ + 1))) {
    validity_.append_value<uint8_t>(0xFF);
  }
  arrow::bit_util::set_bit_to(validity_.data(), rows_, valid);
  if (!valid) ++null_count_;
}

void PendingColumn::materialize_offsets() {
  offsets_.reserve(size_t(rows_ + 2) * 4);
  for (int64_t i = 0; i <= rows_; ++i) offsets_.append_value<int32_t>(int32_t(i));
  unit_ = false;
}

void PendingColumn::copy_adopted() {
  if (!adopted_) return;
  values_.append(adopted_->data(), adopted_->size());
  adopted_.reset();
}

size_t PendingColumn::append(const ComponentBatch& batch) {
  const int64_t n = batch.num_instances;
  size_t bytes = 0;
  if (width_ > 0) {
    const void* src = batch.data;
    if (!src && batch.array) src = flat_bytes(*batch.array, width_);
    bytes = size_t(n * width_);
    if (rows_ == 0 && batch.owner && batch.data && bytes >= kAdoptMinBytes) {
      adopted_ = arrow::Buffer::wrap(batch.data, bytes, batch.owner);
    } else {
      copy_adopted();
      values_.append(src, bytes);
    }
  } else {
    arrays_.push_back(batch.array ? batch.array : batch.to_arrow());
    bytes = arrays_.back()->memory_bytes();
  }
  if (unit_ && n != 1) materialize_offsets();
  if (!unit_) {
    offsets_.append_value<int32_t>(int32_t(num_values_ + n));
    bytes += 4;
  }
  set_validity(true);
  num_values_ += n;
  ++rows_;
  return bytes;
}

size_t PendingColumn::append_null() {
  size_t bytes = 0;
  copy_adopted();
  if (unit_) {
    values_.resize(values_.size() + size_t(width_));  // a zeroed placeholder slot
    ++num_values_;
    bytes = size_t(width_);
  } else {
    offsets_.append_value<int32_t>(int32_t(num_values_));
    bytes = 4;
  }
  set_validity(false);
  ++rows_;
  return bytes;
}

Result<ListColumn> PendingColumn::finish() {
  arrow::ArrayPtr values;
  if (width_ > 0) {
    arrow::BufferPtr flat = adopted_ ? std::move(adopted_) : values_.finish();
    adopted_.reset();
    values = make_flat_array(type_, std::move(flat), num_values_);
  } else if (arrays_.empty()) {
    values = arrow::make_null_array(type_, 0);
    auto empty = std::make_shared<arrow::ArrayData>(*values);
    empty->null_count = 0;
    values = empty;
  } else {
    REEL_ASSIGN_OR_RETURN(values, arrow::concatenate(arrays_));
    arrays_.clear();
  }
  arrow::BufferPtr validity = null_count_ ? validity_.finish() : nullptr;
  if (unit_) return ListColumn::unit(values, validity, null_count_);
  return ListColumn::with_offsets(values, offsets_.finish(), rows_, validity, null_count_);
}

void PendingColumn::reset(int64_t expected_rows) {
  values_.clear();
  adopted_.reset();
  arrays_.clear();
  offsets_.clear();
  validity_.clear();
  null_count_ = rows_ = num_values_ = 0;
  unit_ = width_ > 0;
  if (width_ > 0) values_.reserve(size_t(expected_rows * width_));
  if (!unit_) offsets_.append_value<int32_t>(0);
}

// ---------------------------------------------------------------------------------------

PendingTable::PendingTable(EntityPath entity, const TimelineSet* timelines)
    : entity_(std::move(entity)), timelines_(timelines) {
  times_.resize(timelines->timelines.size());
}

void PendingTable::set_timelines(const TimelineSet* timelines) {
  if (timelines == timelines_) return;
  timelines_ = timelines;
  times_.clear();
  times_.resize(timelines->timelines.size());
}

PendingColumn& PendingTable::column_for(const ComponentBatch& batch, size_t hint) {
  if (hint < columns_.size() && columns_[hint].descriptor() == batch.descriptor) {
    return columns_[hint];
  }
  for (auto& c : columns_) {
    if (c.descriptor() == batch.descriptor) return c;
  }
  columns_.emplace_back(batch.descriptor, *batch.type, num_rows_);
  return columns_.back();
}

Status PendingTable::check_types(const ComponentBatchList& batches) const {
  for (const auto& b : batches) {
    for (const auto& c : columns_) {
      if (c.descriptor() == b.descriptor && c.type() != *b.type &&
          !arrow::type_equals(c.type(), *b.type)) {
        return Status::TypeError("component " + b.descriptor.identifier() + " of " + entity_.str() +
                                 " was logged as " + c.type()->to_string() + ", now as " +
                                 (*b.type)->to_string());
      }
    }
  }
  return Status::OK();
}

void PendingTable::append(RowId row_id, const TimeInt* times, const ComponentBatchList& batches) {
  row_ids_.append_value(row_id);
  for (size_t t = 0; t < times_.size(); ++t) times_[t].append_value(times[t]);
  uint64_t bytes = sizeof(RowId) + times_.size() * sizeof(TimeInt);
  for (size_t i = 0; i < batches.size(); ++i) {
    bytes += column_for(batches[i], i).append(batches[i]);
  }
  ++num_rows_;
  if (columns_.size() != batches.size()) {
    for (auto& c : columns_) {
      if (c.rows() < num_rows_) bytes += c.append_null();
    }
  }
  num_bytes_ += bytes;
}

Result<std::vector<ChunkPtr>> PendingTable::cut(uint64_t max_rows_if_unsorted) {
  std::vector<ChunkPtr> out;
  const int64_t n = num_rows_;
  if (n == 0) return out;
  // Usually a few arithmetic runs (see RowIdColumn); copied only when they do not compress.
  RowIdColumn row_ids = RowIdColumn::from_ids({row_ids_.data_as<RowId>(), size_t(n)});
  row_ids_.clear();
  row_ids_.reserve(size_t(n) * sizeof(RowId));
  std::vector<TimeColumn> times;
  bool sorted = true;
  for (size_t t = 0; t < times_.size(); ++t) {
    times.push_back(TimeColumn::make(timelines_->timelines[t], times_[t].finish(), 0, n));
    sorted &= times.back().is_sorted();
    times_[t].reserve(size_t(n) * sizeof(TimeInt));
  }
  // A column that got no data since the last cut is left out, and dropped from the table.
  std::erase_if(columns_, [](const PendingColumn& c) { return c.all_null(); });
  std::vector<ComponentColumn> components;
  components.reserve(columns_.size());
  for (auto& c : columns_) {
    REEL_ASSIGN_OR_RETURN(auto list, c.finish());
    components.push_back({c.descriptor(), std::move(list)});
    c.reset(n);
  }
  num_rows_ = 0;
  num_bytes_ = 0;
  REEL_ASSIGN_OR_RETURN(auto chunk, Chunk::make(RowId::create_cached(), entity_, std::move(row_ids),
                                                std::move(times), std::move(components)));
  if (!sorted && uint64_t(n) > max_rows_if_unsorted)
    return chunk->split(int64_t(max_rows_if_unsorted));
  out.push_back(std::move(chunk));
  return out;
}

}  // namespace reel::internal
