// .rrd internals shared by the decoder, the encoder and the gRPC-web framing. Protobuf types
// stay behind this header's functions: none appears in a public header.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "reel/format/rrd.hpp"

namespace reel::format::rrd::internal {

inline constexpr uint8_t kFourcc[4] = {'R', 'R', 'F', '2'};
inline constexpr uint8_t kFootIdentifier[4] = {'F', 'O', 'O', 'T'};
inline constexpr uint8_t kSerializerProtobuf = 2;

void put_u64_le(uint8_t* p, uint64_t v);
void put_u32_le(uint8_t* p, uint32_t v);
uint64_t get_u64_le(const uint8_t* p);
uint32_t get_u32_le(const uint8_t* p);

uint32_t footer_checksum(std::span<const uint8_t> rrd_footer_body);

// Decodes the protobuf body of a message of `kind` into `out` (kind-specific fields and
// store_id). ArrowMsg payloads are decompressed (LZ4 block, sized by uncompressed_size, which
// must not exceed `max_bytes`). Errors name `where` ("run.rrd: message at byte 123").
Status decode_body(MessageKind kind, std::span<const uint8_t> body, uint64_t max_bytes,
                   const std::string& where, Message& out);

// A cheap check used while resynchronising: does `body` parse as a message of `kind` with the
// fields a real writer sets (an ArrowMsg with an Arrow IPC payload, a SetStoreInfo with a
// store id)? Nothing is decompressed.
bool body_plausible(MessageKind kind, std::span<const uint8_t> body);

// LZ4 block compression, as Rerun stores ArrowMsg payloads and manifest tables.
std::string lz4_compress_block(std::span<const uint8_t> bytes);
Result<arrow::BufferPtr> lz4_decompress_block(std::span<const uint8_t> stored,
                                              uint64_t uncompressed_size, uint64_t max_bytes,
                                              const std::string& where);

}  // namespace reel::format::rrd::internal
