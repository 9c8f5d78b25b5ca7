// import_file: MCAP and ROS 1 bags through their readers and the topic mappers; plain files
// through file_importer.cpp.
#include "reel/import/importer.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "import/file_importer_internal.hpp"
#include "import/topic_mapper_internal.hpp"
#include "reel/format/file_format.hpp"
#include "reel/import/mcap_reader.hpp"
#include "reel/import/ros1_bag_reader.hpp"

namespace reel::import {

using internal::TopicMapper;

const char* import_format_name(ImportFormat format) {
  switch (format) {
    case ImportFormat::kMcap:
      return "mcap";
    case ImportFormat::kRosBag:
      return "rosbag";
    case ImportFormat::kImage:
      return "image";
    case ImportFormat::kPointCloud:
      return "point cloud";
    case ImportFormat::kMesh:
      return "mesh";
    case ImportFormat::kText:
      return "text";
    case ImportFormat::kDirectory:
      return "directory";
    case ImportFormat::kNone:
      break;
  }
  return "none";
}

Result<ImportFormat> detect_import_format(const std::string& path) {
  struct stat st;
  if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return ImportFormat::kDirectory;
  }
  if (path == "-") return ImportFormat::kNone;  // stdin: a recording stream
  REEL_ASSIGN_OR_RETURN(auto format, format::detect_file_format(path));
  if (format == format::FileFormat::kMcap) return ImportFormat::kMcap;
  if (format == format::FileFormat::kRosBag) return ImportFormat::kRosBag;
  if (format != format::FileFormat::kUnknown) return ImportFormat::kNone;
  return internal::detect_plain_file(path);
}

namespace {

// A recording id from the file's content: its size and CRCs of its first and last MiB (an
// MCAP's summary and a bag's index, which list every chunk, sit in the last).
Result<std::string> content_id(const std::string& path, uint64_t* size) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IOError("cannot open " + path);
  std::vector<uint8_t> buf(size_t(1) << 20);
  std::fseek(f, 0, SEEK_END);
  const long end = std::ftell(f);
  *size = end > 0 ? uint64_t(end) : 0;
  auto crc_at = [&](long at) {
    std::fseek(f, at, SEEK_SET);
    const size_t got = std::fread(buf.data(), 1, buf.size(), f);
    return uint32_t(crc32(0L, buf.data(), uInt(got)));
  };
  const uint32_t head = crc_at(0);
  const uint32_t tail = crc_at(std::max<long>(0, end - long(buf.size())));
  std::fclose(f);
  char id[40];
  std::snprintf(id, sizeof id, "%016llx%08x%08x", static_cast<unsigned long long>(*size), head,
                tail);
  return std::string(id);
}

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct Topics {
  std::optional<EntityPathFilter> filter;
  bool wanted(const std::string& topic) const {
    return !filter || filter->matches(EntityPath(topic));
  }
};

// Decoded channels by id; null where the topic is filtered out.
using Mappers = std::map<uint32_t, std::unique_ptr<TopicMapper>>;

Status flush_all(Mappers& mappers, const ChunkCallback& on_chunk, ImportReport& report) {
  for (auto& [id, m] : mappers) {
    if (m) REEL_RETURN_NOT_OK(m->flush(on_chunk, report.warnings, &report.chunks));
  }
  return Status::OK();
}

std::unique_ptr<MessageDecoder> decoder_for(const std::string& file, const std::string& topic,
                                            std::string_view schema_name,
                                            std::string_view schema_encoding,
                                            std::span<const uint8_t> schema_data,
                                            std::string_view message_encoding,
                                            const ImportOptions& options,
                                            std::vector<std::string>& warnings) {
  auto decoder =
      make_decoder(schema_name, schema_encoding, schema_data, message_encoding, options.batch);
  if (decoder.ok()) return std::move(*decoder);
  warnings.push_back(file + ": topic " + topic + " (schema " + std::string(schema_name) +
                     ", encoding " + std::string(message_encoding) +
                     "): messages kept as raw bytes: " + decoder.status().message());
  return nullptr;
}

Status import_mcap(const std::string& path, const ChunkCallback& on_chunk,
                   const ImportOptions& options, const Topics& topics, ImportReport& report) {
  REEL_ASSIGN_OR_RETURN(auto reader, McapReader::open(path));
  const std::string name = file_name(path);
  Mappers mappers;
  int64_t first_time = -1;
  McapEvent event;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(bool more, reader->next(&event));
    if (!more) break;
    if (event.kind != McapEventKind::kMessage) continue;
    const McapMessage& m = event.message;
    auto it = mappers.find(m.channel->id);
    if (it == mappers.end()) {
      std::unique_ptr<TopicMapper> mapper;
      if (topics.wanted(m.channel->topic)) {
        static const std::vector<uint8_t> kNoData;
        const std::string schema_name = m.schema ? m.schema->name : "";
        auto decoder = decoder_for(name, m.channel->topic, schema_name,
                                   m.schema ? std::string_view(m.schema->encoding) : "",
                                   m.schema ? std::span<const uint8_t>(m.schema->data) : kNoData,
                                   m.channel->message_encoding, options, report.warnings);
        mapper = std::make_unique<TopicMapper>(name, m.channel->topic, schema_name,
                                               std::move(decoder), true, options.batch);
      }
      it = mappers.emplace(m.channel->id, std::move(mapper)).first;
    }
    if (!it->second) continue;
    ++report.messages;
    if (first_time < 0 || int64_t(m.log_time) < first_time) first_time = int64_t(m.log_time);
    it->second->append(m.data, int64_t(m.log_time), int64_t(m.publish_time), m.offset,
                       report.warnings);
    if (it->second->full()) {
      REEL_RETURN_NOT_OK(it->second->flush(on_chunk, report.warnings, &report.chunks));
    }
  }
  REEL_RETURN_NOT_OK(flush_all(mappers, on_chunk, report));
  for (const auto& w : reader->warnings()) report.warnings.push_back(w.message);
  report.bytes = reader->offset();
  report.info.started_ns = std::max<int64_t>(first_time, 0);
  return Status::OK();
}

