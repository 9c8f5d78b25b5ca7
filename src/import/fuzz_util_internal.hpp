// What the import fuzz targets share: decoding every message they are given and checking that
// each batch a decoder hands out is a valid Arrow array (a decoder promise).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>

#include "reel/import/message_decoder.hpp"

namespace reel::import::internal {

[[noreturn]] inline void fuzz_fail(const char* target, const char* what,
                                   const std::string& detail) {
  std::fprintf(stderr, "%s: %s: %s\n", target, what, detail.c_str());
  std::abort();
}

// Appends a message (errors are fine: bad bytes), and every few rows checks and finishes the
// batch: the struct array must validate fully and hold exactly the rows appended.
inline void fuzz_decode(const char* target, MessageDecoder& decoder,
                        std::span<const uint8_t> data) {
  const int64_t before = decoder.num_rows();
  const Status st = decoder.append(data);
  if (decoder.num_rows() != before + (st.ok() ? 1 : 0)) {
    fuzz_fail(target, "a failed append left rows behind", st.to_string());
  }
  if (decoder.num_rows() >= 4) {
    const int64_t rows = decoder.num_rows();
    auto batch = decoder.finish();
    const Status valid = arrow::validate(*batch, true);
    if (!valid.ok()) fuzz_fail(target, "a decoded batch is not valid Arrow", valid.to_string());
    if (batch->length != rows) fuzz_fail(target, "batch length", std::to_string(batch->length));
    (void)arrow::array_to_string(*batch, 8);
  }
}

inline void fuzz_finish(const char* target, MessageDecoder& decoder) {
  auto batch = decoder.finish();
  const Status valid = arrow::validate(*batch, true);
  if (!valid.ok()) fuzz_fail(target, "a decoded batch is not valid Arrow", valid.to_string());
}

}  // namespace reel::import::internal
