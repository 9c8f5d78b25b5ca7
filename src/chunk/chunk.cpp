#include "reel/chunk/chunk.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace reel {

using arrow::ArrayPtr;
using arrow::BufferPtr;

// ---------------------------------------------------------------------------------------
// Chunk

Result<ChunkPtr> Chunk::make(ChunkId id, EntityPath entity_path, RowIdColumn row_ids,
                             std::vector<TimeColumn> timelines,
                             std::vector<ComponentColumn> components) {
  const int64_t n = row_ids.length();
  auto where = [&] { return "chunk " + id.to_string() + " of " + entity_path.str() + ": "; };
  std::sort(timelines.begin(), timelines.end(),
            [](const TimeColumn& a, const TimeColumn& b) { return a.name() < b.name(); });
  for (size_t i = 0; i < timelines.size(); ++i) {
    if (timelines[i].length() != n) {
      return Status::Invalid(where() + "time column '" + timelines[i].name() + "' has " +
                             std::to_string(timelines[i].length()) + " rows, expected " +
                             std::to_string(n));
    }
    if (i > 0 && timelines[i].name() == timelines[i - 1].name()) {
      return Status::Invalid(where() + "timeline '" + timelines[i].name() + "' appears twice");
    }
  }
  for (size_t i = 0; i < components.size(); ++i) {
    const auto& c = components[i];
    if (c.list.length() != n) {
      return Status::Invalid(where() + "component '" + c.descriptor.identifier() + "' has " +
                             std::to_string(c.list.length()) + " rows, expected " +
                             std::to_string(n));
    }
    if (!c.list.values()) {
      return Status::Invalid(where() + "component '" + c.descriptor.identifier() +
                             "' has no values");
    }
    // The null count is a statistic like the others (ListColumn::unit takes it on trust):
    // num_non_null, component_time_range and densified rely on it.
    if (const auto& bits = c.list.validity(); bits && c.list.null_count() > 0) {
      const int64_t offset = c.list.validity_offset();
      if (int64_t(bits->size()) < arrow::bit_util::bytes_for_bits(offset + n)) {
        return Status::Invalid(where() + "component '" + c.descriptor.identifier() +
                               "' has a validity bitmap of " + std::to_string(bits->size()) +
                               " bytes for " + std::to_string(n) + " rows");
      }
      const int64_t nulls = n - arrow::bit_util::count_set_bits(bits->data(), offset, n);
      if (nulls != c.list.null_count()) {
        return Status::Invalid(where() + "component '" + c.descriptor.identifier() + "' claims " +
                               std::to_string(c.list.null_count()) +
                               " null rows but its validity bitmap has " + std::to_string(nulls));
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (components[j].descriptor == c.descriptor) {
        return Status::Invalid(where() + "component '" + c.descriptor.identifier() +
                               "' appears twice");
      }
    }
  }
  auto chunk = std::shared_ptr<Chunk>(new Chunk());
  chunk->id_ = id;
  chunk->entity_path_ = std::move(entity_path);
  chunk->row_ids_ = std::move(row_ids);
  chunk->timelines_ = std::move(timelines);
  chunk->components_ = std::move(components);
  return ChunkPtr(std::move(chunk));
}

const TimeColumn* Chunk::timeline(std::string_view name) const {
  for (const auto& t : timelines_) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

const ComponentColumn* Chunk::component(const ComponentDescriptor& descriptor) const {
  for (const auto& c : components_) {
    if (c.descriptor == descriptor) return &c;
  }
  return nullptr;
}

TimeRange Chunk::component_time_range(std::string_view timeline_name,
                                      const ComponentDescriptor& descriptor) const {
  const TimeColumn* t = timeline(timeline_name);
  const ComponentColumn* c = component(descriptor);
  if (!t || !c) return {};
  if (c->list.null_count() == 0) return t->range();
  TimeRange r;
  if (c->list.null_count() == num_rows()) return r;
  for (int64_t i = 0; i < num_rows(); ++i) {
    if (c->list.is_valid(i)) r.extend((*t)[i]);
  }
  return r;
}

int64_t Chunk::num_non_null(const ComponentDescriptor& descriptor) const {
  const ComponentColumn* c = component(descriptor);
  return c ? c->list.length() - c->list.null_count() : 0;
}

ChunkPtr Chunk::slice(int64_t start, int64_t length) const {
  start = std::clamp<int64_t>(start, 0, num_rows());
  length = std::clamp<int64_t>(length, 0, num_rows() - start);
  if (start == 0 && length == num_rows()) return shared_from_this();
  auto c = std::shared_ptr<Chunk>(new Chunk());
  c->id_ = id_;
  c->entity_path_ = entity_path_;
  c->row_ids_ = row_ids_.slice(start, length);
  for (const auto& t : timelines_) c->timelines_.push_back(t.slice(start, length));
  for (const auto& comp : components_) {
    c->components_.push_back({comp.descriptor, comp.list.slice(start, length)});
  }
  return c;
}

Result<ChunkPtr> Chunk::take(std::span<const int64_t> rows) const {
  for (int64_t r : rows) {
    if (r < 0 || r >= num_rows()) {
      return Status::IndexError("row " + std::to_string(r) + " out of bounds for chunk of " +
                                std::to_string(num_rows()) + " rows (" + entity_path_.str() + ")");
    }
  }
  auto c = std::shared_ptr<Chunk>(new Chunk());
  c->id_ = id_;
  c->entity_path_ = entity_path_;
  c->row_ids_ = row_ids_.take(rows);
  for (const auto& t : timelines_) {
    auto buffer = arrow::Buffer::allocate(rows.size() * sizeof(TimeInt));
    TimeInt* out = buffer->mutable_data_as<TimeInt>();
    for (size_t i = 0; i < rows.size(); ++i) out[i] = t[rows[i]];
    c->timelines_.push_back(TimeColumn::make(t.timeline(), buffer, 0, int64_t(rows.size())));
  }
  for (const auto& comp : components_) {
    REEL_ASSIGN_OR_RETURN(auto list, comp.list.take(rows));
    c->components_.push_back({comp.descriptor, std::move(list)});
  }
  return ChunkPtr(std::move(c));
}

ChunkPtr Chunk::sorted_by_row_id() const {
  if (is_sorted()) return shared_from_this();
  std::vector<int64_t> order(static_cast<size_t>(num_rows()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return row_ids_[a] < row_ids_[b]; });
  return take(order).value_or_die();  // indices are in range by construction
}

bool Chunk::is_sorted_by_timeline(std::string_view name) const {
  const TimeColumn* t = timeline(name);
  if (!t) return false;
  if (!t->is_sorted()) return false;
  if (row_ids_.is_sorted()) return true;
  for (int64_t i = 1; i < num_rows(); ++i) {
    if ((*t)[i] == (*t)[i - 1] && row_ids_[i] < row_ids_[i - 1]) return false;
  }
  return true;
}

Result<ChunkPtr> Chunk::sorted_by_timeline(std::string_view name) const {
  const TimeColumn* t = timeline(name);
  if (!t) {
    return Status::NotFound("chunk of " + entity_path_.str() + " has no timeline '" +
                            std::string(name) + "'");
  }
  if (is_sorted_by_timeline(name)) return shared_from_this();
  std::vector<int64_t> order(static_cast<size_t>(num_rows()));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    TimeInt ta = (*t)[a], tb = (*t)[b];
    return ta < tb || (ta == tb && row_ids_[a] < row_ids_[b]);
  });
  return take(order);
}

