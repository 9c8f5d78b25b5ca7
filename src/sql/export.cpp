// Parquet export: per recording (loaded once), per archetype, one file through DuckDB's
// Parquet writer (COPY ... TO ... (FORMAT PARQUET, COMPRESSION ZSTD)), under Hive partition
// directories; written under a temporary name and renamed when complete.
#include <cstdio>
#include <filesystem>
#include <set>

#include "sql/session_internal.hpp"

namespace reel::sql {

namespace fs = std::filesystem;

std::string hive_escape(std::string_view value) {
  if (value.empty()) return "__HIVE_DEFAULT_PARTITION__";
  static const std::string kSpecial = "\"#%'*/:=?\\\x7f{[]^";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || kSpecial.find(char(c)) != std::string::npos) {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    } else {
      out += char(c);
    }
  }
  return out;
}

namespace {

using dataframe::RowsColumn;

fs::path partition_dir(const ExportOptions& o, const std::string& table, const StoreInfo& info) {
  return fs::path(o.output_dir) / table / ("application_id=" + hive_escape(info.application_id)) /
         ("recording_id=" + hive_escape(info.recording_id));
}

// Whether the recording is in the output already: a part file in any of its partitions.
bool already_exported(const ExportOptions& o, const StoreInfo& info) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(o.output_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path dir = partition_dir(o, it->path().filename().string(), info);
    for (auto f = fs::directory_iterator(dir, ec); !ec && f != fs::directory_iterator();
         f.increment(ec)) {
      const std::string name = f->path().filename().string();
      if (name.rfind("part-", 0) == 0 && f->path().extension() == ".parquet") return true;
    }
    ec.clear();
  }
  return false;
}

// SELECT list: entity_path, row_id, the timelines (timestamps twice: TIMESTAMP and exact ns),
// the fields. Names distinct when lowercased, and from the partition keys.
std::string select_list(const std::vector<RowsColumn>& columns) {
  struct Out {
    std::string name, expr;
  };
  std::vector<Out> outs;
  for (const auto& c : columns) {
    const std::string q = quote_identifier(c.name);
    switch (c.kind) {
      case RowsColumn::Kind::kEntityPath:
      case RowsColumn::Kind::kRowId:
      case RowsColumn::Kind::kComponent:
        outs.push_back({c.name, q});
        break;
      case RowsColumn::Kind::kTime:
        if (c.timeline.type() == TimeType::kTimestamp) {
          // Microseconds, rounded down (also before 1970), in integers: a double loses the ns.
          outs.push_back({c.timeline.name(), "make_timestamp((" + q + " - ((" + q +
                                                 " % 1000) + 1000) % 1000) // 1000)"});
          outs.push_back({c.timeline.name() + "_ns", q});
        } else {
          outs.push_back({c.timeline.name(), q});
        }
        break;
      default:
        break;  // recording_id, application_id: partition keys; source: local paths
    }
  }
  std::vector<std::string> names = {"application_id", "recording_id"};
  for (const auto& o : outs) names.push_back(o.name);
  names = dataframe::distinct_names(names);
  std::string list;
  for (size_t i = 0; i < outs.size(); ++i) {
    list += (i ? ", " : "") + outs[i].expr + " AS " + quote_identifier(names[i + 2]);
  }
  return list;
}

}  // namespace

Result<ExportReport> export_parquet(const dataframe::Dataset& dataset, const ExportOptions& options,
                                    Session* session) {
  if (options.output_dir.empty()) return Status::Invalid("export: no output directory");
  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (ec)
    return Status::IOError("export: cannot create " + options.output_dir + ": " + ec.message());
  std::unique_ptr<Session> own;
  if (!session) {
    REEL_ASSIGN_OR_RETURN(own, Session::open());
    session = own.get();
  }
  ExportReport report;
  std::set<std::string> tables;
  // Recordings not in the output yet (known from their first message: nothing else is read).
  dataframe::Dataset::ReadNeeds all;
  all.all = true;
  std::vector<size_t> positions;
  {
    auto recordings = dataset.recordings();
    auto readable = dataset.plan_read(all);
    for (size_t i = 0; i < readable.size() && i < recordings.size(); ++i) {
      if (!options.overwrite && already_exported(options, recordings[i].info)) {
        ++report.recordings_skipped;
      } else {
        positions.push_back(readable[i]);
      }
    }
  }
  auto cursor = dataset.open_recordings(std::move(positions));
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto loaded, cursor->next());
    if (!loaded) break;
    const StoreInfo info = loaded->summary->info;
    REEL_ASSIGN_OR_RETURN(
        auto one, dataframe::Dataset::from_stores({loaded->store}, {loaded->summary->source}));
    REEL_RETURN_NOT_OK(session->attach(one, "reel-export", false));
    REEL_ASSIGN_OR_RETURN(auto archetypes, one.archetypes());
    std::vector<std::pair<fs::path, fs::path>> renames;
    for (const auto& archetype : archetypes) {
      dataframe::RowsOptions o;
      o.archetype = archetype;
      REEL_ASSIGN_OR_RETURN(auto columns, one.rows_schema(o));
      const fs::path dir = partition_dir(options, archetype, info);
      fs::create_directories(dir, ec);
      if (ec) return Status::IOError("export: cannot create " + dir.string() + ": " + ec.message());
      std::vector<fs::path> stale;  // an earlier partial or overwritten export of it
      for (auto f = fs::directory_iterator(dir, ec); !ec && f != fs::directory_iterator();
           f.increment(ec)) {
        stale.push_back(f->path());
      }
      for (const auto& f : stale) fs::remove(f, ec);
      const fs::path tmp = dir / ".part-0.parquet.tmp";
      const std::string copy =
          "COPY (SELECT " + select_list(columns) +
          " FROM reel_scan('reel-export', archetype := " + quote_literal(archetype) +
          ", raw_time := true)) TO " + quote_literal(tmp.string()) +
          " (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE " +
          std::to_string(options.row_group_rows) + ")";
      REEL_ASSIGN_OR_RETURN(auto result, session->query(copy));
      REEL_ASSIGN_OR_RETURN(auto counted, result->read_all());
      for (const auto& b : counted) {
        if (b.num_rows > 0 && !b.columns.empty() &&
            b.columns[0]->type->id() == arrow::TypeId::kInt64) {
          report.rows_written += b.columns[0]->values<int64_t>()[0];
        }
      }
      renames.push_back({tmp, dir / "part-0.parquet"});
      tables.insert(archetype);
    }
    for (const auto& [from, to] : renames) {
      fs::rename(from, to, ec);
      if (ec)
        return Status::IOError("export: cannot rename " + from.string() + ": " + ec.message());
      report.bytes_written += fs::file_size(to, ec);
      ++report.files_written;
    }
    ++report.recordings_written;
  }
  report.tables.assign(tables.begin(), tables.end());
  return report;
}

}  // namespace reel::sql
