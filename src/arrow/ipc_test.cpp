#include "reel/arrow/ipc.hpp"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cstring>

#include "arrow_ipc_generated.h"

namespace reel::arrow {
namespace {

RecordBatch make_batch(std::vector<std::pair<std::string, ArrayPtr>> columns, Metadata meta = {}) {
  auto schema = std::make_shared<Schema>();
  schema->metadata = std::move(meta);
  RecordBatch b;
  for (auto& [name, a] : columns) {
    schema->fields.push_back(field(name, a->type, true, {{"k", name}}));
    b.columns.push_back(a);
    b.num_rows = a->length;
  }
  b.schema = schema;
  return b;
}

RecordBatch round_trip(const RecordBatch& batch, std::vector<uint8_t>* bytes_out = nullptr) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(ipc::write_stream(batch, bytes).ok());
  auto owner = std::make_shared<std::vector<uint8_t>>(bytes);
  auto back = ipc::read_stream(*owner, owner);
  EXPECT_TRUE(back.ok()) << back.status().to_string();
  if (bytes_out) *bytes_out = bytes;
  return back.ok() ? *back : RecordBatch{};
}

void expect_same(const RecordBatch& a, const RecordBatch& b) {
  ASSERT_EQ(a.num_rows, b.num_rows);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  EXPECT_EQ(a.schema->metadata, b.schema->metadata);
  for (size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.schema->fields[i]->name, b.schema->fields[i]->name);
    EXPECT_EQ(a.schema->fields[i]->metadata, b.schema->fields[i]->metadata);
    EXPECT_TRUE(type_equals(a.columns[i]->type, b.columns[i]->type))
        << a.columns[i]->type->to_string() << " vs " << b.columns[i]->type->to_string();
    EXPECT_TRUE(array_equals(a.columns[i], b.columns[i]))
        << a.schema->fields[i]->name << ": " << array_to_string(*a.columns[i]) << " vs "
        << array_to_string(*b.columns[i]);
  }
}

ArrayPtr every_type_struct(int n) {
  PrimitiveBuilder<int8_t> i8;
  PrimitiveBuilder<uint64_t> u64;
  PrimitiveBuilder<float> f32;
  BooleanBuilder bools;
  BinaryBuilder strings(utf8()), blobs(binary());
  FixedSizeBinaryBuilder fsb(3);
  for (int i = 0; i < n; ++i) {
    i % 5 == 3 ? i8.append_null() : i8.append(int8_t(i - 50));
    u64.append(uint64_t(i) << 40);
    f32.append(float(i) / 3);
    i % 7 == 1 ? bools.append_null() : bools.append(i % 2 == 0);
    i % 4 == 2 ? strings.append_null()
               : strings.append(std::string(size_t(i % 6), char('a' + i % 26)));
    blobs.append(std::string(size_t(i % 3), '\x01'));
    uint8_t v[3] = {uint8_t(i), 0, uint8_t(255 - i)};
    fsb.append(v);
  }
  return make_struct({field("i8", int8()), field("u64", uint64()), field("f32", float32()),
                      field("bool", boolean()), field("s", utf8()), field("b", binary()),
                      field("fsb", fixed_size_binary(3))},
                     {i8.finish(), u64.finish(), f32.finish(), bools.finish(), strings.finish(),
                      blobs.finish(), fsb.finish()})
      .value();
}

ArrayPtr strips(int n) {
  ListBuilder lb(
      std::make_unique<FixedSizeListBuilder>(std::make_unique<PrimitiveBuilder<float>>(), 3));
  auto& points = lb.child_as<FixedSizeListBuilder>();
  auto& xyz = points.child_as<PrimitiveBuilder<float>>();
  for (int i = 0; i < n; ++i) {
    if (i % 5 == 4) {
      lb.append_null();
      continue;
    }
    for (int p = 0; p < i % 4; ++p) {
      xyz.append(float(i));
      xyz.append(float(p));
      xyz.append(-1);
      points.append_entry();
    }
    lb.append_entry();
  }
  return lb.finish();
}

TEST(IpcTest, RoundTripsEveryTypeWithNullsAndMetadata) {
  auto batch = make_batch({{"struct", every_type_struct(40)},
                           {"strips", strips(40)},
                           {"doubles", make_primitive<double>(std::vector<double>(40, 2.5))},
                           {"nulls", make_null_array(null(), 40)}},
                          {{"reel.entity_path", "/a"}, {"x", ""}});
  auto back = round_trip(batch);
  expect_same(batch, back);
}

