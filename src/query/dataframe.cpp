#include "reel/query/dataframe.hpp"

#include <algorithm>
#include <set>

namespace reel::dataframe {

using arrow::ArrayPtr;

Result<std::pair<EntityPath, std::string>> parse_column_name(std::string_view name) {
  // "/entity/path:Archetype:field" or "/entity/path:field": the entity is everything before
  // the first ':' that follows the path (entity path parts escape ':' with a backslash).
  size_t colon = std::string_view::npos;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
      continue;
    }
    if (name[i] == ':') {
      colon = i;
      break;
    }
  }
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= name.size()) {
    return Status::Invalid("column '" + std::string(name) +
                           "' is not of the form /entity/path:Archetype:field");
  }
  auto entity = EntityPath::parse(name.substr(0, colon));
  if (!entity.ok()) return entity.status().with_context("column '" + std::string(name) + "'");
  return std::make_pair(std::move(*entity), std::string(name.substr(colon + 1)));
}

Result<std::vector<arrow::RecordBatch>> RecordBatchReader::read_all() {
  std::vector<arrow::RecordBatch> out;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto batch, next());
    if (!batch) break;
    out.push_back(std::move(*batch));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// View construction

namespace {

std::string column_name(const EntityPath& entity, const ComponentDescriptor& d) {
  return entity.str() + ":" + d.identifier();
}

ColumnDescription describe(const ChunkStore& store, const EntityPath& entity,
                           const ComponentDescriptor& d, const arrow::TypePtr& element) {
  ColumnDescription c;
  c.name = column_name(entity, d);
  c.entity = entity;
  c.component = d;
  c.type = arrow::list(element);
  c.is_static = store.latest_static(entity, d).has_value();
  return c;
}

}  // namespace

Result<View> View::create(std::shared_ptr<const ChunkStore> store, std::optional<std::string> index,
                          std::string_view contents) {
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(contents));
  std::map<EntityPath, std::vector<ComponentDescriptor>> map;
  for (const auto& e : store->entities()) {
    if (filter.matches(e)) map[e] = {};
  }
  return create(std::move(store), std::move(index), std::move(map));
}

Result<View> View::create(std::shared_ptr<const ChunkStore> store, std::optional<std::string> index,
                          std::map<EntityPath, std::vector<ComponentDescriptor>> contents) {
  if (!store) return Status::Invalid("dataframe view of a null store");
  if (index) {
    auto timelines = store->timelines();
    bool known = std::any_of(timelines.begin(), timelines.end(),
                             [&](const Timeline& t) { return t.name() == *index; });
    if (!known) {
      std::string names;
      for (const auto& t : timelines) names += (names.empty() ? "" : ", ") + t.name();
      return Status::NotFound("no timeline '" + *index + "' in the recording (timelines: " +
                              (names.empty() ? "none" : names) + ")");
    }
  }
  View v;
  v.store_ = std::move(store);
  v.index_ = std::move(index);
  for (const auto& [entity, wanted] : contents) {
    auto available = v.store_->components(entity);
    if (wanted.empty()) {
      for (const auto& [d, type] : available) v.columns_.push_back(describe(*v.store_, entity, d, type));
      continue;
    }
    for (const auto& d : wanted) {
      auto it = std::find_if(available.begin(), available.end(),
                             [&](const auto& a) { return a.first == d; });
      if (it == available.end()) {
        return Status::NotFound("entity " + entity.str() + " has no component " + d.identifier());
      }
      v.columns_.push_back(describe(*v.store_, entity, d, it->second));
    }
  }
  if (!v.index_) {
    std::erase_if(v.columns_, [](const ColumnDescription& c) { return !c.is_static; });
  }
  return v;
}

View View::filter_range(TimeInt t0, TimeInt t1) const {
  View v = *this;
  v.range_ = {std::max(range_.min, t0), std::min(range_.max, t1)};
  return v;
}

View View::filter_index_values(std::vector<TimeInt> values) const {
  View v = *this;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (filter_values_) {
    std::vector<TimeInt> both;
    std::set_intersection(values.begin(), values.end(), filter_values_->begin(),
                          filter_values_->end(), std::back_inserter(both));
    values = std::move(both);
  }
  v.filter_values_ = std::move(values);
  return v;
}

