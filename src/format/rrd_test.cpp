#include "reel/format/rrd.hpp"

#include <gtest/gtest.h>
#include <lz4.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "reel/arrow/ipc.hpp"
#include "reel/format/file_format.hpp"
#include "rerun/v1alpha1/log_msg.pb.h"

namespace reel::format::rrd {
namespace {

namespace fs = std::filesystem;

const StoreId kRec{StoreKind::kRecording, "my_app", "rec-1"};
const StoreId kBlueprint{StoreKind::kBlueprint, "my_app", "bp-1"};

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::string temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("reel_rrd_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

uint64_t le64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + size_t(i)];
  return v;
}

SetStoreInfo info_for(const StoreId& id) {
  SetStoreInfo info;
  info.row_id = {1700000000000000000ull, 7};
  info.store_id = id;
  info.source = reel_store_source();
  return info;
}

// A stream: header, store info, two chunks (payload "chunk-A"/"chunk-B..."), a blueprint store
// with its activation, End with an empty footer.
struct Sample {
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> message_offsets;  // of each message header
};

Sample sample_stream(PayloadCompression compression = PayloadCompression::kLz4,
                     RerunVersion version = kWrittenVersion) {
  Sample s;
  RrdEncoder enc({compression, version});
  enc.stream_header(s.bytes);
  auto mark = [&] { s.message_offsets.push_back(s.bytes.size()); };
  mark();
  EXPECT_TRUE(enc.set_store_info(info_for(kRec), s.bytes).ok());
  mark();
  EXPECT_TRUE(enc.arrow_msg(kRec, bytes_of("chunk-A"), Tuid{1, 2}, false, s.bytes).ok());
  mark();
  EXPECT_TRUE(
      enc.arrow_msg(kRec, bytes_of(std::string(300, 'B')), std::nullopt, true, s.bytes).ok());
  mark();
  EXPECT_TRUE(enc.set_store_info(info_for(kBlueprint), s.bytes).ok());
  mark();
  EXPECT_TRUE(enc.blueprint_activation({kBlueprint, true, false}, s.bytes).ok());
  mark();
  EXPECT_TRUE(enc.end({}, s.bytes).ok());
  return s;
}

struct Decoded {
  std::vector<Message> messages;
  std::vector<Status> errors;
  std::vector<std::string> warnings;
};

Decoded decode_all(std::vector<uint8_t> bytes, DecoderOptions options = {}) {
  Decoded d;
  auto reader = RrdReader::from_bytes(std::move(bytes), "t.rrd", options);
  for (int guard = 0; guard < 10000; ++guard) {
    auto m = reader->next();
    if (!m.ok()) {
      d.errors.push_back(m.status());
      if (reader->at_end()) break;
      continue;
    }
    if (!*m) break;
    d.messages.push_back(std::move(**m));
  }
  d.warnings = reader->warnings();
  return d;
}

std::string payload_string(const Message& m) {
  return std::string(reinterpret_cast<const char*>(m.arrow.payload->data()),
                     m.arrow.payload->size());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RrdStream, HeaderBytesAreRerun033Protobuf) {
  auto s = sample_stream(PayloadCompression::kLz4);
  const std::vector<uint8_t> expected = {'R', 'R', 'F', '2', 0, 33, 0, 0, 1, 2, 0, 0};
  EXPECT_EQ(std::vector<uint8_t>(s.bytes.begin(), s.bytes.begin() + 12), expected);
  auto plain = sample_stream(PayloadCompression::kNone);
  EXPECT_EQ(plain.bytes[8], 0);
  EXPECT_EQ(kWrittenVersion.bits(), 33 << 8);
  EXPECT_EQ(kWrittenVersion.to_string(), "0.33.0");
  EXPECT_EQ((RerunVersion{0, 34, 0, 0x42}).to_string(), "0.34.0-rc.2");
  EXPECT_EQ(RerunVersion::from_bits(kWrittenVersion.bits()), kWrittenVersion);
}

TEST(RrdStream, MessageHeadersAreKindAndLengthLittleEndian) {
  auto s = sample_stream();
  const std::vector<uint64_t> kinds = {1, 2, 2, 1, 3, 0};
  for (size_t i = 0; i < kinds.size(); ++i) {
    const size_t at = s.message_offsets[i];
    EXPECT_EQ(le64(s.bytes, at), kinds[i]) << "message " << i;
    const uint64_t next = i + 1 < kinds.size() ? s.message_offsets[i + 1] : s.bytes.size() - 32;
    EXPECT_EQ(le64(s.bytes, at + 8), next - at - 16) << "message " << i;
  }
}

TEST(RrdStream, StreamFooterPointsAtTheRrdFooterWithXxh32) {
  auto s = sample_stream();
  const size_t f = s.bytes.size() - 32;
  const size_t end_at = s.message_offsets.back();
  const uint64_t body_len = le64(s.bytes, end_at + 8);
  EXPECT_EQ(le64(s.bytes, f), end_at + 16);
  EXPECT_EQ(le64(s.bytes, f + 8), body_len);
  uint32_t crc;
  std::memcpy(&crc, s.bytes.data() + f + 16, 4);
  EXPECT_EQ(crc, XXH32(s.bytes.data() + end_at + 16, body_len, 7850921));
  EXPECT_EQ(std::string(s.bytes.begin() + long(f) + 20, s.bytes.begin() + long(f) + 28),
            "RRF2FOOT");
  EXPECT_EQ(s.bytes[f + 28], 1);
}

TEST(RrdStream, DecodesWhatItEncodes) {
  for (auto compression : {PayloadCompression::kNone, PayloadCompression::kLz4}) {
    auto s = sample_stream(compression);
    auto d = decode_all(s.bytes);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].to_string();
    EXPECT_TRUE(d.warnings.empty());
    ASSERT_EQ(d.messages.size(), 6u);
    const auto& info = d.messages[0];
    EXPECT_EQ(info.kind, MessageKind::kSetStoreInfo);
    EXPECT_EQ(info.offset, 12u);
    EXPECT_EQ(info.store_id, kRec);
    EXPECT_EQ(info.store_info.row_id, (Tuid{1700000000000000000ull, 7}));
    EXPECT_EQ(info.store_info.source.kind, StoreSourceKind::kOther);
    EXPECT_EQ(info.store_info.source.extra.rfind("reel 0.", 0), 0u) << info.store_info.source.extra;
    EXPECT_EQ(info.store_info.store_version, kWrittenVersion);
    EXPECT_EQ(info.stream_version, kWrittenVersion);
    const auto& a = d.messages[1];
    EXPECT_EQ(a.kind, MessageKind::kArrowMsg);
    EXPECT_EQ(a.offset, s.message_offsets[1]);
    EXPECT_EQ(a.store_id, kRec);
    EXPECT_EQ(payload_string(a), "chunk-A");
    EXPECT_EQ(a.arrow.compression, compression);
    EXPECT_EQ(a.arrow.chunk_id, (Tuid{1, 2}));
    EXPECT_EQ(a.arrow.is_static, false);
    EXPECT_EQ(payload_string(d.messages[2]), std::string(300, 'B'));
    EXPECT_EQ(d.messages[2].arrow.chunk_id, std::nullopt);
    EXPECT_EQ(d.messages[2].arrow.is_static, true);
    EXPECT_EQ(d.messages[3].store_id, kBlueprint);
    EXPECT_EQ(d.messages[4].kind, MessageKind::kBlueprintActivationCommand);
    EXPECT_EQ(d.messages[4].store_id, kBlueprint);
    EXPECT_TRUE(d.messages[4].activation.make_active);
    EXPECT_FALSE(d.messages[4].activation.make_default);
    EXPECT_EQ(d.messages[5].kind, MessageKind::kEnd);
    EXPECT_TRUE(d.messages[5].manifests.empty());
    EXPECT_EQ(d.messages[5].store_id.kind, StoreKind::kUnspecified);
  }
}

