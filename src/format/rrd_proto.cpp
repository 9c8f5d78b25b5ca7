// .rrd message bodies: reel's structs to and from Rerun's protobuf messages, LZ4 blocks, and
// the footer checksum.
#include <lz4.h>
#include <xxhash.h>

#include <climits>
#include <cstring>

#include <google/protobuf/stubs/logging.h>
#include "format/rrd_internal.hpp"
#include "reel/format/rrd.hpp"

#include "rerun/v1alpha1/common.pb.h"
#include "rerun/v1alpha1/log_msg.pb.h"

#ifndef REEL_VERSION_STRING
#define REEL_VERSION_STRING "unknown"
#endif

namespace reel::format::rrd {

namespace pb_common = ::rerun::common::v1alpha1;
namespace pb = ::rerun::log_msg::v1alpha1;

int32_t RerunVersion::bits() const {
  const auto b = bytes();
  int32_t v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

RerunVersion RerunVersion::from_bits(int32_t bits) {
  std::array<uint8_t, 4> b;
  std::memcpy(b.data(), &bits, 4);
  return from_bytes(b);
}

std::string RerunVersion::to_string() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  const uint8_t tag = meta & 0xC0, n = meta & 0x3F;
  if (tag == 0x40) s += "-rc." + std::to_string(n);
  if (tag == 0x80) s += "-alpha." + std::to_string(n);
  if (tag == 0xC0) s += "-alpha." + std::to_string(n) + "+dev";
  return s;
}

const char* store_kind_name(StoreKind kind) {
  switch (kind) {
    case StoreKind::kRecording:
      return "recording";
    case StoreKind::kBlueprint:
      return "blueprint";
    case StoreKind::kUnspecified:
      break;
  }
  return "unspecified";
}

std::string StoreId::to_string() const {
  return std::string(store_kind_name(kind)) + " " + application_id + "/" + recording_id;
}

const char* message_kind_name(MessageKind kind) {
  switch (kind) {
    case MessageKind::kEnd:
      return "End";
    case MessageKind::kSetStoreInfo:
      return "SetStoreInfo";
    case MessageKind::kArrowMsg:
      return "ArrowMsg";
    case MessageKind::kBlueprintActivationCommand:
      return "BlueprintActivationCommand";
  }
  return "unknown";
}

StoreSource reel_store_source() {
  return {StoreSourceKind::kOther, std::string("reel ") + REEL_VERSION_STRING};
}

namespace internal {

void put_u64_le(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
void put_u32_le(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint64_t get_u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint32_t get_u32_le(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t footer_checksum(std::span<const uint8_t> body) {
  return XXH32(body.data(), body.size(), kFooterChecksumSeed);
}

std::string lz4_compress_block(std::span<const uint8_t> bytes) {
  if (bytes.size() > size_t(LZ4_MAX_INPUT_SIZE)) return {};  // callers bound sizes below this
  std::string out(size_t(LZ4_compressBound(int(bytes.size()))), '\0');
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(bytes.data()), out.data(),
                                     int(bytes.size()), int(out.size()));
  out.resize(size_t(n > 0 ? n : 0));
  return out;
}

Result<arrow::BufferPtr> lz4_decompress_block(std::span<const uint8_t> stored,
                                              uint64_t uncompressed_size, uint64_t max_bytes,
                                              const std::string& where) {
  if (uncompressed_size > max_bytes || uncompressed_size > uint64_t(INT_MAX)) {
    return Status::Corrupt(where + ": uncompressed size " + std::to_string(uncompressed_size) +
                           " is over the limit of " + std::to_string(max_bytes) + " bytes");
  }
  // An LZ4 block expands at most ~255x: a larger claim is corrupt, and is refused before the
  // allocation it would size.
  if (uncompressed_size > 255 * uint64_t(stored.size()) + 16) {
    return Status::Corrupt(where + ": uncompressed size " + std::to_string(uncompressed_size) +
                           " is beyond what " + std::to_string(stored.size()) +
                           " LZ4 bytes can hold");
  }
  if (stored.size() > size_t(INT_MAX)) return Status::Corrupt(where + ": LZ4 block too large");
  REEL_ASSIGN_OR_RETURN(auto buffer,
                        arrow::Buffer::try_allocate_for_overwrite(size_t(uncompressed_size)));
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(stored.data()),
                                    reinterpret_cast<char*>(buffer->mutable_data()),
                                    int(stored.size()), int(uncompressed_size));
  if (n < 0 || uint64_t(n) != uncompressed_size) {
    return Status::Corrupt(where + ": bad LZ4 block (" + std::to_string(stored.size()) +
                           " bytes, expected to hold " + std::to_string(uncompressed_size) + ")");
  }
  return arrow::BufferPtr(std::move(buffer));
}

namespace {

StoreId from_pb(const pb_common::StoreId& id) {
  StoreId out;
  const int kind = int(id.kind());
  out.kind = (kind == 1 || kind == 2) ? StoreKind(kind) : StoreKind::kUnspecified;
  out.recording_id = id.recording_id();
  out.application_id = id.application_id().id();
  return out;
}

void to_pb(const StoreId& id, pb_common::StoreId* out) {
  out->set_kind(pb_common::StoreKind(int(id.kind)));
  out->set_recording_id(id.recording_id);
  out->mutable_application_id()->set_id(id.application_id);
}

Tuid from_pb(const pb_common::Tuid& t) { return {t.time_ns(), t.inc()}; }
void to_pb(const Tuid& t, pb_common::Tuid* out) {
  out->set_time_ns(t.time_ns);
  out->set_inc(t.inc);
}

// Bodies are bounded by max_message_bytes (<= 1 GiB by default), far below INT_MAX. The
// silencer keeps libprotobuf from printing to stderr about bad input (invalid UTF-8 in a
// string field): reel reports the failure itself, with the byte offset.
template <typename M>
bool parse(M& m, std::span<const uint8_t> body) {
  google::protobuf::LogSilencer silencer;
  return body.size() <= size_t(INT_MAX) && m.ParseFromArray(body.data(), int(body.size()));
}

template <typename M>
Result<std::string> serialize(const M& m, const char* what) {
  std::string out;
  if (m.ByteSizeLong() > size_t(INT_MAX) || !m.SerializeToString(&out)) {
    return Status::CapacityError(std::string(what) + " is too large for protobuf (2 GiB)");
  }
  return out;
}

}  // namespace

Status decode_body(MessageKind kind, std::span<const uint8_t> body, uint64_t max_bytes,
                   const std::string& where, Message& out) {
  auto unparsable = [&](const char* type) {
    return Status::Corrupt(where + ": " + std::to_string(body.size()) +
                           "-byte body does not parse as a " + type + " protobuf");
  };
  switch (kind) {
    case MessageKind::kSetStoreInfo: {
      pb::SetStoreInfo m;
      if (!parse(m, body)) return unparsable("SetStoreInfo");
      SetStoreInfo& info = out.store_info;
      info.row_id = from_pb(m.row_id());
      const pb::StoreInfo& si = m.info();
      info.store_id = from_pb(si.store_id());
      // Files from before the application id moved into StoreId carry it here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      if (info.store_id.application_id.empty()) {
        info.store_id.application_id = si.application_id().id();
      }
#pragma GCC diagnostic pop
      if (info.store_id.recording_id.empty()) {
        return Status::Corrupt(where + ": SetStoreInfo without a recording id");
      }
      const int source_kind = int(si.store_source().kind());
      info.source.kind = (source_kind >= 0 && source_kind <= 6) ? StoreSourceKind(source_kind)
                                                                : StoreSourceKind::kUnspecified;
      info.source.extra = si.store_source().extra().payload();
      if (si.has_store_version()) {
        info.store_version = RerunVersion::from_bits(si.store_version().crate_version_bits());
      }
      out.store_id = info.store_id;
      return Status::OK();
    }
    case MessageKind::kArrowMsg: {
      pb::ArrowMsg m;
      if (!parse(m, body)) return unparsable("ArrowMsg");
      ArrowMsg& a = out.arrow;
      a.store_id = from_pb(m.store_id());
      if (m.has_chunk_id()) a.chunk_id = from_pb(m.chunk_id());
      if (m.has_is_static()) a.is_static = m.is_static();
      if (m.encoding() != pb::ENCODING_ARROW_IPC) {
        return Status::Corrupt(where + ": ArrowMsg payload encoding " +
                               std::to_string(int(m.encoding())) + " is not Arrow IPC (1)");
      }
      const auto& stored = m.payload();
      const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(stored.data()),
                                           stored.size());
      switch (m.compression()) {
        case pb_common::COMPRESSION_LZ4: {
          a.compression = PayloadCompression::kLz4;
          REEL_ASSIGN_OR_RETURN(
              a.payload, lz4_decompress_block(bytes, m.uncompressed_size(), max_bytes, where));
          break;
        }
        case pb_common::COMPRESSION_UNSPECIFIED:  // older writers left it unset
        case pb_common::COMPRESSION_NONE: {
          a.compression = PayloadCompression::kNone;
          // The payload moves out of the message: its bytes are not copied again.
          auto owner = std::make_shared<std::string>(std::move(*m.mutable_payload()));
          a.payload = arrow::Buffer::wrap(owner->data(), owner->size(), owner);
          break;
        }
        default:
          return Status::Corrupt(where + ": unknown ArrowMsg compression " +
                                 std::to_string(int(m.compression())));
      }
      out.store_id = a.store_id;
      return Status::OK();
    }
    case MessageKind::kBlueprintActivationCommand: {
      pb::BlueprintActivationCommand m;
      if (!parse(m, body)) return unparsable("BlueprintActivationCommand");
      out.activation.blueprint_id = from_pb(m.blueprint_id());
      out.activation.make_active = m.make_active();
      out.activation.make_default = m.make_default();
      out.store_id = out.activation.blueprint_id;
      return Status::OK();
    }
    case MessageKind::kEnd: {
      if (body.empty()) return Status::OK();
      pb::RrdFooter m;
      if (!parse(m, body)) return unparsable("RrdFooter");
      for (const auto& pm : m.manifests()) {
        RrdManifest manifest;
        manifest.store_id = from_pb(pm.store_id());
        manifest.sorbet_schema = pm.sorbet_schema().arrow_schema();
        if (pm.has_sorbet_schema_sha256())
          manifest.sorbet_schema_sha256 = pm.sorbet_schema_sha256();
        const auto& data = pm.data();
        const auto& stored = data.payload();
        const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(stored.data()),
                                             stored.size());
        if (data.compression() == pb_common::COMPRESSION_LZ4) {
          REEL_ASSIGN_OR_RETURN(manifest.data,
                                lz4_decompress_block(bytes, data.uncompressed_size(), max_bytes,
                                                     where + " (footer manifest of " +
                                                         manifest.store_id.to_string() + ")"));
        } else {
          manifest.data = arrow::Buffer::copy_of(bytes.data(), bytes.size());
        }
        out.manifests.push_back(std::move(manifest));
      }
      return Status::OK();
    }
  }
  return Status::Corrupt(where + ": unknown message kind");
}

