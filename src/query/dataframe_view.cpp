// Dataframe views: building a View (contents, index, filters, selection) and checking its
// parameters against the recording. Reading a view is dataframe_reader.cpp.
#include <algorithm>
#include <iterator>

#include "query/dataframe_internal.hpp"
#include "reel/import/importer.hpp"
#include "reel/query/dataframe.hpp"
#include "reel/store_io/store_io.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::dataframe {

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

namespace internal {

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

}  // namespace internal

using internal::column_name;
using internal::describe;

arrow::TypePtr index_arrow_type(TimeType type) { return time_arrow_type(type, "UTC"); }

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
  return make(std::move(store), nullptr, std::move(index), std::move(contents));
}

Result<View> View::make(std::shared_ptr<const ChunkStore> store,
                        std::shared_ptr<const internal::FileChunks> file,
                        std::optional<std::string> index,
                        std::map<EntityPath, std::vector<ComponentDescriptor>> contents) {
  TimeType index_type = TimeType::kSequence;
  if (index) {
    auto timelines = file ? file->timelines() : store->timelines();
    auto it = std::find_if(timelines.begin(), timelines.end(),
                           [&](const Timeline& t) { return t.name() == *index; });
    if (it != timelines.end()) index_type = it->type();
    if (it == timelines.end()) {
      std::string names;
      for (const auto& t : timelines) names += (names.empty() ? "" : ", ") + t.name();
      return Status::NotFound("no timeline '" + *index + "' in the recording (timelines: " +
                              (names.empty() ? "none" : names) + ")");
    }
  }
  View v;
  v.store_ = std::move(store);
  v.file_ = std::move(file);
  v.index_ = std::move(index);
  v.index_type_ = index_type;
  for (const auto& [entity, wanted] : contents) {
    REEL_ASSIGN_OR_RETURN(auto available, v.components_of(entity));
    if (wanted.empty()) {
      for (const auto& [d, type] : available) {
        // A Clear is an event that empties other columns, never data of its own.
        if (d == Clear::descriptor_is_recursive()) continue;
        v.columns_.push_back(describe(*v.store_, entity, d, type));
      }
      continue;
    }
    for (const auto& d : wanted) {
      auto it = std::find_if(available.begin(), available.end(),
                             [&](const auto& a) { return a.first == d; });
      if (it == available.end()) {
        // A file's column whose every chunk was damaged: left out, as its warnings say.
        if (v.file_ && v.file_->lists(entity, d) && !v.file_->warnings().empty()) continue;
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

Result<std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>> View::components_of(
    const EntityPath& entity) const {
  if (file_) return file_->components(entity);
  return store_->components(entity);
}

Result<std::shared_ptr<const ChunkStore>> load_recording(const std::string& path,
                                                         std::vector<std::string>* warnings) {
  auto store = std::make_shared<ChunkStore>();
  REEL_ASSIGN_OR_RETURN(auto report, import::load_any_file(path, *store));
  if (warnings) *warnings = std::move(report.warnings);
  return std::shared_ptr<const ChunkStore>(std::move(store));
}

Result<std::shared_ptr<const ChunkStore>> load_recording(const std::string& path,
                                                         const ChunkSelection& selection,
                                                         std::vector<std::string>* warnings) {
  auto store = std::make_shared<ChunkStore>();
  REEL_ASSIGN_OR_RETURN(auto report, load_selected(path, *store, selection));
  if (warnings) *warnings = std::move(report.warnings);
  return std::shared_ptr<const ChunkStore>(std::move(store));
}

Result<std::optional<View>> View::stream(const std::string& path, std::optional<std::string> index,
                                         std::string_view contents) {
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(contents));
  REEL_ASSIGN_OR_RETURN(auto source, internal::open_file_source(path, filter, index));
  if (!source) return std::optional<View>();
  std::map<EntityPath, std::vector<ComponentDescriptor>> map;
  for (const auto& e : source->file->entities()) {
    if (filter.matches(e)) map[e] = {};
  }
  REEL_ASSIGN_OR_RETURN(View v, make(std::move(source->store), std::move(source->file),
                                     std::move(index), std::move(map)));
  return std::optional<View>(std::move(v));
}

Result<std::optional<View>> View::stream(
    const std::string& path, std::optional<std::string> index,
    std::map<EntityPath, std::vector<ComponentDescriptor>> contents) {
  EntityPathFilter filter;
  for (const auto& [entity, components] : contents) filter.add_rule({true, entity, false});
  REEL_ASSIGN_OR_RETURN(auto source, internal::open_file_source(path, filter, index));
  if (!source) return std::optional<View>();
  REEL_ASSIGN_OR_RETURN(View v, make(std::move(source->store), std::move(source->file),
                                     std::move(index), std::move(contents)));
  return std::optional<View>(std::move(v));
}

Result<View> View::create(const std::string& path, std::optional<std::string> index,
                          std::string_view contents) {
  REEL_ASSIGN_OR_RETURN(auto streamed, stream(path, index, contents));
  if (streamed) return std::move(*streamed);
  REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(contents));
  ChunkSelection selection;
  selection.entities = std::move(filter);
  selection.timeline = index;
  selection.static_only = !index;
  std::vector<std::string> warnings;
  REEL_ASSIGN_OR_RETURN(auto store, load_recording(path, selection, &warnings));
  REEL_ASSIGN_OR_RETURN(View v, create(std::move(store), std::move(index), contents));
  v.warnings_ = std::move(warnings);
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
  return Status::NotFound("unknown column '" + std::string(name) +
                          "' (columns: " + (names.empty() ? "none" : names) + ")");
}

}  // namespace

Result<View> View::filter_is_not_null(std::string_view column) const {
  auto it = std::find_if(columns_.begin(), columns_.end(),
                         [&](const ColumnDescription& c) { return c.name == column; });
  if (it == columns_.end()) {
    // The column need not be selected, but it must exist in the recording.
    REEL_ASSIGN_OR_RETURN(auto parsed, parse_column_name(column));
    bool exists = false;
    REEL_ASSIGN_OR_RETURN(auto available, components_of(parsed.first));
    for (const auto& [d, type] : available) {
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

std::optional<View::FileProgress> View::file_progress() const {
  if (!file_) return std::nullopt;
  return FileProgress{file_->bytes_read(), file_->file_bytes()};
}

std::vector<std::string> View::warnings() const { return file_ ? file_->warnings() : warnings_; }

std::vector<ColumnDescription> View::schema() const {
  std::vector<ColumnDescription> out;
  if (index_) {
    ColumnDescription c;
    c.name = *index_;
    c.type = index_arrow_type(index_type_);
    c.is_index = true;
    out.push_back(std::move(c));
  }
  out.insert(out.end(), columns_.begin(), columns_.end());
  return out;
}

}  // namespace reel::dataframe