TEST(RrdStream, Lz4PayloadIsARawBlockSizedByUncompressedSize) {
  // An independent LZ4 block (liblz4 directly) inside a hand-made ArrowMsg decodes; a block
  // that does not fill uncompressed_size is corrupt.
  const std::string payload(1000, 'x');
  std::string block(size_t(LZ4_compressBound(1000)), '\0');
  block.resize(size_t(LZ4_compress_default(payload.data(), block.data(), 1000, int(block.size()))));
  auto body = encode_arrow_msg_body(kRec, bytes_of(payload), PayloadCompression::kLz4);
  ASSERT_TRUE(body.ok());
  EXPECT_NE(body->find(block), std::string::npos);
  EXPECT_LT(body->size(), 100u);
}

TEST(RrdStream, ByteByBytePushGivesTheSameMessages) {
  auto s = sample_stream();
  RrdDecoder decoder("pushed.rrd");
  std::vector<Message> got;
  for (size_t i = 0; i <= s.bytes.size(); ++i) {
    if (i < s.bytes.size()) {
      decoder.push({s.bytes.data() + i, 1});
    } else {
      decoder.finish();
    }
    while (true) {
      auto m = decoder.next();
      ASSERT_TRUE(m.ok()) << m.status().to_string();
      if (!*m) break;
      got.push_back(std::move(**m));
    }
  }
  EXPECT_TRUE(decoder.at_end());
  EXPECT_TRUE(decoder.warnings().empty());
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(payload_string(got[2]), std::string(300, 'B'));
  EXPECT_EQ(decoder.bytes_consumed(), s.bytes.size());
}

