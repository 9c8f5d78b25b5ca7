// DatasetView: a View answered by every recording of a dataset in turn, its batches widened
// to the union of the recordings' columns and prefixed with where they come from.
#include <algorithm>
#include <set>

#include "query/dataset_internal.hpp"

namespace reel::dataframe {

namespace {

ColumnDescription id_column(const std::string& name) {
  ColumnDescription c;
  c.name = name;
  c.type = arrow::utf8();
  return c;
}

const char* kIdColumns[] = {"recording_id", "application_id", "source"};

arrow::FieldPtr field_of(const ColumnDescription& c) {
  if (c.is_index) return arrow::field(c.name, c.type, false, {{"reel.kind", "index"}});
  if (!c.entity.str().empty() || !c.component.field().empty()) {
    return arrow::field(c.name, c.type, true,
                        {{"reel.kind", "component"},
                         {"reel.entity_path", c.entity.str()},
                         {"reel.archetype", c.component.archetype()},
                         {"reel.archetype_field", c.component.field()},
                         {"reel.component_type", c.component.component_type()}});
  }
  return arrow::field(c.name, c.type, false, {{"reel.kind", "recording"}});
}

}  // namespace

Result<DatasetView> Dataset::view(std::optional<std::string> index,
                                  std::string_view contents) const {
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(contents));
  REEL_RETURN_NOT_OK(summarize());
  std::map<EntityPath, std::vector<ComponentDescriptor>> map;
  for (size_t i : state_->readable()) {
    for (const auto& [e, comps] : state_->entries[i].summary.components) {
      if (filter.matches(e)) map[e];
    }
  }
  REEL_ASSIGN_OR_RETURN(DatasetView v, view(std::move(index), std::move(map)));
  v.contents_expr_ = std::string(contents);
  v.contents_map_.reset();
  return v;
}

Result<DatasetView> Dataset::view(
    std::optional<std::string> index,
    std::map<EntityPath, std::vector<ComponentDescriptor>> contents) const {
  REEL_RETURN_NOT_OK(summarize());
  DatasetView v;
  v.state_ = state_;
  v.index_ = index;
  bool known_index = !index;
  std::string index_source;  // the first recording that has the index timeline
  // The union of columns, with the first recording that has each (for type conflicts).
  std::map<std::string, std::pair<ColumnDescription, std::string>> union_columns;
  std::set<std::pair<EntityPath, ComponentDescriptor>> wanted_seen;
  for (size_t i : state_->readable()) {
    const RecordingSummary& s = state_->entries[i].summary;
    if (index) {
      auto t = std::find_if(s.timelines.begin(), s.timelines.end(),
                            [&](const Timeline& tl) { return tl.name() == *index; });
      if (t == s.timelines.end()) continue;
      if (!known_index) {
        v.index_type_ = t->type();
        index_source = s.source;
      } else if (t->type() != v.index_type_) {
        // One index column has one type: a sequence read as timestamps would be wrong.
        return Status::TypeError("index timeline '" + *index + "' is a " +
                                 time_type_name(v.index_type_) + " in " + index_source + " and a " +
                                 time_type_name(t->type()) + " in " + s.source);
      }
      known_index = true;
    }
    for (const auto& [entity, wanted] : contents) {
      auto it = s.components.find(entity);
      if (it == s.components.end()) continue;
      auto statics = s.static_components.find(entity);
      for (const auto& [d, type] : it->second) {
        if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), d) == wanted.end()) continue;
        wanted_seen.insert({entity, d});
        const bool is_static =
            statics != s.static_components.end() &&
            std::find(statics->second.begin(), statics->second.end(), d) != statics->second.end();
        if (!index && !is_static) continue;
        ColumnDescription c;
        c.name = entity.str() + ":" + d.identifier();
        c.entity = entity;
        c.component = d;
        c.type = arrow::list(type);
        c.is_static = is_static;
        auto [u, inserted] = union_columns.emplace(c.name, std::make_pair(c, s.source));
        if (inserted) continue;
        if (!arrow::type_equals(u->second.first.type->value_type(), type)) {
          return Status::TypeError("column '" + c.name + "' is " +
                                   u->second.first.type->to_string() + " in " + u->second.second +
                                   " and " + c.type->to_string() + " in " + s.source);
        }
        u->second.first.is_static |= is_static;
      }
    }
  }
  if (!known_index) {
    return Status::NotFound("no timeline '" + *index + "' in any recording of the dataset");
  }
  for (const auto& [entity, wanted] : contents) {
    for (const auto& d : wanted) {
      if (!wanted_seen.count({entity, d})) {
        return Status::NotFound("no recording of the dataset has " + entity.str() + ":" +
                                d.identifier());
      }
    }
  }
  for (auto& [name, c] : union_columns) v.columns_.push_back(std::move(c.first));
  v.contents_map_ = std::move(contents);
  return v;
}