TEST(IpcTest, SlicedArraysAreWrittenNormalized) {
  auto s = every_type_struct(50)->slice(13, 21);
  auto l = strips(50)->slice(7, 21);
  auto batch = make_batch({{"struct", s}, {"strips", l}});
  auto back = round_trip(batch);
  expect_same(batch, back);
  // Offsets start at zero in what was written.
  EXPECT_EQ(ListArray(back.columns[1]).value_offset(0), 0);
}

TEST(IpcTest, EmptyBatch) {
  auto batch = make_batch({{"x", make_primitive<int32_t>({})}, {"l", strips(0)}});
  auto back = round_trip(batch);
  expect_same(batch, back);
}

TEST(IpcTest, StreamBytesFollowTheSpecification) {
  auto batch = make_batch({{"x", make_primitive<int32_t>({1, 2, 3})}});
  std::vector<uint8_t> bytes;
  round_trip(batch, &bytes);
  uint32_t cont, len;
  std::memcpy(&cont, bytes.data(), 4);
  std::memcpy(&len, bytes.data() + 4, 4);
  EXPECT_EQ(cont, 0xFFFFFFFFu);
  EXPECT_EQ(len % 8, 0u);  // metadata padded to 8 bytes
  // Ends with the end-of-stream marker: continuation then a zero length.
  ASSERT_GE(bytes.size(), 8u);
  std::memcpy(&cont, bytes.data() + bytes.size() - 8, 4);
  std::memcpy(&len, bytes.data() + bytes.size() - 4, 4);
  EXPECT_EQ(cont, 0xFFFFFFFFu);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(bytes.size() % 8, 0u);
}

TEST(IpcTest, DecodedBuffersReferenceTheInputWhenAligned) {
  auto batch = make_batch({{"x", make_primitive<int64_t>(std::vector<int64_t>(100, 7))}});
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ipc::write_stream(batch, bytes).ok());
  auto buffer = Buffer::copy_of(bytes.data(), bytes.size());  // 64-byte aligned
  auto back = ipc::read_stream({buffer->data(), buffer->size()}, buffer);
  ASSERT_TRUE(back.ok());
  const uint8_t* values = back->columns[0]->buffers[1]->data();
  EXPECT_GE(values, buffer->data());
  EXPECT_LT(values, buffer->data() + buffer->size());
}

// A toy codec for the framing: "compresses" a buffer of one repeated byte to (byte, count)
// and refuses anything else (stored raw).
std::vector<uint8_t> toy_compress(std::span<const uint8_t> in) {
  for (uint8_t c : in) {
    if (c != in[0]) return {};
  }
  return {in[0], 1};
}

Status toy_decompress(ipc::BodyCodec codec, std::span<const uint8_t> in, std::span<uint8_t> out) {
  if (codec != ipc::BodyCodec::kZstd || in.size() != 2 || in[1] != 1) {
    return Status::Corrupt("not a toy frame");
  }
  std::memset(out.data(), in[0], out.size());
  return Status::OK();
}