namespace {

Status unknown_column(std::string_view name, const std::vector<ColumnDescription>& columns) {
  std::string names;
  size_t shown = 0;
  for (const auto& c : columns) {
    if (shown++ == 12) {
      names += ", ...";
      break;
    }
    names += (names.empty() ? "" : ", ") + c.name;
  }
  return Status::NotFound("unknown column '" + std::string(name) + "' (columns: " +
                          (names.empty() ? "none" : names) + ")");
}

}  // namespace

Result<View> View::filter_is_not_null(std::string_view column) const {
  auto it = std::find_if(columns_.begin(), columns_.end(),
                         [&](const ColumnDescription& c) { return c.name == column; });
  if (it == columns_.end()) {
    // The column need not be selected, but it must exist in the recording.
    REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(column));
    bool exists = false;
    for (const auto& [d, type] : store_->components(parsed.first)) {
      exists |= column_name(parsed.first, d) == column;
    }
    if (!exists) return unknown_column(column, columns_);
  }
  View v = *this;
  v.not_null_.emplace_back(column);
  return v;
}

View View::using_index_values(std::vector<TimeInt> values) const {
  View v = *this;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  v.using_values_ = std::move(values);
  return v;
}

View View::fill_latest_at() const {
  View v = *this;
  v.fill_ = true;
  return v;
}

Result<View> View::select(std::vector<std::string> columns) const {
  View v = *this;
  v.columns_.clear();
  for (const auto& name : columns) {
    if (index_ && name == *index_) continue;  // the index is always there
    auto it = std::find_if(columns_.begin(), columns_.end(),
                           [&](const ColumnDescription& c) { return c.name == name; });
    if (it == columns_.end()) return unknown_column(name, columns_);
    v.columns_.push_back(*it);
  }
  return v;
}

View View::select_static() const {
  View v = *this;
  v.index_.reset();
  std::erase_if(v.columns_, [](const ColumnDescription& c) { return !c.is_static; });
  return v;
}

View View::with_batch_rows(int64_t rows) const {
  View v = *this;
  v.batch_rows_ = std::max<int64_t>(1, rows);
  return v;
}

