// CRC-32C (Castagnoli), the checksum of every message payload. Uses the SSE4.2 instruction
// when the CPU has it (several GB/s), a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace reel::format {

// The CRC-32C of `size` bytes. `crc` is the CRC of the bytes before them, so a stream can be
// checksummed in pieces: crc32c(b, nb, crc32c(a, na)) == crc32c(a followed by b).
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

// The same with the table alone, whatever the CPU: what crc32c() falls back on, exposed so
// that its tests check both paths.
uint32_t crc32c_portable(const void* data, size_t size, uint32_t crc = 0);

}  // namespace reel::format
