// reel print / stats / compact / merge / filter / verify.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>

#include "cli/cli.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::cli {

namespace {

using format::Message;
using format::MessageKind;
using format::RecordingReader;

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", b, units[u]);
  return buf;
}

std::string time_ranges(const Chunk& c) {
  std::string s;
  for (const auto& t : c.timelines()) {
    if (!s.empty()) s += ", ";
    s += t.name() + " [" + format_time(t.timeline().type(), t.range().min) + ", " +
         format_time(t.timeline().type(), t.range().max) + "]";
  }
  return s.empty() ? "static" : s;
}

std::string time_ranges(const format::FooterEntry& e) {
  std::string s;
  for (const auto& [name, range] : e.time_ranges) {
    const TimeType type =
        e.timeline_types.count(name) ? e.timeline_types.at(name) : TimeType::kSequence;
    if (!s.empty()) s += ", ";
    s += name + " [" + format_time(type, range.min) + ", " + format_time(type, range.max) + "]";
  }
  return s.empty() ? "static" : s;
}

// `reel print` without -v: the chunk list, from the file's index (its footer, when it has a
// version 2 one: then no chunk is read).
Status print_from_index(const std::string& path, int64_t& total_chunks, int64_t& total_rows) {
  format::RecordingIndex index;
  Status st = index_input(path, index);
  print_warnings(index.warnings);
  if (!st.ok()) return st;
  const std::string name = path == "-" ? "<stdin>" : path;
  size_t info = 0;
  for (size_t c = 0; c <= index.chunks.size(); ++c) {
    const uint64_t at = c < index.chunks.size() ? index.chunks[c].offset : UINT64_MAX;
    for (; info < index.infos.size() && index.infos[info].offset < at; ++info) {
      const StoreInfo& i = index.infos[info].info;
      // Version 0: read from Rerun's .rrd, whose stores (blueprints too) are each listed.
      const std::string from =
          index.version ? "format v" + std::to_string(index.version) : std::string("Rerun .rrd");
      std::printf("%s: %s %s of application '%s', started %s (%s)\n", name.c_str(),
                  i.is_blueprint ? "blueprint" : "recording", i.recording_id.c_str(),
                  i.application_id.c_str(), format_time(TimeType::kTimestamp, i.started_ns).c_str(),
                  from.c_str());
    }
    if (c == index.chunks.size()) break;
    const format::FooterEntry& e = index.chunks[c];
    ++total_chunks;
    total_rows += e.rows;
    std::string comps;
    for (const auto& comp : e.components) {
      comps += (comps.empty() ? "" : ", ") + comp.descriptor.identifier();
    }
    std::printf("chunk %-24s %6lld rows  %s  {%s}\n", e.entity.str().c_str(),
                static_cast<long long>(e.rows), time_ranges(e).c_str(), comps.c_str());
  }
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------------------

int run_print(const PrintOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  int64_t total_chunks = 0, total_rows = 0;
  for (const auto& path : *inputs) {
    if (options.verbosity == 0) {
      if (Status st = print_from_index(path, total_chunks, total_rows); !st.ok()) return fail(st);
      continue;
    }
    std::vector<std::string> warnings;
    Status st = for_each_message(
        path, {},
        [&](const Message& m, RecordingReader& reader) -> Status {
          switch (m.kind) {
            case MessageKind::kStoreInfo:
              if (reader.is_rrd()) {  // Rerun's .rrd: every store, recordings and blueprints
                std::printf("%s: store %u: %s %s of application '%s' (Rerun .rrd)\n",
                            reader.name().c_str(), unsigned(m.stream),
                            m.info.is_blueprint ? "blueprint" : "recording",
                            m.info.recording_id.c_str(), m.info.application_id.c_str());
                break;
              }
              std::printf("%s: %s %s of application '%s', started %s (format v%u)\n",
                          reader.name().c_str(), m.info.is_blueprint ? "blueprint" : "recording",
                          m.info.recording_id.c_str(), m.info.application_id.c_str(),
                          format_time(TimeType::kTimestamp, m.info.started_ns).c_str(),
                          unsigned(reader.version()));
              break;
            case MessageKind::kChunk: {
              const Chunk& c = *m.chunk;
              ++total_chunks;
              total_rows += c.num_rows();
              std::string comps;
              for (const auto& comp : c.components()) {
                comps += (comps.empty() ? "" : ", ") + comp.descriptor.identifier();
              }
              std::printf("chunk %-24s %6lld rows  %s  {%s}\n", c.entity_path().str().c_str(),
                          static_cast<long long>(c.num_rows()), time_ranges(c).c_str(),
                          comps.c_str());
              if (options.verbosity >= 1) {
                std::printf("  id %s at byte %llu, %s stored (%s, %s decoded), rows %s\n",
                            c.id().to_string().c_str(), static_cast<unsigned long long>(m.offset),
                            human_bytes(double(m.stored_bytes)).c_str(),
                            format::compression_name(m.compression),
                            human_bytes(double(m.payload_bytes)).c_str(),
                            c.is_sorted() ? "sorted by row id" : "unsorted");
                for (const auto& t : c.timelines()) {
                  std::printf("  time %-20s %-9s %s\n", t.name().c_str(),
                              time_type_name(t.timeline().type()),
                              t.is_sorted() ? "sorted" : "unsorted");
                }
                for (const auto& comp : c.components()) {
                  std::printf("  component %-30s list<%s>  %lld nulls  %s  (%s)\n",
                              comp.descriptor.identifier().c_str(),
                              comp.list.value_type()->to_string().c_str(),
                              static_cast<long long>(comp.list.null_count()),
                              human_bytes(double(format::arrow_bytes(comp.list))).c_str(),
                              comp.descriptor.component_type().c_str());
                }
              }
              if (options.verbosity >= 2) {
                std::printf("%s", c.to_string(options.verbosity >= 3 ? INT64_MAX : 10).c_str());
              }
              break;
            }
            case MessageKind::kFooter:
              if (options.verbosity >= 1) {
                std::printf("footer at byte %llu: %zu chunk entries\n",
                            static_cast<unsigned long long>(m.offset), m.footer.chunks.size());
              }
              break;
            case MessageKind::kEnd:
              break;
          }
          return Status::OK();
        },
        &warnings);
    print_warnings(warnings);
    if (!st.ok()) return fail(st);
  }
  std::printf("%lld chunks, %lld rows\n", static_cast<long long>(total_chunks),
              static_cast<long long>(total_rows));
  return 0;
}

// ---------------------------------------------------------------------------------------

int run_stats(const StatsOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  for (const auto& path : *inputs) {
    struct ComponentAcc {
      int64_t chunks = 0, rows = 0, instances = 0;
      size_t bytes = 0;
      std::string type;
    };
    std::map<std::pair<std::string, std::string>, ComponentAcc> components;
    std::map<std::string, std::pair<Timeline, TimeRange>> timelines;
    std::set<std::string> entities;
    uint64_t stored = 0, payload = 0, chunks = 0, static_chunks = 0;
    int64_t rows = 0;
    // From the file's index: its version 2 footer alone, or one streaming pass.
    format::RecordingIndex index;
    Status st = index_input(path, index);
    print_warnings(index.warnings);
    if (!st.ok()) return fail(st);
    const uint64_t file_bytes = index.file_bytes;
    // Blueprint stores (Rerun's view layouts) are listed with their chunk counts, not counted
    // as recording data.
    uint64_t blueprint_chunks = 0;
    for (size_t c = 0; c < index.chunks.size(); ++c) {
      const auto& e = index.chunks[c];
      if (c < index.chunk_blueprint.size() && index.chunk_blueprint[c]) {
        ++blueprint_chunks;
        continue;
      }
      ++chunks;
      static_chunks += e.is_static;
      rows += e.rows;
      stored += e.stored_bytes;
      payload += e.payload_bytes;
      entities.insert(e.entity.str());
      for (const auto& [name, r] : e.time_ranges) {
        auto& [tl, range] = timelines[name];
        auto type = e.timeline_types.find(name);
        tl = Timeline(name, type == e.timeline_types.end() ? TimeType::kSequence : type->second);
        range.extend(r);
      }
      for (const auto& comp : e.components) {
        auto& acc = components[{e.entity.str(), comp.descriptor.identifier()}];
        acc.type = comp.arrow_type;
        ++acc.chunks;
        acc.rows += comp.rows;
        acc.instances += comp.instances;
        acc.bytes += comp.bytes;
      }
    }
    std::printf("%s\n", path == "-" ? "<stdin>" : path.c_str());
    std::printf("  size             %s\n", human_bytes(double(file_bytes)).c_str());
    std::set<std::tuple<bool, std::string, std::string>> listed;
    for (const auto& i : index.infos) {  // every store of the file (.rrd: several), once
      if (!listed.emplace(i.info.is_blueprint, i.info.application_id, i.info.recording_id).second)
        continue;
      std::printf("  store            %s %s of application '%s'\n",
                  i.info.is_blueprint ? "blueprint" : "recording", i.info.recording_id.c_str(),
                  i.info.application_id.c_str());
    }
    if (blueprint_chunks) {
      std::printf("  blueprint chunks %llu (Rerun view layouts: not counted below)\n",
                  static_cast<unsigned long long>(blueprint_chunks));
    }
    std::printf("  chunks           %llu (%llu static)\n", static_cast<unsigned long long>(chunks),
                static_cast<unsigned long long>(static_chunks));
    std::printf("  rows             %lld\n", static_cast<long long>(rows));
    std::printf("  entities         %zu\n", entities.size());
    std::printf("  chunk payloads   %s decoded, %s stored (compression ratio %.2f)\n",
                human_bytes(double(payload)).c_str(), human_bytes(double(stored)).c_str(),
                stored ? double(payload) / double(stored) : 1.0);
    for (const auto& [name, tr] : timelines) {
      std::printf("  timeline %-12s %-9s [%s, %s]\n", name.c_str(), time_type_name(tr.first.type()),
                  format_time(tr.first.type(), tr.second.min).c_str(),
                  format_time(tr.first.type(), tr.second.max).c_str());
    }
    std::printf("  %-28s %-28s %8s %8s %10s %10s  %s\n", "entity", "component", "chunks", "rows",
                "instances", "bytes", "type");
    for (const auto& [key, acc] : components) {
      std::printf("  %-28s %-28s %8lld %8lld %10lld %10s  %s\n", key.first.c_str(),
                  key.second.c_str(), static_cast<long long>(acc.chunks),
                  static_cast<long long>(acc.rows), static_cast<long long>(acc.instances),
                  human_bytes(double(acc.bytes)).c_str(), acc.type.c_str());
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------

namespace {

int rewrite_through_store(const RewriteOptions& options, const char* verb) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  // Checked before reading (the output is only opened after): an input is never read
  // after its own output truncated it.
  if (Status st = check_output_is_not_an_input(options.output, *inputs, verb); !st.ok()) {
    return fail(st);
  }
  auto compression = format::parse_compression(options.compression);
  if (!compression.ok()) return fail(compression.status());
  ChunkStoreConfig config = ChunkStoreConfig::from_env();
  if (options.max_rows) config.chunk_max_rows = options.max_rows;
  if (options.max_bytes) config.chunk_max_bytes = options.max_bytes;
  if (options.max_rows_if_unsorted)
    config.chunk_max_rows_if_unsorted = options.max_rows_if_unsorted;
  ChunkStore store(config);
  uint64_t chunks_in = 0, blueprint_chunks = 0;
  std::vector<std::pair<StoreInfo, std::vector<ChunkPtr>>> blueprints;  // by first appearance
  int64_t rows_in = 0;
  bool have_info = false;
  for (const auto& path : *inputs) {
    std::vector<std::string> warnings;
    Status st = for_each_message(
        path, {},
        [&](Message& m, RecordingReader&) -> Status {
          if (m.kind == MessageKind::kStoreInfo && !have_info && !m.info.is_blueprint) {
            store.set_info(m.info);
            have_info = true;
          } else if (m.kind == MessageKind::kChunk && m.info.is_blueprint) {
            // A Rerun blueprint's layout, not recording data: copied as it is, after it.
            auto it = std::find_if(blueprints.begin(), blueprints.end(), [&](const auto& b) {
              return b.first.application_id == m.info.application_id &&
                     b.first.recording_id == m.info.recording_id;
            });
            if (it == blueprints.end()) it = blueprints.insert(blueprints.end(), {m.info, {}});
            // The same blueprint in two inputs (copies of one file): its chunks once.
            const bool seen =
                std::any_of(it->second.begin(), it->second.end(),
                            [&](const ChunkPtr& c) { return c->id() == m.chunk->id(); });
            if (!seen) {
              it->second.push_back(m.chunk);
              ++blueprint_chunks;
            }
          } else if (m.kind == MessageKind::kChunk) {
            ++chunks_in;
            rows_in += m.chunk->num_rows();
            return store.insert(m.chunk).status();
          }
          return Status::OK();
        },
        &warnings);
    print_warnings(warnings);
    if (!st.ok()) return fail(st);
  }
  format::WriterOptions wo;
  wo.compression = *compression;
  auto writer = open_output(options.output, wo, *inputs, verb, options.file_format);
  if (!writer.ok()) return fail(writer.status());
  // The store merges small chunks; limits given explicitly also split the large ones (a chunk
  // inserted whole, e.g. by send_columns, is never split by the store).
  Status st = (*writer)->write_store_info(store.info());
  uint64_t chunks_out = 0;
  int64_t rows_out = 0;
  for (const auto& chunk : store.chunks()) {
    if (!st.ok()) break;
    int64_t max_rows = int64_t(options.max_rows);
    if (options.max_bytes && chunk->num_rows() > 1) {
      const double per_row = double(chunk->heap_size_bytes()) / double(chunk->num_rows());
      const int64_t by_bytes = std::max<int64_t>(1, int64_t(double(options.max_bytes) / per_row));
      if (by_bytes < chunk->num_rows())
        max_rows = max_rows ? std::min(max_rows, by_bytes) : by_bytes;
    }
    for (const auto& piece : chunk->split(max_rows)) {
      st = (*writer)->write_chunk(*piece);
      if (!st.ok()) break;
      ++chunks_out;
      rows_out += piece->num_rows();
    }
  }
  for (const auto& [info, chunks] : blueprints) {  // each blueprint store after the recording
    if (st.ok()) st = (*writer)->write_store_info(info);
    for (const auto& c : chunks) {
      if (st.ok()) st = (*writer)->write_chunk(*c);
    }
  }
  if (st.ok()) st = (*writer)->finish();
  if (!st.ok()) return fail(st);
  std::fprintf(stderr, "reel %s: %llu chunks (%lld rows) in, %llu chunks (%lld rows) out\n", verb,
               static_cast<unsigned long long>(chunks_in), static_cast<long long>(rows_in),
               static_cast<unsigned long long>(chunks_out), static_cast<long long>(rows_out));
  if (blueprint_chunks) {
    std::fprintf(stderr, "reel %s: %llu chunks of %zu Rerun blueprint stores copied as they were\n",
                 verb, static_cast<unsigned long long>(blueprint_chunks), blueprints.size());
  }
  return 0;
}

}  // namespace

int run_compact(const RewriteOptions& options) { return rewrite_through_store(options, "compact"); }
int run_merge(const RewriteOptions& options) { return rewrite_through_store(options, "merge"); }

// ---------------------------------------------------------------------------------------

int run_filter(const FilterOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  EntityPathFilter drop;
  for (const auto& rule : options.drop_entities) {
    auto parsed = EntityPathFilter::parse(rule);
    if (!parsed.ok()) return fail(parsed.status());
    for (const auto& r : parsed->rules()) drop.add_rule(r);
  }
  const std::set<std::string> drop_timelines(options.drop_timelines.begin(),
                                             options.drop_timelines.end());
  auto writer = open_output(options.output, {}, *inputs, "filter", options.file_format);
  if (!writer.ok()) return fail(writer.status());
  bool have_info = false;
  StoreInfo recording;
  std::optional<StoreInfo> current;  // the store whose info was written last
  uint64_t kept = 0, dropped = 0, rewritten = 0;
  format::ReaderOptions ro;
  ro.keep_raw = true;
  for (const auto& path : *inputs) {
    std::vector<std::string> warnings;
    Status st = for_each_message(
        path, ro,
        [&](Message& m, RecordingReader& reader) -> Status {
          // The recording's store info first; a blueprint's before its chunks, the
          // recording's again when a recording chunk follows one (stores switch so).
          auto same = [](const StoreInfo& a, const StoreInfo& b) {
            return a.is_blueprint == b.is_blueprint && a.application_id == b.application_id &&
                   a.recording_id == b.recording_id;
          };
          auto switch_to = [&](const StoreInfo& info) -> Status {
            if (current && same(*current, info)) return Status::OK();
            current = info;
            return (*writer)->write_store_info(info);
          };
          if (m.kind == MessageKind::kStoreInfo && !have_info && !m.info.is_blueprint) {
            have_info = true;
            recording = m.info;
            return switch_to(m.info);
          }
          if (m.kind != MessageKind::kChunk) return Status::OK();
          if (m.info.is_blueprint) {
            REEL_RETURN_NOT_OK(switch_to(m.info));
          } else if (have_info) {
            REEL_RETURN_NOT_OK(switch_to(recording));
          }
          ChunkPtr c = m.chunk;
          if (drop.matches(c->entity_path())) {
            ++dropped;
            return Status::OK();
          }
          bool changed = false;
          for (const auto& t : c->timelines()) {
            if (drop_timelines.count(t.name())) {
              c = c->without_timeline(t.name());
              changed = true;
            }
          }
          if (changed && c->is_static()) {
            ++dropped;  // it only existed on dropped timelines: it must not turn static
            return Status::OK();
          }
          ++kept;
          if (changed) {
            ++rewritten;
            return (*writer)->write_chunk(*c);
          }
          // As it was; a chunk read from .rrd, or going to it, is encoded anew.
          if (reader.is_rrd()) return (*writer)->write_chunk(*c);
          return (*writer)->write_raw_chunk(reader.last_raw_message(), *c, m.compression);
        },
        &warnings);
    print_warnings(warnings);
    if (!st.ok()) return fail(st);
  }
  Status st = (*writer)->finish();
  if (!st.ok()) return fail(st);
  std::fprintf(stderr, "reel filter: kept %llu chunks (%llu rewritten), dropped %llu\n",
               static_cast<unsigned long long>(kept), static_cast<unsigned long long>(rewritten),
               static_cast<unsigned long long>(dropped));
  return 0;
}

// ---------------------------------------------------------------------------------------

int run_verify(const VerifyOptions& options) {
  auto inputs = resolve_inputs(options.inputs);
  if (!inputs.ok()) return fail(inputs.status());
  int problems_total = 0;
  for (const auto& path : *inputs) {
    std::vector<std::string> problems;
    uint64_t chunks = 0, infos = 0;
    int64_t rows = 0;
    bool ended = false;
    std::vector<RowId> ids;
    std::unordered_set<ChunkId> chunk_ids;
    // Per recording of the input (concatenated ones count up): offsets within that recording.
    std::map<uint64_t, std::pair<std::string, int64_t>> chunk_at;  // offset -> entity, rows
    format::Footer footer;
    bool has_footer = false;
    uint32_t stream = 0;
    uint64_t stream_base = 0;
    uint64_t stream_chunks = 0;
    // A timeline has one type per recording: a chunk that disagrees is left out by readers.
    std::map<std::string, TimeType> timeline_types;
    auto check_footer = [&] {
      if (!has_footer) return;
      const std::string which = stream == 0
                                    ? std::string()
                                    : " of recording " + std::to_string(stream + 1) +
                                          " (from byte " + std::to_string(stream_base) + ")";
      for (const auto& e : footer.chunks) {
        auto it = chunk_at.find(e.offset);
        if (it == chunk_at.end() || it->second.first != e.entity.str() ||
            it->second.second != e.rows) {
          problems.push_back("footer entry" + which + " for byte " + std::to_string(e.offset) +
                             " does not match the chunk there");
        }
      }
      if (footer.chunks.size() != chunk_at.size()) {
        problems.push_back("footer" + which + " lists " + std::to_string(footer.chunks.size()) +
                           " chunks, the recording has " + std::to_string(chunk_at.size()));
      }
    };
    std::vector<std::string> warnings;
    Status st = for_each_message(
        path, {},
        [&](Message& m, RecordingReader&) -> Status {
          if (m.stream != stream) {
            check_footer();
            stream = m.stream;
            stream_base = m.offset - format::kFileHeaderBytes;
            stream_chunks = 0;
            timeline_types.clear();
            chunk_at.clear();
            footer = {};
            has_footer = false;
          }
          switch (m.kind) {
            case MessageKind::kStoreInfo:
              ++infos;
              if (stream_chunks > 0)
                problems.push_back("store info at byte " + std::to_string(m.offset) +
                                   " after chunks");
              break;
            case MessageKind::kChunk: {
              const Chunk& c = *m.chunk;
              ++chunks;
              ++stream_chunks;
              rows += c.num_rows();
              if (!chunk_ids.insert(c.id()).second) {
                problems.push_back("chunk id " + c.id().to_string() + " appears twice (byte " +
                                   std::to_string(m.offset) + ")");
              }
              for (const auto& tc : c.timelines()) {
                auto [it, first] = timeline_types.try_emplace(tc.name(), tc.timeline().type());
                if (!first && it->second != tc.timeline().type()) {
                  problems.push_back(
                      "chunk " + c.id().to_string() + " at byte " + std::to_string(m.offset) +
                      " (" + c.entity_path().str() + "): timeline " + tc.name() + " is " +
                      time_type_name(tc.timeline().type()) + " where the recording has it as " +
                      time_type_name(it->second) + "; readers leave this chunk out");
                }
              }
              for (int64_t i = 0; i < c.num_rows(); ++i) ids.push_back(c.row_id(i));
              chunk_at[m.offset - stream_base] = {c.entity_path().str(), c.num_rows()};
              break;
            }
            case MessageKind::kFooter:
              footer = m.footer;
              has_footer = true;
              break;
            case MessageKind::kEnd:
              ended = true;
              break;
          }
          return Status::OK();
        },
        &warnings);
    for (const auto& w : warnings) problems.push_back(w);
    if (!st.ok()) problems.push_back(st.message());
    if (infos == 0) problems.push_back("no store info message");
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
      problems.push_back("some row ids appear in more than one row");
    }
    check_footer();
    (void)ended;
    const std::string name = path == "-" ? "<stdin>" : path;
    if (problems.empty()) {
      std::printf("%s: OK (%llu chunks, %lld rows)\n", name.c_str(),
                  static_cast<unsigned long long>(chunks), static_cast<long long>(rows));
    } else {
      for (const auto& p : problems) std::printf("%s: FAILED: %s\n", name.c_str(), p.c_str());
      problems_total += int(problems.size());
    }
  }
  return problems_total ? 1 : 0;
}

}  // namespace reel::cli