ChunkPtr Chunk::densified(const ComponentDescriptor& descriptor) const {
  const ComponentColumn* c = component(descriptor);
  if (!c || c->list.null_count() == 0) return shared_from_this();
  std::vector<int64_t> rows;
  rows.reserve(size_t(num_rows() - c->list.null_count()));
  for (int64_t i = 0; i < num_rows(); ++i) {
    if (c->list.is_valid(i)) rows.push_back(i);
  }
  return take(rows).value_or_die();
}

ChunkPtr Chunk::with_components(std::span<const ComponentDescriptor> keep) const {
  auto c = std::shared_ptr<Chunk>(new Chunk(*this));
  c->components_.clear();
  for (const auto& comp : components_) {
    if (std::find(keep.begin(), keep.end(), comp.descriptor) != keep.end()) {
      c->components_.push_back(comp);
    }
  }
  return c;
}

ChunkPtr Chunk::without_timeline(std::string_view name) const {
  auto c = std::shared_ptr<Chunk>(new Chunk(*this));
  std::erase_if(c->timelines_, [&](const TimeColumn& t) { return t.name() == name; });
  return c;
}

std::vector<ChunkPtr> Chunk::split(int64_t max_rows) const {
  std::vector<ChunkPtr> out;
  if (max_rows <= 0 || num_rows() <= max_rows) {
    out.push_back(shared_from_this());
    return out;
  }
  for (int64_t start = 0; start < num_rows(); start += max_rows) {
    out.push_back(slice(start, max_rows)->with_id(RowId::create()));
  }
  return out;
}