Status import_bag(const std::string& path, const ChunkCallback& on_chunk,
                  const ImportOptions& options, const Topics& topics, ImportReport& report) {
  REEL_ASSIGN_OR_RETURN(auto reader, Ros1BagReader::open(path));
  const std::string name = file_name(path);
  Mappers mappers;
  int64_t first_time = -1;
  Ros1Event event;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(bool more, reader->next(&event));
    if (!more) break;
    if (event.kind != Ros1EventKind::kMessage) continue;
    const Ros1Message& m = event.message;
    const Ros1Connection& c = *m.connection;
    auto it = mappers.find(c.id);
    if (it == mappers.end()) {
      std::unique_ptr<TopicMapper> mapper;
      if (topics.wanted(c.topic)) {
        auto decoder = decoder_for(
            name, c.topic, c.type, "ros1msg",
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.message_definition.data()),
                                     c.message_definition.size()),
            "ros1", options, report.warnings);
        mapper = std::make_unique<TopicMapper>(name, c.topic, c.type, std::move(decoder), false,
                                               options.batch);
      }
      it = mappers.emplace(c.id, std::move(mapper)).first;
    }
    if (!it->second) continue;
    ++report.messages;
    if (first_time < 0 || int64_t(m.time) < first_time) first_time = int64_t(m.time);
    it->second->append(m.data, int64_t(m.time), 0, m.offset, report.warnings);
    if (it->second->full()) {
      REEL_RETURN_NOT_OK(it->second->flush(on_chunk, report.warnings, &report.chunks));
    }
  }
  REEL_RETURN_NOT_OK(flush_all(mappers, on_chunk, report));
  for (const auto& w : reader->warnings()) report.warnings.push_back(w.message);
  report.bytes = reader->offset();
  report.info.started_ns = std::max<int64_t>(first_time, 0);
  return Status::OK();
}

}  // namespace

Result<ImportReport> import_file(const std::string& path, const ChunkCallback& on_chunk,
                                 const ImportOptions& options) {
  REEL_ASSIGN_OR_RETURN(ImportFormat format, detect_import_format(path));
  ImportReport report;
  report.info.application_id = file_name(path);
  Topics topics;
  if (!options.topics.empty()) {
    REEL_ASSIGN_OR_RETURN(auto filter, EntityPathFilter::parse(options.topics));
    topics.filter = std::move(filter);
  }
  uint64_t size = 0;
  switch (format) {
    case ImportFormat::kMcap:
    case ImportFormat::kRosBag: {
      REEL_ASSIGN_OR_RETURN(report.info.recording_id, content_id(path, &size));
      Status st = format == ImportFormat::kMcap
                      ? import_mcap(path, on_chunk, options, topics, report)
                      : import_bag(path, on_chunk, options, topics, report);
      if (!st.ok()) return st.with_context("importing " + path);
      return report;
    }
    case ImportFormat::kNone:
      return Status::Invalid(path +
                             " is not a file reel imports (MCAP, ROS 1 bag, PNG, JPEG, PLY, " +
                             "OBJ, STL, GLB, .txt, .md, or a directory of these)");
    default:
      REEL_RETURN_NOT_OK(internal::import_plain(path, format, on_chunk, report));
      if (format != ImportFormat::kDirectory) {
        REEL_ASSIGN_OR_RETURN(report.info.recording_id, content_id(path, &size));
      } else {
        report.info.recording_id = internal::directory_id(path);
      }
      return report;
  }
}

Result<ImportReport> import_into_store(const std::string& path, ChunkStore& store,
                                       const ImportOptions& options) {
  REEL_ASSIGN_OR_RETURN(auto report, import_file(
                                         path,
                                         [&store](ChunkPtr chunk) -> Status {
                                           return store.insert(std::move(chunk)).status();
                                         },
                                         options));
  store.set_info(report.info);
  return report;
}

Result<LoadReport> load_any_file(const std::string& path, ChunkStore& store,
                                 const ImportOptions& options) {
  REEL_ASSIGN_OR_RETURN(ImportFormat format, detect_import_format(path));
  if (format == ImportFormat::kNone) return load_file(path, store);
  REEL_ASSIGN_OR_RETURN(auto report, import_into_store(path, store, options));
  LoadReport load;
  load.messages = report.messages;
  load.chunks = report.chunks;
  load.bytes = report.bytes;
  load.info = report.info;
  load.warnings = std::move(report.warnings);
  return load;
}

}  // namespace reel::import