TEST(IpcTest, AlignedAndBodyCompressedStreamsRoundTrip) {
  std::vector<double> noise(300);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = double(i * 7919 % 1000) / 7;
  auto batch = make_batch({{"struct", every_type_struct(300)},
                           {"strips", strips(300)},
                           {"same", make_primitive<int64_t>(std::vector<int64_t>(300, 0))},
                           {"noise", make_primitive<double>(noise)}});
  ipc::WriteOptions options;
  options.alignment = 64;
  options.codec = ipc::BodyCodec::kZstd;
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress ? "compressed" : "raw");
    options.compress = compress ? toy_compress : nullptr;
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(ipc::write_stream(batch, bytes, options).ok());
    auto buffer = Buffer::copy_of(bytes.data(), bytes.size());  // 64-byte aligned
    ipc::ReadOptions ro;
    ro.decompress = toy_decompress;
    ipc::ReadStats stats;
    auto back = ipc::read_stream({buffer->data(), buffer->size()}, buffer, ro, nullptr, &stats);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    expect_same(batch, *back);
    EXPECT_EQ(stats.copied_bytes, 0u);
    // Every buffer read in place starts at a multiple of 64 from the stream's start.
    for (const auto& column : back->columns) {
      for (const auto& b : column->buffers) {
        if (b && b->size()) {
          EXPECT_EQ(uintptr_t(b->data()) % 64, 0u);
        }
      }
    }
    stats.in_place_bytes.resize(4, 0);
    EXPECT_EQ(stats.in_place_bytes[3], 300u * 8);  // noise: raw either way
    EXPECT_EQ(stats.in_place_bytes[2], compress ? 0u : 300u * 8);
    // "same" and the struct's all-0x01 binary bytes compress.
    if (compress) {
      EXPECT_GE(stats.decompressed_bytes, 300u * 8);
    } else {
      EXPECT_EQ(stats.decompressed_bytes, 0u);
    }
    // Without a decompressor, a compressed body is refused, naming what.
    auto refused = ipc::read_stream({buffer->data(), buffer->size()}, buffer);
    EXPECT_EQ(refused.ok(), !compress);
    if (compress) {
      EXPECT_NE(refused.status().message().find("compressed Arrow IPC bodies"), std::string::npos);
      // Every truncation and a damaged frame fail cleanly.
      for (size_t n = 0; n + 8 < bytes.size(); n += 7) {
        auto cut = Buffer::copy_of(bytes.data(), n);
        EXPECT_FALSE(ipc::read_stream({cut->data(), cut->size()}, cut, ro, nullptr, nullptr).ok());
      }
    }
  }
}

TEST(IpcTest, EveryTruncationIsAnErrorNotACrash) {
  auto batch = make_batch({{"struct", every_type_struct(9)}, {"strips", strips(9)}});
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ipc::write_stream(batch, bytes).ok());
  // Cut before the end-of-stream marker: every shorter prefix must fail cleanly.
  const size_t full = bytes.size() - 8;
  for (size_t n = 0; n < full; ++n) {
    auto owner = std::make_shared<std::vector<uint8_t>>(bytes.begin(), bytes.begin() + long(n));
    auto r = ipc::read_stream(*owner, owner);
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
  }
}

TEST(IpcTest, CorruptBytesAreErrorsNotCrashes) {
  auto batch = make_batch({{"struct", every_type_struct(9)}, {"strips", strips(9)}});
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(ipc::write_stream(batch, bytes).ok());
  int errors = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
      auto owner = std::make_shared<std::vector<uint8_t>>(bytes);
      (*owner)[i] ^= flip;
      auto r = ipc::read_stream(*owner, owner);
      if (!r.ok()) {
        ++errors;
        EXPECT_FALSE(r.status().message().empty());
      } else {
        // A flip in value bytes decodes to different values: still a valid batch.
        EXPECT_TRUE(r->validate().ok());
      }
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(IpcTest, ErrorsNameTheProblem) {
  std::vector<uint8_t> junk = {0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0};
  auto owner = std::make_shared<std::vector<uint8_t>>(junk);
  auto r = ipc::read_stream(*owner, owner);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("byte 0"), std::string::npos) << r.status().message();
}

// Found by ipc_fuzz: metadata at a misaligned address (an input span that starts anywhere,
// or a message length that is not a multiple of 8) was read in place by flatbuffers, a
// misaligned load (UBSan: "member call on misaligned address"). It is read from a copy.
TEST(IpcTest, MisalignedMetadataIsReadFromAnAlignedCopy) {
  // A pre-1.0 stream (length word, no continuation) holding a schema with an int64 field 'x'.
  const std::vector<uint8_t> stream = {
      0x78, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x0c, 0x00,
      0x06, 0x00, 0x05, 0x00, 0x08, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00,
      0x0c, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00,
      0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
      0x10, 0x00, 0x14, 0x00, 0x08, 0x00, 0x06, 0x00, 0x07, 0x00, 0x0c, 0x00, 0x00, 0x00,
      0x10, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x24, 0x00, 0x00, 0x00,
      0x14, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
      0x0c, 0x00, 0x08, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x40, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00};
  for (size_t shift = 0; shift < 8; ++shift) {
    auto owner = std::make_shared<std::vector<uint8_t>>(shift + stream.size());
    std::memcpy(owner->data() + shift, stream.data(), stream.size());
    ipc::StreamReader reader({owner->data() + shift, stream.size()}, owner);
    auto schema = reader.schema();
    ASSERT_TRUE(schema.ok()) << shift << ": " << schema.status().to_string();
    ASSERT_EQ((*schema)->fields.size(), 1u);
    EXPECT_EQ((*schema)->fields[0]->name, "x");
    EXPECT_TRUE(type_equals((*schema)->fields[0]->type, int64()));
  }
}