ChunkPtr Chunk::copy_buffers() const {
  auto c = std::shared_ptr<Chunk>(new Chunk());
  c->id_ = id_;
  c->entity_path_ = entity_path_;
  c->row_ids_ = row_ids_.copy();
  for (const auto& t : timelines_) {
    c->timelines_.push_back(TimeColumn::make(
        t.timeline(), arrow::Buffer::copy_of(t.data(), size_t(t.length()) * sizeof(TimeInt)), 0,
        t.length()));
  }
  for (const auto& comp : components_)
    c->components_.push_back({comp.descriptor, comp.list.copy()});
  return c;
}

ChunkPtr Chunk::with_id(ChunkId id) const {
  auto c = std::shared_ptr<Chunk>(new Chunk(*this));
  c->id_ = id;
  return c;
}

bool Chunk::is_concatenable_with(const Chunk& other) const {
  if (!(entity_path_ == other.entity_path_) || timelines_.size() != other.timelines_.size()) {
    return false;
  }
  for (size_t i = 0; i < timelines_.size(); ++i) {
    if (!(timelines_[i].timeline() == other.timelines_[i].timeline())) return false;
  }
  for (const auto& c : components_) {
    const ComponentColumn* o = other.component(c.descriptor);
    if (o && !arrow::type_equals(o->list.value_type(), c.list.value_type())) return false;
  }
  return true;
}

bool Chunk::same_schema(const Chunk& other) const {
  if (!is_concatenable_with(other) || components_.size() != other.components_.size()) return false;
  for (const auto& c : components_) {
    if (!other.component(c.descriptor)) return false;
  }
  return true;
}