TEST(RrdStream, ConcatenatedStreamsAreReadInOrder) {
  auto a = sample_stream();
  auto b = sample_stream(PayloadCompression::kNone);
  std::vector<uint8_t> both = a.bytes;
  both.insert(both.end(), b.bytes.begin(), b.bytes.end());
  // And a third stream whose writer was killed before End.
  auto c = sample_stream();
  both.insert(both.end(), c.bytes.begin(), c.bytes.begin() + long(c.message_offsets[2]));
  auto d = decode_all(both);
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].to_string();
  ASSERT_EQ(d.messages.size(), 14u);
  EXPECT_EQ(d.messages[6].stream_index, 1u);
  EXPECT_EQ(d.messages[6].stream_offset, a.bytes.size());
  EXPECT_EQ(d.messages[6].offset, a.bytes.size() + 12);
  EXPECT_EQ(d.messages[13].stream_index, 2u);
  EXPECT_EQ(payload_string(d.messages[13]), "chunk-A");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_TRUE(contains(d.warnings[0], "without an End message")) << d.warnings[0];
}

TEST(RrdStream, EndWithEmptyBodyAndNothingAfterIsValid) {
  std::vector<uint8_t> bytes;
  RrdEncoder enc;
  enc.stream_header(bytes);
  ASSERT_TRUE(enc.set_store_info(info_for(kRec), bytes).ok());
  enc.message(MessageKind::kEnd, {}, bytes);
  auto d = decode_all(bytes);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_TRUE(d.warnings.empty());
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[1].kind, MessageKind::kEnd);
}

