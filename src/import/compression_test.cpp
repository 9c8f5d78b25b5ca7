// Chunk decompression against the reference compressors (liblz4's frame API, libzstd,
// libbzip2), including sizes that lie and streams cut short.
#include "import/compression_internal.hpp"

#include <bzlib.h>
#include <gtest/gtest.h>
#include <lz4frame.h>
#include <zstd.h>

namespace {

using namespace reel;
using namespace reel::import::internal;

std::vector<uint8_t> sample(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t((i * 31) ^ (i >> 7));
  return v;
}

std::vector<uint8_t> compress(Codec codec, const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out;
  if (codec == Codec::kLz4) {
    out.resize(LZ4F_compressFrameBound(in.size(), nullptr));
    out.resize(LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr));
  } else if (codec == Codec::kZstd) {
    out.resize(ZSTD_compressBound(in.size()));
    out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  } else {
    unsigned n = unsigned(in.size() + in.size() / 100 + 600);
    out.resize(n);
    BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &n,
                             const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                             unsigned(in.size()), 9, 0, 0);
    out.resize(n);
  }
  return out;
}

TEST(Compression, RoundTripsWithTheReferenceCompressors) {
  const auto data = sample(300000);
  for (Codec codec : {Codec::kLz4, Codec::kZstd, Codec::kBz2}) {
    SCOPED_TRACE(codec_name(codec));
    const auto packed = compress(codec, data);
    auto out = decompress(codec, packed, data.size());
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    ASSERT_EQ((*out)->size(), data.size());
    EXPECT_EQ(std::memcmp((*out)->data(), data.data(), data.size()), 0);
    // A declared size that lies either way is corrupt.
    EXPECT_EQ(decompress(codec, packed, data.size() - 1).status().code(), StatusCode::kCorrupt);
    EXPECT_EQ(decompress(codec, packed, data.size() + 1).status().code(), StatusCode::kCorrupt);
    // Cut short: the prefix that decodes is a prefix of the data.
    auto prefix = decompress_prefix(codec, {packed.data(), packed.size() / 2}, data.size());
    ASSERT_NE(prefix, nullptr);
    EXPECT_LT(prefix->size(), data.size());
    EXPECT_EQ(std::memcmp(prefix->data(), data.data(), prefix->size()), 0);
  }
}

TEST(Compression, DeclaredSizesBeyondTheBoundAreRefusedBeforeAllocating) {
  const auto packed = compress(Codec::kLz4, sample(1000));
  auto r = decompress(Codec::kLz4, packed, uint64_t(1) << 50);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot decode to the declared"), std::string::npos);
  EXPECT_FALSE(decompress(Codec::kZstd, std::vector<uint8_t>{1, 2, 3, 4}, 1 << 20).ok());
  // bzip2 has no bound: garbage with a large declared size fails without a large allocation.
  EXPECT_FALSE(decompress(Codec::kBz2, std::vector<uint8_t>{'B', 'Z', 'h', '9', 1}, 1u << 30).ok());
  EXPECT_EQ(codec_from_name("lz4"), Codec::kLz4);
  EXPECT_EQ(codec_from_name(""), Codec::kNone);
  EXPECT_FALSE(codec_from_name("brotli").has_value());
}

}  // namespace