bool body_plausible(MessageKind kind, std::span<const uint8_t> body) {
  switch (kind) {
    case MessageKind::kSetStoreInfo: {
      pb::SetStoreInfo m;
      return parse(m, body) && m.has_info() && !m.info().store_id().recording_id().empty();
    }
    case MessageKind::kArrowMsg: {
      pb::ArrowMsg m;
      return parse(m, body) && m.encoding() == pb::ENCODING_ARROW_IPC && !m.payload().empty();
    }
    case MessageKind::kBlueprintActivationCommand: {
      pb::BlueprintActivationCommand m;
      return parse(m, body) && m.has_blueprint_id();
    }
    case MessageKind::kEnd: {
      pb::RrdFooter m;
      return parse(m, body);
    }
  }
  return false;
}

}  // namespace internal

Result<std::string> encode_set_store_info_body(const SetStoreInfo& info) {
  pb::SetStoreInfo m;
  internal::to_pb(info.row_id, m.mutable_row_id());
  pb::StoreInfo* si = m.mutable_info();
  internal::to_pb(info.store_id, si->mutable_store_id());
  si->mutable_store_source()->set_kind(pb::StoreSourceKind(int(info.source.kind)));
  si->mutable_store_source()->mutable_extra()->set_payload(info.source.extra);
  si->mutable_store_version()->set_crate_version_bits(
      info.store_version.value_or(kWrittenVersion).bits());
  return internal::serialize(m, "SetStoreInfo");
}

