// Long tables of a dataset: its logged rows, one output row per chunk row, for SQL engines
// and Parquet (reel/sql). Chunk columns are passed through (sliced or taken), not rebuilt.
#include <algorithm>
#include <set>

#include "query/dataset_internal.hpp"

namespace reel::dataframe {

namespace {

using Kind = RowsColumn::Kind;

arrow::FieldPtr rows_field(const RowsColumn& c) {
  switch (c.kind) {
    case Kind::kRecordingId:
    case Kind::kApplicationId:
    case Kind::kSource:
      return arrow::field(c.name, c.type, false, {{"reel.kind", "recording"}});
    case Kind::kEntityPath:
      return arrow::field(c.name, c.type, false, {{"reel.kind", "entity_path"}});
    case Kind::kRowId:
      return arrow::field(c.name, c.type, false, {{"reel.kind", "row_id"}});
    case Kind::kTime:
      return arrow::field(c.name, c.type, true,
                          {{"reel.kind", "time"},
                           {"reel.timeline", c.timeline.name()},
                           {"reel.time_type", time_type_name(c.timeline.type())}});
    case Kind::kComponent:
      return arrow::field(c.name, c.type, true,
                          {{"reel.kind", "component"},
                           {"reel.archetype", c.component.archetype()},
                           {"reel.archetype_field", c.component.field()},
                           {"reel.component_type", c.component.component_type()}});
  }
  return nullptr;
}

bool selected(const RowsOptions& o, const ComponentDescriptor& d) {
  return o.archetype.empty() || d.archetype() == o.archetype;
}

}  // namespace

Result<std::vector<RowsColumn>> Dataset::rows_schema(const RowsOptions& options) const {
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(options.entities));
  REEL_RETURN_NOT_OK(summarize());
  std::set<Timeline> timelines;
  std::map<ComponentDescriptor, std::pair<arrow::TypePtr, std::string>> components;
  for (size_t i : state_->readable()) {
    const RecordingSummary& s = state_->entries[i].summary;
    if (options.recording_id && s.info.recording_id != *options.recording_id) continue;
    for (const auto& [e, comps] : s.components) {
      if (!filter.matches(e)) continue;
      bool any = false;
      for (const auto& [d, type] : comps) {
        if (!selected(options, d)) continue;
        any = true;
        auto [it, inserted] = components.emplace(d, std::make_pair(type, s.source));
        if (!inserted && !arrow::type_equals(it->second.first, type)) {
          return Status::TypeError(d.identifier() + " is " + it->second.first->to_string() +
                                   " in " + it->second.second + " and " + type->to_string() +
                                   " in " + s.source);
        }
      }
      // The timelines of the entities with selected data.
      auto t = s.entity_timelines.find(e);
      if (any && t != s.entity_timelines.end())
        timelines.insert(t->second.begin(), t->second.end());
    }
  }
  std::vector<RowsColumn> cols;
  auto add = [&](std::string name, Kind kind, arrow::TypePtr type) {
    RowsColumn c;
    c.name = std::move(name);
    c.kind = kind;
    c.type = std::move(type);
    cols.push_back(std::move(c));
    return &cols.back();
  };
  add("recording_id", Kind::kRecordingId, arrow::utf8());
  add("application_id", Kind::kApplicationId, arrow::utf8());
  add("source", Kind::kSource, arrow::utf8());
  add("entity_path", Kind::kEntityPath, arrow::utf8());
  add("row_id", Kind::kRowId, arrow::fixed_size_binary(16));
  std::set<std::string> timeline_names;
  for (const auto& t : timelines) {
    if (!timeline_names.insert(t.name()).second) {
      return Status::TypeError("timeline '" + t.name() + "' has two types in the dataset");
    }
    add(t.name(), Kind::kTime, arrow::int64())->timeline = t;
  }
  for (const auto& [d, type] : components) {
    add(options.archetype.empty() ? d.identifier() : d.field(), Kind::kComponent,
        arrow::list(type.first))
        ->component = d;
  }
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  names = distinct_names(names);
  for (size_t i = 0; i < cols.size(); ++i) cols[i].name = names[i];
  if (!options.columns) return cols;
  std::vector<RowsColumn> projected;
  for (const auto& name : *options.columns) {
    auto it =
        std::find_if(cols.begin(), cols.end(), [&](const RowsColumn& c) { return c.name == name; });
    if (it == cols.end()) return Status::NotFound("no column '" + name + "' in the rows");
    projected.push_back(*it);
  }
  return projected;
}

namespace {

class RowsReader final : public RecordBatchReader {
 public:
  RowsReader(arrow::SchemaPtr schema, std::vector<RowsColumn> columns, RowsOptions options,
             EntityPathFilter filter, std::unique_ptr<RecordingCursor> cursor)
      : schema_(std::move(schema)),
        columns_(std::move(columns)),
        o_(std::move(options)),
        filter_(std::move(filter)),
        cursor_(std::move(cursor)) {}

  const arrow::SchemaPtr& schema() const override { return schema_; }

  Result<std::optional<arrow::RecordBatch>> next() override {
    for (;;) {
      while (recording_ && chunk_ < chunks_.size()) {
        const ChunkPtr& c = chunks_[chunk_++];
        auto batch = rows_of(*c);
        if (batch) return batch;
      }
      chunks_.clear();
      recording_.reset();
      REEL_ASSIGN_OR_RETURN(auto loaded, cursor_->next());
      if (!loaded) return std::optional<arrow::RecordBatch>();
      recording_ = std::move(loaded);
      chunks_ = recording_->store->chunks();
      chunk_ = 0;
    }
  }