TEST(RrdStream, TruncationYieldsEveryCompleteMessageAndNamesTheOffset) {
  auto s = sample_stream();
  const size_t footer_at = s.bytes.size() - 32;
  for (size_t cut = 13; cut < s.bytes.size(); ++cut) {
    auto d = decode_all(std::vector<uint8_t>(s.bytes.begin(), s.bytes.begin() + long(cut)));
    ASSERT_TRUE(d.errors.empty()) << "cut " << cut << ": " << d.errors[0].to_string();
    size_t complete = 0;
    for (size_t i = 0; i < s.message_offsets.size(); ++i) {
      const uint64_t end = i + 1 < s.message_offsets.size() ? s.message_offsets[i + 1] : footer_at;
      if (end <= cut) ++complete;
    }
    ASSERT_EQ(d.messages.size(), complete) << "cut " << cut;
    if (cut == footer_at) {  // an End with nothing after it is a valid end
      EXPECT_TRUE(d.warnings.empty());
      continue;
    }
    ASSERT_EQ(d.warnings.size(), 1u) << "cut " << cut;
    // The warning names where the incomplete message (or footer) starts.
    const uint64_t started =
        complete < s.message_offsets.size() ? s.message_offsets[complete] : footer_at;
    EXPECT_TRUE(contains(d.warnings[0], "byte " + std::to_string(started)))
        << "cut " << cut << ": " << d.warnings[0];
  }
}

TEST(RrdStream, LengthBeyondTheFileIsCorruptAndTheReaderResynchronises) {
  auto s = sample_stream();
  auto bytes = s.bytes;
  const size_t at = s.message_offsets[1];  // first ArrowMsg
  bytes[at + 8 + 5] = 0x7f;                // length ~ 2^47
  DecoderOptions options;
  options.max_message_bytes = uint64_t(1) << 50;
  auto d = decode_all(bytes, options);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code(), StatusCode::kCorrupt);
  EXPECT_TRUE(contains(d.errors[0].message(), "message at byte " + std::to_string(at)))
      << d.errors[0].message();
  EXPECT_TRUE(contains(d.errors[0].message(), "runs past the end"));
  EXPECT_TRUE(
      contains(d.errors[0].message(), "resuming at byte " + std::to_string(s.message_offsets[2])))
      << d.errors[0].message();
  ASSERT_EQ(d.messages.size(), 5u);  // all but the damaged one
  EXPECT_EQ(d.messages[1].offset, s.message_offsets[2]);
}

TEST(RrdStream, LengthOverTheLimitIsCorrupt) {
  auto s = sample_stream();
  auto bytes = s.bytes;
  const size_t at = s.message_offsets[2];
  bytes[at + 8 + 4] = 1;  // 2^32 + ...
  auto d = decode_all(bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_TRUE(contains(d.errors[0].message(), "message at byte " + std::to_string(at)));
  ASSERT_EQ(d.messages.size(), 5u);
}

TEST(RrdStream, UnparsableProtobufIsCorruptAndTheNextMessageIsRead) {
  auto s = sample_stream();
  auto bytes = s.bytes;
  const size_t at = s.message_offsets[1];
  const uint64_t len = le64(bytes, at + 8);
  for (uint64_t i = 0; i < len; ++i) bytes[at + 16 + i] = 0xff;
  auto d = decode_all(bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_TRUE(contains(d.errors[0].message(), "message at byte " + std::to_string(at) + ": " +
                                                  std::to_string(len) +
                                                  "-byte body does not parse as a ArrowMsg"))
      << d.errors[0].message();
  ASSERT_EQ(d.messages.size(), 5u);
  EXPECT_EQ(payload_string(d.messages[1]), std::string(300, 'B'));
}

TEST(RrdStream, ResynchronisationDoesNotDependOnHowBytesArrive) {
  // A damaged message whose body holds a complete framed message: both readers resume at the
  // end of the damaged message by its length, whether the bytes came at once or one by one.
  std::vector<uint8_t> bytes;
  RrdEncoder enc({PayloadCompression::kNone});
  enc.stream_header(bytes);
  ASSERT_TRUE(enc.set_store_info(info_for(kRec), bytes).ok());
  std::vector<uint8_t> inner;
  RrdEncoder inner_enc({PayloadCompression::kNone});
  ASSERT_TRUE(inner_enc.arrow_msg(kRec, bytes_of("inner"), std::nullopt, std::nullopt, inner).ok());
  std::vector<uint8_t> body(40, 0xff);
  body.insert(body.end(), inner.begin(), inner.end());
  const size_t damaged_at = bytes.size();
  enc.message(MessageKind::kArrowMsg, body, bytes);
  const size_t after_at = bytes.size();
  ASSERT_TRUE(enc.arrow_msg(kRec, bytes_of("after"), std::nullopt, std::nullopt, bytes).ok());
  ASSERT_TRUE(enc.end({}, bytes).ok());

  auto whole = decode_all(bytes);
  ASSERT_EQ(whole.errors.size(), 1u);
  EXPECT_TRUE(contains(whole.errors[0].message(), "message at byte " + std::to_string(damaged_at)));
  ASSERT_EQ(whole.messages.size(), 3u);
  EXPECT_EQ(whole.messages[1].offset, after_at);

  RrdDecoder decoder("pushed.rrd");
  std::vector<uint64_t> offsets;
  int errors = 0;
  for (size_t i = 0; i <= bytes.size(); ++i) {
    if (i < bytes.size()) {
      decoder.push({bytes.data() + i, 1});
    } else {
      decoder.finish();
    }
    while (true) {
      auto m = decoder.next();
      if (!m.ok()) {
        ++errors;
        continue;
      }
      if (!*m) break;
      offsets.push_back((*m)->offset);
    }
  }
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{12, after_at, whole.messages[2].offset}));
}