// Found by recording_reader_fuzz: the flatbuffers verifier checks vectors of structs for
// 4-byte alignment only, so a record batch whose FieldNode or Buffer vector sat at 4 mod 8
// was read in place as int64s (UBSan: "member call on misaligned address ... FieldNode").
// Here the vectors are built from u32 words, at 4 mod 8 in one of the two layouts.
TEST(IpcTest, MisalignedNodeAndBufferVectorsAreRead) {
  Schema schema;
  schema.fields.push_back(field("x", int64(), true, {}));
  bool misaligned_seen = false;
  for (int pad = 0; pad < 2; ++pad) {
    flatbuffers::FlatBufferBuilder b;
    // FieldNode {length 2, null_count 0}; Buffers: validity [0, +0), values [0, +16).
    auto nodes = b.CreateVector(std::vector<uint32_t>{2, 0, 0, 0});
    if (pad) b.CreateVector(std::vector<uint32_t>{0, 0});  // 12 bytes: shifts what follows by 4
    auto buffers = b.CreateVector(std::vector<uint32_t>{0, 0, 0, 0, 0, 0, 16, 0});
    ipc::fb::RecordBatchBuilder rb(b);
    rb.add_length(2);
    rb.add_nodes(flatbuffers::Offset<flatbuffers::Vector<const ipc::fb::FieldNode*>>(nodes.o));
    rb.add_buffers(flatbuffers::Offset<flatbuffers::Vector<const ipc::fb::Buffer*>>(buffers.o));
    auto batch_table = rb.Finish();
    b.Finish(ipc::fb::CreateMessage(b, ipc::fb::MetadataVersion_V5,
                                    ipc::fb::MessageHeader_RecordBatch, batch_table.Union(), 16));
    std::vector<uint8_t> stream;
    ASSERT_TRUE(ipc::write_schema_message(schema, stream).ok());
    const size_t padded = (b.GetSize() + 7) & ~size_t{7};
    const uint32_t words[2] = {0xFFFFFFFFu, uint32_t(padded)};
    stream.insert(stream.end(), reinterpret_cast<const uint8_t*>(words),
                  reinterpret_cast<const uint8_t*>(words) + 8);
    const size_t meta_at = stream.size();
    stream.insert(stream.end(), b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
    stream.resize(meta_at + padded, 0);
    // The vectors' length words count u32s: make them count structs (16 bytes each).
    const uint32_t one = 1, two = 2;
    std::memcpy(stream.data() + meta_at + b.GetSize() - nodes.o, &one, 4);
    std::memcpy(stream.data() + meta_at + b.GetSize() - buffers.o, &two, 4);
    const int64_t values[2] = {5, 7};
    stream.insert(stream.end(), reinterpret_cast<const uint8_t*>(values),
                  reinterpret_cast<const uint8_t*>(values) + 16);
    auto owner = std::make_shared<std::vector<uint8_t>>(stream);
    const auto* rb_read = ipc::fb::GetMessage(owner->data() + meta_at)->header_as_RecordBatch();
    misaligned_seen |= reinterpret_cast<uintptr_t>(rb_read->nodes()->Data()) % 8 != 0 ||
                       reinterpret_cast<uintptr_t>(rb_read->buffers()->Data()) % 8 != 0;
    auto batch = ipc::read_stream(*owner, owner);
    ASSERT_TRUE(batch.ok()) << pad << ": " << batch.status().to_string();
    ASSERT_EQ(batch->num_rows, 2);
    EXPECT_EQ(PrimitiveArray<int64_t>(batch->columns[0]).value(0), 5);
    EXPECT_EQ(PrimitiveArray<int64_t>(batch->columns[0]).value(1), 7);
  }
  EXPECT_TRUE(misaligned_seen);
}

}  // namespace
}  // namespace reel::arrow