 private:
  // The output rows of one chunk, or nullopt when it has none.
  std::optional<arrow::RecordBatch> rows_of(const Chunk& c) {
    if (!filter_.matches(c.entity_path())) return std::nullopt;
    std::vector<const ComponentColumn*> comps;
    for (const auto& col : c.components()) {
      if (selected(o_, col.descriptor)) comps.push_back(&col);
    }
    if (comps.empty()) return std::nullopt;
    const int64_t n = c.num_rows();
    std::vector<int64_t> keep;
    if (c.is_static()) {
      if (o_.index) return std::nullopt;
      std::set<int64_t> visible;
      for (const auto* col : comps) {
        auto latest = recording_->store->latest_static(c.entity_path(), col->descriptor);
        if (latest && latest->chunk.get() == &c) visible.insert(latest->row);
      }
      keep.assign(visible.begin(), visible.end());
    } else {
      const TimeColumn* t = o_.index ? c.timeline(*o_.index) : nullptr;
      if (o_.index && (!t || !t->range().intersects(o_.range))) return std::nullopt;
      keep.reserve(size_t(n));
      for (int64_t r = 0; r < n; ++r) {
        if (t && !o_.range.contains((*t)[r])) continue;
        if (std::any_of(comps.begin(), comps.end(),
                        [&](const ComponentColumn* col) { return col->list.is_valid(r); })) {
          keep.push_back(r);
        }
      }
    }
    if (keep.empty()) return std::nullopt;
    const bool all = int64_t(keep.size()) == n;
    const int64_t rows = int64_t(keep.size());
    auto pick = [&](arrow::ArrayPtr a) -> arrow::ArrayPtr {
      return all ? a : arrow::take(*a, keep).value_or_die();
    };
    arrow::RecordBatch out;
    out.schema = schema_;
    out.num_rows = rows;
    const RecordingSummary& s = *recording_->summary;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const RowsColumn& col = columns_[i];
      arrow::ArrayPtr a;
      switch (col.kind) {
        case Kind::kRecordingId:
          a = internal::repeated_string(s.info.recording_id, rows);
          break;
        case Kind::kApplicationId:
          a = internal::repeated_string(s.info.application_id, rows);
          break;
        case Kind::kSource:
          a = internal::repeated_string(s.source, rows);
          break;
        case Kind::kEntityPath:
          a = internal::repeated_string(c.entity_path().str(), rows);
          break;
        case Kind::kRowId:
          a = pick(c.row_ids().to_arrow());
          break;
        case Kind::kTime: {
          const TimeColumn* t = c.timeline(col.timeline.name());
          a = t ? pick(t->to_arrow()) : arrow::make_null_array(arrow::int64(), rows);
          break;
        }
        case Kind::kComponent: {
          const ComponentColumn* cc = c.component(col.component);
          if (!cc) {
            a = arrow::make_null_array(col.type, rows);
          } else {
            auto fixed = std::make_shared<arrow::ArrayData>(*pick(cc->list.to_arrow()));
            fixed->type = col.type;  // the output's list type (child field names may differ)
            a = std::move(fixed);
          }
          break;
        }
      }
      out.columns.push_back(std::move(a));
    }
    return out;
  }

  arrow::SchemaPtr schema_;
  std::vector<RowsColumn> columns_;
  RowsOptions o_;
  EntityPathFilter filter_;
  std::unique_ptr<RecordingCursor> cursor_;
  std::optional<LoadedRecording> recording_;
  std::vector<ChunkPtr> chunks_;
  size_t chunk_ = 0;
};

}  // namespace

Result<std::unique_ptr<RecordBatchReader>> Dataset::read_rows(const RowsOptions& options) const {
  REEL_ASSIGN_OR_RETURN(auto columns, rows_schema(options));
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(options.entities));
  auto schema = std::make_shared<arrow::Schema>();
  for (const auto& c : columns) schema->fields.push_back(rows_field(c));
  ReadNeeds needs;
  needs.entities = filter;
  needs.timeline = options.index;
  if (options.index) needs.window = options.range;
  needs.recording_id = options.recording_id;
  const bool nothing = options.index && options.range.empty();  // a range needs an index
  std::vector<size_t> plan = nothing ? std::vector<size_t>() : plan_read(needs);
  // Recordings without a component of the archetype add no rows: not opened either.
  std::erase_if(plan, [&](size_t i) {
    for (const auto& [e, comps] : state_->entries[i].summary.components) {
      if (!filter.matches(e)) continue;
      for (const auto& [d, type] : comps) {
        if (selected(options, d)) return false;
      }
    }
    ++state_->recordings_skipped;
    return true;
  });
  // Of each file, only the chunks of the matching entities (on the index, in the range).
  ChunkSelection selection;
  selection.entities = filter;
  selection.timeline = options.index;
  if (options.index) {  // as RowsReader: a range needs an index, and static rows have none
    selection.range = options.range;
    selection.temporal_only = true;
  }
  internal::RecordingOpener opener = [selection](const State& state, const State::Entry& entry) {
    return internal::load_entry_selected(state, entry, selection);
  };
  return std::unique_ptr<RecordBatchReader>(std::make_unique<RowsReader>(
      std::move(schema), std::move(columns), options, std::move(filter),
      internal::open_recordings(state_, std::move(plan), std::move(opener))));
}

}  // namespace reel::dataframe