Result<ChunkPtr> Chunk::concatenate(std::span<const ChunkPtr> chunks) {
  if (chunks.empty()) return Status::Invalid("concatenate needs at least one chunk");
  const Chunk& first = *chunks[0];
  for (const auto& c : chunks) {
    if (!first.is_concatenable_with(*c)) {
      return Status::Invalid("cannot concatenate chunk of " + c->entity_path().str() +
                             " with chunk of " + first.entity_path().str() +
                             ": entity, timelines or component types differ");
    }
  }
  int64_t total = 0;
  for (const auto& c : chunks) total += c->num_rows();

  std::vector<const RowIdColumn*> ids;
  for (const auto& c : chunks) ids.push_back(&c->row_ids_);
  RowIdColumn row_ids = RowIdColumn::concatenate(ids);

  std::vector<TimeColumn> timelines;
  for (size_t t = 0; t < first.timelines_.size(); ++t) {
    auto buffer = arrow::Buffer::allocate(size_t(total) * sizeof(TimeInt));
    TimeInt* out = buffer->mutable_data_as<TimeInt>();
    for (const auto& c : chunks) {
      const TimeColumn& col = c->timelines_[t];
      if (col.length()) std::memcpy(out, col.data(), size_t(col.length()) * sizeof(TimeInt));
      out += col.length();
    }
    timelines.push_back(TimeColumn::make(first.timelines_[t].timeline(), buffer, 0, total));
  }

  // Components in order of first appearance; absent ones are null rows.
  std::vector<ComponentColumn> components;
  std::vector<ComponentDescriptor> order;
  std::unordered_map<ComponentDescriptor, arrow::TypePtr> types;
  for (const auto& c : chunks) {
    for (const auto& comp : c->components_) {
      if (types.emplace(comp.descriptor, comp.list.value_type()).second) {
        order.push_back(comp.descriptor);
      }
    }
  }
  for (const auto& d : order) {
    std::vector<ListColumn> filled;
    filled.reserve(chunks.size());
    for (const auto& c : chunks) {
      const ComponentColumn* comp = c->component(d);
      filled.push_back(comp ? comp->list : ListColumn::nulls(types[d], c->num_rows()));
    }
    std::vector<const ListColumn*> ptrs;
    for (const auto& f : filled) ptrs.push_back(&f);
    REEL_ASSIGN_OR_RETURN(auto list, ListColumn::concatenate(ptrs));
    components.push_back({d, std::move(list)});
  }
  return make(RowId::create(), first.entity_path_, std::move(row_ids), std::move(timelines),
              std::move(components));
}

void Chunk::collect_buffers(std::vector<std::pair<const void*, size_t>>& out) const {
  row_ids_.collect_buffers(out);
  for (const auto& t : timelines_) {
    if (t.buffer()) out.emplace_back(t.buffer()->memory_key(), t.buffer()->memory_bytes());
  }
  for (const auto& c : components_) c.list.collect_buffers(out);
}

size_t Chunk::overhead_bytes() const {
  return sizeof(Chunk) + timelines_.capacity() * sizeof(TimeColumn) +
         components_.capacity() * sizeof(ComponentColumn) + row_ids_.runs_bytes();
}

size_t Chunk::heap_size_bytes() const {
  std::vector<std::pair<const void*, size_t>> buffers;
  collect_buffers(buffers);
  std::unordered_set<const void*> seen;
  size_t total = overhead_bytes();
  for (auto& [key, bytes] : buffers) {
    if (seen.insert(key).second) total += bytes;
  }
  return total;
}

bool Chunk::content_equals(const Chunk& other) const {
  if (!(entity_path_ == other.entity_path_) || num_rows() != other.num_rows()) return false;
  for (int64_t i = 0; i < num_rows(); ++i) {
    if (!(row_ids_[i] == other.row_ids_[i])) return false;
  }
  if (timelines_.size() != other.timelines_.size()) return false;
  for (size_t t = 0; t < timelines_.size(); ++t) {
    if (!(timelines_[t].timeline() == other.timelines_[t].timeline())) return false;
    if (!std::equal(timelines_[t].times().begin(), timelines_[t].times().end(),
                    other.timelines_[t].times().begin())) {
      return false;
    }
  }
  if (components_.size() != other.components_.size()) return false;
  for (const auto& c : components_) {
    const ComponentColumn* o = other.component(c.descriptor);
    if (!o || !c.list.equals(o->list)) return false;
  }
  return true;
}

std::string Chunk::to_string(int64_t max_rows) const {
  std::string s = "Chunk " + id_.to_string() + " " + entity_path_.str() + " (" +
                  std::to_string(num_rows()) + " rows" + (is_static() ? ", static" : "") +
                  (is_sorted() ? "" : ", unsorted") + ")\n";
  for (int64_t i = 0; i < num_rows() && i < max_rows; ++i) {
    s += "  " + row_ids_[i].to_string();
    for (const auto& t : timelines_)
      s += " " + t.name() + "=" + format_time(t.timeline().type(), t[i]);
    for (const auto& c : components_) {
      s += " " + c.descriptor.identifier() + "=";
      s += c.list.is_valid(i) ? arrow::array_to_string(*c.list.row_values(i), 8) : "null";
    }
    s += "\n";
  }
  if (num_rows() > max_rows) s += "  ... " + std::to_string(num_rows() - max_rows) + " more rows\n";
  return s;
}