Result<std::string> encode_arrow_msg_body(const StoreId& store_id, std::span<const uint8_t> payload,
                                          PayloadCompression compression,
                                          std::optional<Tuid> chunk_id,
                                          std::optional<bool> is_static) {
  if (payload.size() > kMaxMessageBytes) {
    return Status::CapacityError("ArrowMsg payload of " + std::to_string(payload.size()) +
                                 " bytes is over the limit of " + std::to_string(kMaxMessageBytes));
  }
  pb::ArrowMsg m;
  internal::to_pb(store_id, m.mutable_store_id());
  if (chunk_id) internal::to_pb(*chunk_id, m.mutable_chunk_id());
  if (is_static) m.set_is_static(*is_static);
  m.set_encoding(pb::ENCODING_ARROW_IPC);
  m.set_uncompressed_size(payload.size());
  if (compression == PayloadCompression::kLz4) {
    m.set_compression(pb_common::COMPRESSION_LZ4);
    m.set_payload(internal::lz4_compress_block(payload));
  } else {
    m.set_compression(pb_common::COMPRESSION_NONE);
    m.set_payload(payload.data(), payload.size());
  }
  return internal::serialize(m, "ArrowMsg");
}

Result<std::string> encode_blueprint_activation_body(const BlueprintActivation& activation) {
  pb::BlueprintActivationCommand m;
  internal::to_pb(activation.blueprint_id, m.mutable_blueprint_id());
  m.set_make_active(activation.make_active);
  m.set_make_default(activation.make_default);
  return internal::serialize(m, "BlueprintActivationCommand");
}

Result<std::string> encode_rrd_footer_body(std::span<const RrdManifest> manifests) {
  pb::RrdFooter m;
  for (const auto& manifest : manifests) {
    pb::RrdManifest* pm = m.add_manifests();
    internal::to_pb(manifest.store_id, pm->mutable_store_id());
    pm->mutable_sorbet_schema()->set_arrow_schema(manifest.sorbet_schema);
    if (manifest.sorbet_schema_sha256) pm->set_sorbet_schema_sha256(*manifest.sorbet_schema_sha256);
    pb_common::DataframePart* data = pm->mutable_data();
    data->set_encoder_version(pb_common::ENCODER_VERSION_V0);
    data->set_compression(pb_common::COMPRESSION_NONE);
    if (manifest.data) {
      data->set_payload(manifest.data->data(), manifest.data->size());
      data->set_uncompressed_size(manifest.data->size());
    }
  }
  return internal::serialize(m, "RrdFooter");
}

}  // namespace reel::format::rrd