std::vector<ColumnDescription> View::schema() const {
  std::vector<ColumnDescription> out;
  if (index_) {
    ColumnDescription c;
    c.name = *index_;
    c.type = arrow::int64();
    c.is_index = true;
    out.push_back(std::move(c));
  }
  out.insert(out.end(), columns_.begin(), columns_.end());
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading

namespace {

// One component column's data on the index timeline: non-null rows sorted by (time, RowId),
// as a sequence of chunks, consumed front to back.
struct Cursor {
  std::vector<ChunkPtr> chunks;
  std::vector<const TimeColumn*> times;
  std::vector<const ListColumn*> lists;
  size_t chunk = 0;
  int64_t row = 0;

  bool done() const { return chunk >= chunks.size(); }
  TimeInt time() const { return times[chunk]->time_at(row); }
  void advance() {
    if (++row >= chunks[chunk]->num_rows()) {
      ++chunk;
      row = 0;
    }
  }
};

// Where a cell's value comes from: a row of a chunk, or nothing (null).
struct CellRef {
  const Chunk* chunk = nullptr;
  const ListColumn* list = nullptr;
  int64_t row = 0;
};

struct ColumnState {
  ColumnDescription desc;
  Cursor cursor;
  CellRef last;           // the latest row consumed (for fill)
  CellRef static_value;   // set for static columns
  std::vector<ChunkPtr> keep;  // keeps `last` / `static_value` chunks alive
};

// Builds a list<T> array for a batch from cell references.
ArrayPtr materialize(const arrow::TypePtr& list_type, const std::vector<CellRef>& cells) {
  const int64_t n = int64_t(cells.size());
  const arrow::TypePtr& element = list_type->value_type();
  const int64_t width = element->id() == arrow::TypeId::kFixedSizeList &&
                                element->value_type()->id() == arrow::TypeId::kFixedSizeList
                            ? 0
                            : element->flat_width();
  bool fast = width > 0;
  for (const auto& c : cells) {
    if (c.list && (!c.list->is_unit() || !c.list->is_valid(c.row))) {
      fast = false;
      break;
    }
  }
  if (fast) {
    // One value per cell: bulk copies into one values buffer; runs of consecutive source rows
    // become a single memcpy.
    auto values = arrow::Buffer::allocate(size_t(n * width));
    auto offsets = arrow::Buffer::allocate(size_t(n + 1) * 4);
    int32_t* o = offsets->mutable_data_as<int32_t>();
    arrow::BufferPtr validity;
    int64_t nulls = 0;
    std::shared_ptr<arrow::Buffer> bits;
    uint8_t* dst = values->mutable_data();
    for (int64_t i = 0; i < n;) {
      const CellRef& c = cells[size_t(i)];
      if (!c.list) {
        if (!bits) {
          bits = arrow::Buffer::allocate(size_t(arrow::bit_util::bytes_for_bits(n)));
          std::memset(bits->mutable_data(), 0xFF, bits->size());
        }
        arrow::bit_util::clear_bit(bits->mutable_data(), i);
        ++nulls;
        ++i;
        continue;
      }
      int64_t j = i + 1;
      while (j < n && cells[size_t(j)].list == c.list && cells[size_t(j)].row == c.row + (j - i)) ++j;
      const arrow::ArrayData& src = *c.list->values();
      const uint8_t* base = element->id() == arrow::TypeId::kFixedSizeList
                                ? src.children[0]->buffers[1]->data() +
                                      (src.children[0]->offset + src.offset * element->list_size()) *
                                          element->value_type()->flat_width()
                                : src.buffers[1]->data() + src.offset * width;
      std::memcpy(dst + i * width, base + c.list->value_offset(c.row) * width, size_t((j - i) * width));
      i = j;
    }
    for (int64_t i = 0; i <= n; ++i) o[i] = int32_t(i);
    if (nulls) validity = bits;
    auto child = std::make_shared<arrow::ArrayData>();
    if (element->id() == arrow::TypeId::kFixedSizeList) {
      auto prim = arrow::make_primitive_from_buffer(element->value_type(), values,
                                                    n * element->list_size());
      child->type = element;
      child->length = n;
      child->buffers = {nullptr};
      child->children = {prim};
    } else {
      child = std::make_shared<arrow::ArrayData>(*arrow::make_primitive_from_buffer(element, values, n));
    }
    auto out = std::make_shared<arrow::ArrayData>();
    out->type = list_type;
    out->length = n;
    out->null_count = nulls;
    out->buffers = {validity, offsets};
    out->children = {child};
    return out;
  }
  // General: slices of the source columns (runs of consecutive rows) and null runs,
  // concatenated.
  std::vector<ArrayPtr> parts;
  for (int64_t i = 0; i < n;) {
    const CellRef& c = cells[size_t(i)];
    int64_t j = i + 1;
    if (!c.list) {
      while (j < n && !cells[size_t(j)].list) ++j;
      parts.push_back(arrow::make_null_array(list_type, j - i));
    } else {
      while (j < n && cells[size_t(j)].list == c.list && cells[size_t(j)].row == c.row + (j - i)) ++j;
      auto slice = c.list->slice(c.row, j - i).to_arrow();
      // Normalize the child field so every part has the output's exact list type.
      auto fixed = std::make_shared<arrow::ArrayData>(*slice);
      fixed->type = list_type;
      parts.push_back(fixed);
    }
    i = j;
  }
  if (parts.empty()) return arrow::make_null_array(list_type, 0);
  return arrow::concatenate_copy(parts).value();  // parts share one type
}

class Reader final : public RecordBatchReader {
 public:
  Reader(arrow::SchemaPtr schema, std::vector<ColumnState> columns, bool has_index, bool fill,
         std::optional<std::vector<TimeInt>> filter_values, std::optional<std::vector<TimeInt>> using_values,
         std::vector<size_t> not_null, TimeRange range, int64_t batch_rows, size_t visible)
      : visible_(visible),
        schema_(std::move(schema)),
        columns_(std::move(columns)),
        has_index_(has_index),
        fill_(fill),
        filter_values_(std::move(filter_values)),
        using_values_(std::move(using_values)),
        not_null_(std::move(not_null)),
        range_(range),
        batch_rows_(batch_rows) {}

  const arrow::SchemaPtr& schema() const override { return schema_; }

  Result<std::optional<arrow::RecordBatch>> next() override {
    if (done_) return std::optional<arrow::RecordBatch>();
    std::vector<TimeInt> index;
    std::vector<std::vector<CellRef>> cells(columns_.size());
    if (!has_index_) {
      // Static only: one row.
      for (size_t c = 0; c < visible_; ++c) cells[c].push_back(columns_[c].static_value);
      done_ = true;
      return make_batch(index, cells, 1);
    }
    while (int64_t(index.size()) < batch_rows_) {
      std::optional<TimeInt> t = next_index_value();
      if (!t) {
        done_ = true;
        break;
      }
      bool keep = true;
      for (size_t c = 0; c < columns_.size(); ++c) {
        ColumnState& col = columns_[c];
        if (col.static_value.list) {
          exact_[c] = true;  // static data has a value at every index value
          continue;
        }
        // Consume the rows at or before t; the last one at exactly t wins.
        bool exact = false;
        while (!col.cursor.done() && col.cursor.time() <= *t) {
          exact = col.cursor.time() == *t;
          col.last = {col.cursor.chunks[col.cursor.chunk].get(),
                      col.cursor.lists[col.cursor.chunk], col.cursor.row};
          col.cursor.advance();
        }
        exact_[c] = exact;
      }
      for (size_t c : not_null_) keep &= exact_[c];
      if (!range_.contains(*t)) keep = false;
      if (filter_values_ && !std::binary_search(filter_values_->begin(), filter_values_->end(), *t)) {
        keep = false;
      }
      if (!keep) continue;
      index.push_back(*t);
      for (size_t c = 0; c < visible_; ++c) {
        const ColumnState& col = columns_[c];
        if (col.static_value.list) {
          cells[c].push_back(col.static_value);
        } else if (exact_[c] || (fill_ && col.last.list)) {
          cells[c].push_back(col.last);
        } else {
          cells[c].push_back(CellRef{});
        }
      }
    }
    if (index.empty()) return std::optional<arrow::RecordBatch>();
    return make_batch(index, cells, int64_t(index.size()));
  }

  // Prepares per-column state; `exact_` sized to the columns.
  void init() { exact_.assign(columns_.size(), false); }

 private:
  std::optional<TimeInt> next_index_value() {
    if (using_values_) {
      if (using_pos_ >= using_values_->size()) return std::nullopt;
      return (*using_values_)[using_pos_++];
    }
    // The smallest next time among the temporal columns.
    std::optional<TimeInt> t;
    for (const auto& col : columns_) {
      if (col.static_value.list || col.cursor.done()) continue;
      TimeInt ct = col.cursor.time();
      if (!t || ct < *t) t = ct;
    }
    if (t && *t > range_.max) return std::nullopt;
    return t;
  }

  Result<std::optional<arrow::RecordBatch>> make_batch(const std::vector<TimeInt>& index,
                                                       const std::vector<std::vector<CellRef>>& cells,
                                                       int64_t rows) {
    arrow::RecordBatch batch;
    batch.schema = schema_;
    batch.num_rows = rows;
    if (has_index_) {
      batch.columns.push_back(arrow::make_primitive<TimeInt>(std::span<const TimeInt>(index)));
    }
    for (size_t c = 0; c < visible_; ++c) {
      batch.columns.push_back(materialize(columns_[c].desc.type, cells[c]));
    }
    return std::optional<arrow::RecordBatch>(std::move(batch));
  }

  size_t visible_;  // output columns; those after are hidden not-null filters
  arrow::SchemaPtr schema_;
  std::vector<ColumnState> columns_;
  bool has_index_;
  bool fill_;
  std::optional<std::vector<TimeInt>> filter_values_;
  std::optional<std::vector<TimeInt>> using_values_;
  std::vector<size_t> not_null_;
  TimeRange range_;
  int64_t batch_rows_;
  size_t using_pos_ = 0;
  std::vector<bool> exact_;
  bool done_ = false;
};

void load_cursor(const ChunkStore& store, const std::string& timeline, const TimeRange& range,
                 ColumnState& col) {
  auto result = store.range({timeline, range}, col.desc.entity, col.desc.component);
  for (auto& chunk : result.chunks) {
    col.cursor.times.push_back(chunk->timeline(timeline));
    col.cursor.lists.push_back(&chunk->component(col.desc.component)->list);
    col.cursor.chunks.push_back(std::move(chunk));
  }
}

}  // namespace

Result<std::unique_ptr<RecordBatchReader>> View::read() const {
  auto schema = std::make_shared<arrow::Schema>();
  if (index_) {
    schema->fields.push_back(arrow::field(*index_, arrow::int64(), false, {{"reel.kind", "index"}}));
  }
  std::vector<ColumnState> states;
  for (const auto& c : columns_) {
    schema->fields.push_back(arrow::field(c.name, c.type, true,
                                          {{"reel.kind", "component"},
                                           {"reel.entity_path", c.entity.str()},
                                           {"reel.archetype", c.component.archetype()},
                                           {"reel.archetype_field", c.component.field()},
                                           {"reel.component_type", c.component.component_type()}}));
    ColumnState s;
    s.desc = c;
    if (auto st = store_->latest_static(c.entity, c.component)) {
      s.static_value = {st->chunk.get(), &st->chunk->component(c.component)->list, st->row};
      s.keep.push_back(st->chunk);
    }
    states.push_back(std::move(s));
  }
  // Not-null filters on columns outside the selection are read as hidden columns.
  std::vector<size_t> not_null;
  std::vector<ColumnState> hidden;
  for (const auto& name : not_null_) {
    auto it = std::find_if(states.begin(), states.end(), [&](const ColumnState& s) { return s.desc.name == name; });
    if (it != states.end()) {
      not_null.push_back(size_t(it - states.begin()));
      continue;
    }
    REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(name));
    for (const auto& [d, type] : store_->components(parsed.first)) {
      if (column_name(parsed.first, d) != name) continue;
      ColumnState s;
      s.desc = describe(*store_, parsed.first, d, type);
      hidden.push_back(std::move(s));
    }
  }
  const size_t visible = states.size();
  for (auto& h : hidden) {
    not_null.push_back(states.size());
    states.push_back(std::move(h));
  }

  if (index_) {
    // Pushdown: the index window shrinks to what the filters allow before any data is read.
    TimeRange window = range_;
    if (filter_values_) {
      if (filter_values_->empty()) window = TimeRange{};
      else window = {std::max(window.min, filter_values_->front()), std::min(window.max, filter_values_->back())};
    }
    if (using_values_) {
      window = using_values_->empty() ? TimeRange{} : TimeRange{using_values_->front(), using_values_->back()};
    }
    for (size_t c : not_null) {
      ColumnState& s = states[c];
      if (s.static_value.list) continue;  // static data is not null anywhere
      load_cursor(*store_, *index_, window, s);
      TimeRange have;
      if (!s.cursor.chunks.empty()) {
        have = {s.cursor.times.front()->time_at(0),
                s.cursor.times.back()->time_at(s.cursor.chunks.back()->num_rows() - 1)};
      }
      window = {std::max(window.min, have.min), std::min(window.max, have.max)};
    }
    for (size_t c = 0; c < states.size(); ++c) {
      ColumnState& s = states[c];
      if (s.static_value.list) continue;
      const bool is_filter = std::find(not_null.begin(), not_null.end(), c) != not_null.end();
      if (is_filter) {
        // Already read over a wider window: drop what precedes the final window start.
        while (!s.cursor.done() && s.cursor.time() < window.min) s.cursor.advance();
      } else if (!window.empty()) {
        load_cursor(*store_, *index_, window, s);
      }
      if (fill_ && !window.empty() && window.min > kTimeMin) {
        // Data logged before the window fills its first rows.
        if (auto before = store_->latest_at({*index_, window.min - 1}, s.desc.entity, s.desc.component)) {
          s.last = {before->chunk.get(), &before->chunk->component(s.desc.component)->list, before->row};
          s.keep.push_back(before->chunk);
        }
      }
    }
    // Hidden filter columns take part in the row selection but produce no output column.
  }
  auto reader = std::make_unique<Reader>(schema, std::move(states), index_.has_value(), fill_,
                                         filter_values_, using_values_, not_null, range_, batch_rows_,
                                         visible);
  reader->init();
  return std::unique_ptr<RecordBatchReader>(std::move(reader));
}

Result<std::vector<arrow::RecordBatch>> View::read_all() const {
  REEL_ASSIGN_OR_RETURN(auto reader, read());
  return reader->read_all();
}

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "arrow") return OutputFormat::kArrow;
  return Status::Invalid("unknown format '" + std::string(name) + "' (expected csv, json or arrow)");
}

}  // namespace reel::dataframe