TEST(RrdStream, BadLz4BlockIsCorrupt) {
  std::vector<uint8_t> bytes;
  RrdEncoder enc;
  enc.stream_header(bytes);
  ASSERT_TRUE(enc.set_store_info(info_for(kRec), bytes).ok());
  // The block holds 64 bytes but uncompressed_size claims 100.
  auto body = encode_arrow_msg_body(kRec, bytes_of(std::string(64, 'z')), PayloadCompression::kLz4);
  ASSERT_TRUE(body.ok());
  ::rerun::log_msg::v1alpha1::ArrowMsg m;
  ASSERT_TRUE(m.ParseFromString(*body));
  m.set_uncompressed_size(100);
  const size_t bad_at = bytes.size();
  enc.message(MessageKind::kArrowMsg, bytes_of(m.SerializeAsString()), bytes);
  ASSERT_TRUE(enc.arrow_msg(kRec, bytes_of("after"), std::nullopt, std::nullopt, bytes).ok());
  ASSERT_TRUE(enc.end({}, bytes).ok());
  auto d = decode_all(bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_TRUE(contains(d.errors[0].message(), "message at byte " + std::to_string(bad_at)));
  EXPECT_TRUE(contains(d.errors[0].message(), "LZ4")) << d.errors[0].message();
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_EQ(payload_string(d.messages[1]), "after");
}

TEST(RrdStream, GarbageBetweenMessagesIsSkipped) {
  auto s = sample_stream();
  std::vector<uint8_t> bytes(s.bytes.begin(), s.bytes.begin() + long(s.message_offsets[2]));
  const size_t garbage_at = bytes.size();
  for (int i = 0; i < 100; ++i) bytes.push_back(uint8_t(i * 37 + 11));
  bytes.insert(bytes.end(), s.bytes.begin() + long(s.message_offsets[2]), s.bytes.end());
  auto d = decode_all(bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_TRUE(contains(d.errors[0].message(), "byte " + std::to_string(garbage_at)))
      << d.errors[0].message();
  EXPECT_EQ(d.messages.size(), 6u);
  // The End's offsets are relative to its stream, which the garbage shifted: a warning.
  bool footer_warning = false;
  for (const auto& w : d.warnings) footer_warning |= contains(w, "does not point at the End");
  EXPECT_TRUE(footer_warning);
}

TEST(RrdStream, OldStreamsAreRefusedNamingTheirVersion) {
  auto s = sample_stream(PayloadCompression::kLz4, RerunVersion{0, 22, 1, 0});
  auto d = decode_all(s.bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code(), StatusCode::kNotImplemented);
  EXPECT_TRUE(contains(d.errors[0].message(), "written by Rerun 0.22.1")) << d.errors[0].message();
  EXPECT_TRUE(contains(d.errors[0].message(), "0.23.0"));
  EXPECT_TRUE(d.messages.empty());

  auto zero = sample_stream(PayloadCompression::kLz4, RerunVersion{0, 0, 0, 0});
  auto dz = decode_all(zero.bytes);
  ASSERT_EQ(dz.errors.size(), 1u);
  EXPECT_TRUE(contains(dz.errors[0].message(), "Rerun 0.2.0"));

  auto rrf1 = s.bytes;
  rrf1[3] = '1';
  auto d1 = decode_all(rrf1);
  ASSERT_EQ(d1.errors.size(), 1u);
  EXPECT_TRUE(contains(d1.errors[0].message(), "RRF1 framing")) << d1.errors[0].message();

  auto oldest = decode_all(sample_stream(PayloadCompression::kLz4, {0, 23, 0, 0}).bytes);
  EXPECT_TRUE(oldest.errors.empty());
  EXPECT_EQ(oldest.messages.size(), 6u);
}

TEST(RrdStream, NewerStreamsAreReadWithAWarning) {
  auto d = decode_all(sample_stream(PayloadCompression::kLz4, {0, 40, 0, 0}).bytes);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.messages.size(), 6u);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_TRUE(contains(d.warnings[0], "Rerun 0.40.0")) << d.warnings[0];
}

TEST(RrdStream, NotAnRrdIsAnError) {
  auto d = decode_all(bytes_of("REEL\x01\0\0\0\0\0\0\0\0\0\0\0"));
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_TRUE(contains(d.errors[0].message(), "not an .rrd stream: bad magic at byte 0"));
  auto empty = decode_all({});
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_TRUE(contains(empty.errors[0].message(), "empty"));
}

TEST(RrdStream, ArrowMsgWithoutApplicationIdTakesTheStoreInfos) {
  std::vector<uint8_t> bytes;
  RrdEncoder enc;
  enc.stream_header(bytes);
  ASSERT_TRUE(enc.set_store_info(info_for(kRec), bytes).ok());
  StoreId bare = kRec;
  bare.application_id.clear();
  ASSERT_TRUE(enc.arrow_msg(bare, bytes_of("x"), std::nullopt, std::nullopt, bytes).ok());
  auto d = decode_all(bytes);
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[1].store_id, kRec);
  EXPECT_EQ(d.messages[1].arrow.store_id, kRec);
}