DatasetView DatasetView::filter_range(TimeInt t0, TimeInt t1) const {
  DatasetView v = *this;
  v.range_ = {std::max(range_.min, t0), std::min(range_.max, t1)};
  return v;
}

namespace {
std::vector<TimeInt> sorted_unique(std::vector<TimeInt> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}
}  // namespace

DatasetView DatasetView::filter_index_values(std::vector<TimeInt> values) const {
  DatasetView v = *this;
  values = sorted_unique(std::move(values));
  if (filter_values_) {
    std::vector<TimeInt> both;
    std::set_intersection(values.begin(), values.end(), filter_values_->begin(),
                          filter_values_->end(), std::back_inserter(both));
    values = std::move(both);
  }
  v.filter_values_ = std::move(values);
  return v;
}

Result<DatasetView> DatasetView::filter_is_not_null(std::string_view column) const {
  REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(column));
  bool exists = false;
  for (size_t i : state_->readable()) {
    const auto& comps = state_->entries[i].summary.components;
    auto it = comps.find(parsed.first);
    if (it == comps.end()) continue;
    for (const auto& [d, type] : it->second) exists |= d.identifier() == parsed.second;
  }
  if (!exists) {
    return Status::NotFound("unknown column '" + std::string(column) +
                            "': no recording of the dataset has it");
  }
  DatasetView v = *this;
  v.not_null_.emplace_back(column);
  return v;
}

DatasetView DatasetView::using_index_values(std::vector<TimeInt> values) const {
  DatasetView v = *this;
  v.using_values_ = sorted_unique(std::move(values));
  return v;
}

DatasetView DatasetView::fill_latest_at() const {
  DatasetView v = *this;
  v.fill_ = true;
  return v;
}

Result<DatasetView> DatasetView::select(std::vector<std::string> columns) const {
  DatasetView v = *this;
  v.columns_.clear();
  for (const auto& name : columns) {
    if ((index_ && name == *index_) ||
        std::find(std::begin(kIdColumns), std::end(kIdColumns), name) != std::end(kIdColumns)) {
      continue;  // always there
    }
    auto it = std::find_if(columns_.begin(), columns_.end(),
                           [&](const ColumnDescription& c) { return c.name == name; });
    if (it == columns_.end()) {
      return Status::NotFound("unknown column '" + name + "' in the dataset view");
    }
    v.columns_.push_back(*it);
  }
  return v;
}

DatasetView DatasetView::with_batch_rows(int64_t rows) const {
  DatasetView v = *this;
  v.batch_rows_ = std::max<int64_t>(rows, 1);
  return v;
}

std::vector<ColumnDescription> DatasetView::schema() const {
  std::vector<ColumnDescription> out;
  for (const char* name : kIdColumns) out.push_back(id_column(name));
  if (index_) {
    ColumnDescription c;
    c.name = *index_;
    c.type = index_arrow_type(index_type_);
    c.is_index = true;
    out.push_back(c);
  }
  out.insert(out.end(), columns_.begin(), columns_.end());
  return out;
}

namespace {

// Answers the view from each recording in turn.
class DatasetViewReader final : public RecordBatchReader {
 public:
  DatasetViewReader(std::shared_ptr<Dataset::State> state, arrow::SchemaPtr schema,
                    std::unique_ptr<RecordingCursor> cursor,
                    std::function<Result<std::optional<View>>(const LoadedRecording&)> make_view)
      : state_(std::move(state)),
        schema_(std::move(schema)),
        cursor_(std::move(cursor)),
        make_view_(std::move(make_view)) {}

  const arrow::SchemaPtr& schema() const override { return schema_; }

  Result<std::optional<arrow::RecordBatch>> next() override {
    for (;;) {
      if (current_) {
        auto batch = current_->next();
        if (!batch.ok() && !recording_->store) {
          // A streamed file cut or changed while it is read: its rows so far stay, the rest
          // of it is left out, and the other recordings answer (as for a file that cannot
          // be read at all).
          state_->warn("skipping the rest of " + recording_->summary->source + ": " +
                       batch.status().message());
          finish_recording();
          continue;
        }
        if (!batch.ok()) return batch.status();
        if (*batch && (*batch)->num_rows > 0) return widen(**batch);
        if (*batch) continue;
        finish_recording();
      }
      REEL_ASSIGN_OR_RETURN(auto loaded, cursor_->next());
      if (!loaded) return std::optional<arrow::RecordBatch>();
      REEL_ASSIGN_OR_RETURN(auto v, make_view_(*loaded));
      if (!v) continue;
      REEL_ASSIGN_OR_RETURN(current_, v->read());
      recording_ = std::move(loaded);
      recording_->view = std::move(v);
      // Where each of the recording's columns goes in the output.
      positions_.clear();
      for (const auto& f : current_->schema()->fields)
        positions_.push_back(schema_->field_index(f->name));
    }
  }

