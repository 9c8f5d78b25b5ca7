// CRC-32C (Castagnoli), the checksum of every message payload. Uses the SSE4.2 instruction
// when the CPU has it (several GB/s), a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace reel::format {

uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

}  // namespace reel::format