// A manifest table with just the chunk_byte_offset column (what reel reads of it).
RrdManifest manifest_with_offsets(const StoreId& id, std::vector<uint64_t> offsets) {
  auto schema = std::make_shared<arrow::Schema>();
  schema->fields.push_back(std::make_shared<arrow::Field>(
      arrow::Field{"chunk_byte_offset", arrow::uint64(), false, {}}));
  arrow::RecordBatch batch{schema,
                           int64_t(offsets.size()),
                           {arrow::make_primitive<uint64_t>(std::span<const uint64_t>(offsets))}};
  std::vector<uint8_t> ipc;
  EXPECT_TRUE(arrow::ipc::write_stream(batch, ipc).ok());
  return {id, "", std::nullopt, arrow::Buffer::copy_of(ipc.data(), ipc.size())};
}

TEST(RrdStream, FooterManifestOffsetsGuideResynchronisation) {
  // SetStoreInfo, A1 (to be damaged), A2 (a real message the scan would not trust: empty
  // payload), A3. With the manifest listing A2, the reader resumes there.
  std::vector<uint8_t> bytes;
  RrdEncoder enc({PayloadCompression::kNone});
  enc.stream_header(bytes);
  ASSERT_TRUE(enc.set_store_info(info_for(kRec), bytes).ok());
  const size_t a1 = bytes.size();
  auto o1 = enc.arrow_msg(kRec, bytes_of("first"), std::nullopt, std::nullopt, bytes);
  const size_t a2 = bytes.size();
  auto o2 = enc.arrow_msg(kRec, {}, std::nullopt, std::nullopt, bytes);
  auto o3 = enc.arrow_msg(kRec, bytes_of("third"), std::nullopt, std::nullopt, bytes);
  ASSERT_TRUE(o1.ok() && o2.ok() && o3.ok());
  EXPECT_EQ(*o2, a2 + 16);
  std::vector<RrdManifest> manifests = {manifest_with_offsets(kRec, {*o1, *o2, *o3})};
  ASSERT_TRUE(enc.end(manifests, bytes).ok());
  for (size_t i = a1 + 16; i < a2; ++i) bytes[i] = 0xff;  // A1's body

  const std::string path = temp_path("manifest.rrd");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  for (bool use_file : {true, false}) {
    std::unique_ptr<RrdReader> reader;
    if (use_file) {
      auto r = RrdReader::open(path);
      ASSERT_TRUE(r.ok());
      reader = std::move(*r);
    } else {
      reader = RrdReader::from_bytes(bytes);
    }
    std::vector<Message> got;
    int errors = 0;
    while (true) {
      auto m = reader->next();
      if (!m.ok()) {
        ++errors;
        continue;
      }
      if (!*m) break;
      got.push_back(std::move(**m));
    }
    EXPECT_EQ(errors, 1);
    ASSERT_GE(got.size(), 3u);
    // From the file the manifest is known: A2 is kept. From bytes it is not: A2 is skipped.
    EXPECT_EQ(got[1].offset, use_file ? a2 : a2 + (*o3 - *o2)) << "file: " << use_file;
    ASSERT_EQ(got.back().kind, MessageKind::kEnd);
    ASSERT_EQ(got.back().manifests.size(), 1u);
    auto offsets = rrd_manifest_chunk_offsets(got.back().manifests[0]);
    ASSERT_TRUE(offsets.ok()) << offsets.status().to_string();
    EXPECT_EQ(*offsets, (std::vector<uint64_t>{*o1, *o2, *o3}));
  }
}