// ---------------------------------------------------------------------------------------
// ChunkBuilder

ChunkBuilder& ChunkBuilder::add_row(RowId row_id, std::vector<TimePoint> times,
                                    std::vector<Cell> cells) {
  rows_.push_back({row_id, std::move(times), std::move(cells)});
  return *this;
}

Result<ChunkPtr> ChunkBuilder::build(ChunkId id) {
  const int64_t n = int64_t(rows_.size());
  std::vector<Timeline> timelines;
  if (!rows_.empty()) {
    for (const auto& tp : rows_[0].times) timelines.push_back(tp.timeline);
  }
  std::vector<TimeColumn> time_columns;
  for (size_t t = 0; t < timelines.size(); ++t) {
    std::vector<TimeInt> values;
    for (const auto& row : rows_) {
      if (row.times.size() != timelines.size()) {
        return Status::Invalid("rows of a chunk of " + entity_path_.str() +
                               " must share one set of timelines");
      }
      auto it = std::find_if(row.times.begin(), row.times.end(),
                             [&](const TimePoint& tp) { return tp.timeline == timelines[t]; });
      if (it == row.times.end()) {
        return Status::Invalid("a row of " + entity_path_.str() + " lacks timeline '" +
                               timelines[t].name() + "'");
      }
      values.push_back(it->time);
    }
    time_columns.push_back(TimeColumn::make(timelines[t], values));
  }
  std::vector<RowId> ids;
  for (const auto& row : rows_) ids.push_back(row.row_id);

  std::vector<ComponentDescriptor> order;
  std::unordered_map<ComponentDescriptor, arrow::TypePtr> types;
  for (const auto& row : rows_) {
    for (const auto& cell : row.cells) {
      if (!cell.instances) continue;
      auto [it, inserted] = types.emplace(cell.descriptor, cell.instances->type);
      if (inserted) {
        order.push_back(cell.descriptor);
      } else if (!arrow::type_equals(it->second, cell.instances->type)) {
        return Status::TypeError("component '" + cell.descriptor.identifier() + "' of " +
                                 entity_path_.str() + " logged as " + it->second->to_string() +
                                 " and as " + cell.instances->type->to_string());
      }
    }
  }
  std::vector<ComponentColumn> components;
  for (const auto& d : order) {
    std::vector<ArrayPtr> parts;
    std::vector<int32_t> offsets = {0};
    auto validity = arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(n)));
    int64_t nulls = 0;
    for (int64_t r = 0; r < n; ++r) {
      const Cell* cell = nullptr;
      for (const auto& c : rows_[size_t(r)].cells) {
        if (c.descriptor == d) cell = &c;
      }
      if (cell && cell->instances) {
        parts.push_back(cell->instances);
        offsets.push_back(offsets.back() + int32_t(cell->instances->length));
        arrow::bit_util::set_bit(validity->mutable_data(), r);
      } else {
        offsets.push_back(offsets.back());
        ++nulls;
      }
    }
    REEL_ASSIGN_OR_RETURN(auto values, arrow::concatenate(parts));
    REEL_ASSIGN_OR_RETURN(auto list, arrow::make_list(offsets, values, validity, nulls));
    REEL_ASSIGN_OR_RETURN(auto column, ListColumn::from_arrow(list, true));
    components.push_back({d, std::move(column)});
  }
  auto chunk = Chunk::make(id, entity_path_, RowIdColumn::from_ids(ids), std::move(time_columns),
                           std::move(components));
  rows_.clear();
  return chunk;
}

}  // namespace reel