 private:
  // A streamed recording's bytes read and what its reads left out (damaged chunks), into
  // the dataset's stats and warnings.
  void account(const View& view) {
    if (auto p = view.file_progress()) state_->bytes_read += p->read_bytes;
    const auto warnings = view.warnings();
    for (size_t i = recording_->warnings_reported; i < warnings.size(); ++i)
      state_->warn(warnings[i]);
  }
  void finish_recording() {
    current_.reset();
    if (recording_ && !recording_->store && recording_->view) account(*recording_->view);
    recording_.reset();
  }

  Result<std::optional<arrow::RecordBatch>> widen(const arrow::RecordBatch& batch) {
    arrow::RecordBatch out;
    out.schema = schema_;
    out.num_rows = batch.num_rows;
    out.columns.resize(schema_->fields.size());
    const StoreInfo& info = recording_->summary->info;
    out.columns[0] = internal::repeated_string(info.recording_id, batch.num_rows);
    out.columns[1] = internal::repeated_string(info.application_id, batch.num_rows);
    out.columns[2] = internal::repeated_string(recording_->summary->source, batch.num_rows);
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      if (positions_[c] < 0) continue;
      // The output's exact type (list child field names may differ between recordings).
      auto fixed = std::make_shared<arrow::ArrayData>(*batch.columns[c]);
      fixed->type = schema_->fields[size_t(positions_[c])]->type;
      out.columns[size_t(positions_[c])] = std::move(fixed);
    }
    for (size_t c = 0; c < out.columns.size(); ++c) {
      if (!out.columns[c])
        out.columns[c] = arrow::make_null_array(schema_->fields[c]->type, batch.num_rows);
    }
    return std::optional<arrow::RecordBatch>(std::move(out));
  }

  std::shared_ptr<Dataset::State> state_;
  arrow::SchemaPtr schema_;
  std::unique_ptr<RecordingCursor> cursor_;
  std::function<Result<std::optional<View>>(const LoadedRecording&)> make_view_;
  std::unique_ptr<RecordBatchReader> current_;
  std::optional<LoadedRecording> recording_;
  std::vector<int> positions_;
};

}  // namespace