TEST(RrdStream, WriterAndReaderOverAFile) {
  const std::string path = temp_path("written.rrd");
  {
    auto w = RrdWriter::open(path);
    ASSERT_TRUE(w.ok()) << w.status().to_string();
    ASSERT_TRUE((*w)->write_store_info(info_for(kRec)).ok());
    std::string big(3u << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 2654435761u >> 24);
    auto o = (*w)->write_arrow_msg(kRec, bytes_of(big), Tuid{5, 6}, false);
    ASSERT_TRUE(o.ok());
    ASSERT_TRUE((*w)->finish().ok());
  }
  auto r = RrdReader::open(path);
  ASSERT_TRUE(r.ok());
  std::vector<Message> got;
  while (true) {
    auto m = (*r)->next();
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    if (!*m) break;
    got.push_back(std::move(**m));
  }
  EXPECT_TRUE((*r)->warnings().empty());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].arrow.payload->size(), 3u << 20);
  EXPECT_EQ(got[1].arrow.payload->data()[12345], uint8_t(12345u * 2654435761u >> 24));
}

TEST(FileFormat, DetectedFromTheFirstBytes) {
  EXPECT_EQ(detect_format(bytes_of("RRF2\0\x21")), FileFormat::kRrd);
  EXPECT_EQ(detect_format(bytes_of("RRF1")), FileFormat::kRrd);
  EXPECT_EQ(detect_format(bytes_of("REEL\x01")), FileFormat::kReel);
  EXPECT_EQ(detect_format(bytes_of("RRF")), FileFormat::kUnknown);
  EXPECT_EQ(detect_format(bytes_of("PAR1")), FileFormat::kUnknown);
  const std::string path = temp_path("recording.reel");  // the extension does not matter
  auto s = sample_stream();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(s.bytes.data()), std::streamsize(s.bytes.size()));
  EXPECT_EQ(*detect_file_format(path), FileFormat::kRrd);
  EXPECT_EQ(detect_file_format(temp_path("missing")).status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace reel::format::rrd