Result<std::unique_ptr<RecordBatchReader>> DatasetView::read() const {
  auto schema = std::make_shared<arrow::Schema>();
  for (const auto& c : this->schema()) schema->fields.push_back(field_of(c));

  // Which recordings can contribute.
  Dataset::ReadNeeds needs;
  if (contents_map_) {
    needs.entities = EntityPathFilter();
    for (const auto& [e, comps] : *contents_map_) needs.entities.add_rule({true, e, false});
  } else {
    REEL_ASSIGN_OR_RETURN(needs.entities, EntityPathFilter::parse(contents_expr_));
  }
  needs.timeline = index_;
  needs.static_only = !index_;
  needs.all = using_values_.has_value();
  TimeRange window = range_;
  for (const auto* values : {&filter_values_, &using_values_}) {
    if (!*values) continue;
    window = (*values)->empty() ? TimeRange{}
                                : TimeRange{std::max(window.min, (*values)->front()),
                                            std::min(window.max, (*values)->back())};
  }
  needs.window = window;
  for (const auto& name : not_null_) {
    REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(name));
    needs.required.push_back(parsed.first);
  }
  Dataset dataset(state_);
  auto plan = dataset.plan_read(needs);
  if (!needs.all && window.empty()) plan.clear();

  // The per-recording view: the same builder calls, on the columns the recording has.
  DatasetView self = *this;
  auto configure = [self](View v) -> Result<std::optional<View>> {
    for (const auto& name : self.not_null_) {
      auto f = v.filter_is_not_null(name);
      if (!f.ok()) {
        // The recording lacks the column: no rows; else a streamed file could not be read.
        if (f.status().code() == StatusCode::kNotFound) return std::optional<View>();
        return f.status();
      }
      v = *f;
    }
    v = v.filter_range(self.range_.min, self.range_.max);
    if (self.filter_values_) v = v.filter_index_values(*self.filter_values_);
    if (self.using_values_) v = v.using_index_values(*self.using_values_);
    if (self.fill_) v = v.fill_latest_at();
    v = v.with_batch_rows(self.batch_rows_);
    return std::optional<View>(std::move(v));
  };
  // The recording's columns among the view's (empty: it has none).
  auto contents_of = [self](auto&& components_of) {
    std::map<EntityPath, std::vector<ComponentDescriptor>> contents;
    for (const auto& c : self.columns_) {
      for (const auto& [d, type] : components_of(c.entity)) {
        if (d == c.component) contents[c.entity].push_back(d);
      }
    }
    return contents;
  };
  auto has_index = [self](const std::vector<Timeline>& timelines) {
    return !self.index_ || std::any_of(timelines.begin(), timelines.end(),
                                       [&](const Timeline& t) { return t.name() == *self.index_; });
  };
  auto make_view = [=](const LoadedRecording& r) -> Result<std::optional<View>> {
    if (r.view) return r.view;  // streamed: made and configured by the opener
    const ChunkStore& store = *r.store;
    if (!has_index(store.timelines())) return std::optional<View>();
    auto contents = contents_of([&](const EntityPath& e) { return store.components(e); });
    if (contents.empty()) return std::optional<View>();
    REEL_ASSIGN_OR_RETURN(View v, View::create(r.store, self.index_, std::move(contents)));
    return configure(std::move(v));
  };
  // Files of one recording stream (from the summary: which columns, whether the index is
  // there).
  internal::RecordingOpener opener = internal::load_entry;
  if (state_->options.stream_files) {
    opener = [=](const Dataset::State& state,
                 const Dataset::State::Entry& entry) -> Result<internal::OpenedRecording> {
      if (entry.memory) return internal::load_entry(state, entry);
      const RecordingSummary& s = entry.summary;
      internal::OpenedRecording out;
      if (!has_index(s.timelines)) return out;
      auto contents = contents_of([&](const EntityPath& e) {
        auto it = s.components.find(e);
        return it == s.components.end()
                   ? std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>()
                   : it->second;
      });
      if (contents.empty()) return out;
      REEL_ASSIGN_OR_RETURN(auto streamed, View::stream(s.source, self.index_, contents));
      if (!streamed) {
        // Loaded instead (.rrd, several recordings): only the chunks of the view's entities,
        // of its not-null filters' and of their ancestors (whose recursive Clears empty
        // them), and the first chunk on the index timeline (the view has that index even
        // where its entities have no data on it: static columns, using_index_values).
        std::vector<EntityPath> wanted;
        for (const auto& [e, components] : contents) wanted.push_back(e);
        for (const auto& name : self.not_null_) {
          if (auto parsed = parse_column_name(name); parsed.ok()) wanted.push_back(parsed->first);
        }
        auto index_seen = std::make_shared<bool>(!self.index_);
        return internal::open_recording_file(
            s.source, state.options.store_config, [=](const Chunk& c) {
              const EntityPath& e = c.entity_path();
              if (std::any_of(wanted.begin(), wanted.end(),
                              [&](const EntityPath& w) { return w.starts_with(e); })) {
                if (!*index_seen && c.timeline(*self.index_)) *index_seen = true;
                return true;
              }
              if (*index_seen || !c.timeline(*self.index_)) return false;
              *index_seen = true;
              return true;
            });
      }
      // Without a footer the view indexed the file by reading it: what that pass found
      // (truncation, damage) skips the file as a load does. With one, a warning is a chunk
      // left out (damaged, or of a conflicting type) and the rest of the file answers; what
      // the open found is reported now (the read reports the rest).
      auto warnings = streamed->warnings();
      if (!warnings.empty() && !s.has_footer) return Status::Corrupt(warnings.front());
      REEL_ASSIGN_OR_RETURN(out.view, configure(*streamed));
      if (!out.view) out.file_bytes = streamed->file_progress()->read_bytes;  // no rows here
      out.warnings_reported = warnings.size();
      out.notes = std::move(warnings);
      return out;
    };
  }
  return std::unique_ptr<RecordBatchReader>(std::make_unique<DatasetViewReader>(
      state_, std::move(schema),
      internal::open_recordings(state_, std::move(plan), std::move(opener)), std::move(make_view)));
}

Result<std::vector<arrow::RecordBatch>> DatasetView::read_all() const {
  REEL_ASSIGN_OR_RETURN(auto reader, read());
  return reader->read_all();
}

}  // namespace reel::dataframe
