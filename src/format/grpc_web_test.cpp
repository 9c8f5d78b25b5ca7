#include "reel/format/grpc_web.hpp"

#include <gtest/gtest.h>

#include "rerun/v1alpha1/sdk_comms.pb.h"

namespace reel::format::grpc_web {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

const rrd::StoreId kRec{rrd::StoreKind::kRecording, "app", "rec"};

TEST(GrpcWeb, TheViewersEmptyReadMessagesRequestIsAccepted) {
  // What the Rerun 0.33 viewer POSTs: one data frame of length 0.
  const std::vector<uint8_t> body = {0, 0, 0, 0, 0};
  auto frames = parse_frames(body);
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 1u);
  EXPECT_FALSE((*frames)[0].is_trailer());
  EXPECT_TRUE((*frames)[0].message.empty());
  EXPECT_TRUE(check_read_messages_request(body).ok());
  EXPECT_FALSE(check_read_messages_request({}).ok());
  const std::vector<uint8_t> two = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(check_read_messages_request(two).ok());
}

TEST(GrpcWeb, FramesAreFlagAndBigEndianLength) {
  std::vector<uint8_t> body;
  append_data_frame(bytes_of("hello"), body);
  append_data_frame(std::vector<uint8_t>(300, 7), body);
  EXPECT_EQ(std::vector<uint8_t>(body.begin(), body.begin() + 5),
            (std::vector<uint8_t>{0, 0, 0, 0, 5}));
  EXPECT_EQ(std::vector<uint8_t>(body.begin() + 10, body.begin() + 15),
            (std::vector<uint8_t>{0, 0, 0, 1, 44}));
  auto frames = parse_frames(body);
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[1].offset, 10u);
  EXPECT_EQ((*frames)[1].message.size(), 300u);
}

TEST(GrpcWeb, BadFramesNameTheirOffset) {
  std::vector<uint8_t> body;
  append_data_frame(bytes_of("ok"), body);
  auto truncated = body;
  truncated.insert(truncated.end(), {0, 0, 0});
  EXPECT_EQ(parse_frames(truncated).status().message(),
            "gRPC-web frame at byte 7: truncated frame header (3 of 5 bytes)");
  auto too_long = body;
  too_long.insert(too_long.end(), {0, 0, 0, 0, 9, 'x'});
  EXPECT_EQ(parse_frames(too_long).status().message(),
            "gRPC-web frame at byte 7: length 9 runs past the body's 13 bytes");
  auto compressed = body;
  compressed.insert(compressed.end(), {1, 0, 0, 0, 0});
  EXPECT_EQ(parse_frames(compressed).status().code(), StatusCode::kNotImplemented);
  auto huge = std::vector<uint8_t>{0, 0x7f, 0xff, 0xff, 0xff};
  EXPECT_TRUE(parse_frames(huge, 1024).status().message().find("over the limit") !=
              std::string::npos);
}

TEST(GrpcWeb, ResponseWrapsTheRrdBodyAsReadMessagesResponseLogMsg) {
  auto info_body = rrd::encode_set_store_info_body({{1, 2}, kRec, rrd::reel_store_source(), {}});
  auto arrow_body = rrd::encode_arrow_msg_body(kRec, bytes_of(std::string(200, 'p')),
                                               rrd::PayloadCompression::kNone, rrd::Tuid{3, 4});
  ASSERT_TRUE(info_body.ok() && arrow_body.ok());
  std::vector<uint8_t> body;
  ASSERT_TRUE(
      append_read_messages_response(rrd::MessageKind::kSetStoreInfo, bytes_of(*info_body), body)
          .ok());
  ASSERT_TRUE(
      append_read_messages_response(rrd::MessageKind::kArrowMsg, bytes_of(*arrow_body), body).ok());
  append_trailer_frame(GrpcStatus::kOk, "", body);
  auto frames = parse_frames(body);
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 3u);

  // Checked with protobuf's own parser of the service's messages.
  ::rerun::sdk_comms::v1alpha1::ReadMessagesResponse first, second;
  const auto& m0 = (*frames)[0].message;
  const auto& m1 = (*frames)[1].message;
  ASSERT_TRUE(first.ParseFromArray(m0.data(), int(m0.size())));
  ASSERT_TRUE(second.ParseFromArray(m1.data(), int(m1.size())));
  ASSERT_TRUE(first.log_msg().has_set_store_info());
  EXPECT_EQ(first.log_msg().set_store_info().info().store_id().recording_id(), "rec");
  EXPECT_EQ(first.log_msg().set_store_info().info().store_id().application_id().id(), "app");
  ASSERT_TRUE(second.log_msg().has_arrow_msg());
  EXPECT_EQ(second.log_msg().arrow_msg().payload(), std::string(200, 'p'));
  EXPECT_EQ(second.log_msg().arrow_msg().chunk_id().inc(), 4u);

  auto back = parse_read_messages_response(m1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->first, rrd::MessageKind::kArrowMsg);
  EXPECT_EQ(back->second, *arrow_body);

  EXPECT_TRUE((*frames)[2].is_trailer());
  auto trailer = parse_trailer((*frames)[2].message);
  ASSERT_TRUE(trailer.ok());
  EXPECT_EQ(*trailer, (std::map<std::string, std::string>{{"grpc-status", "0"}}));

  std::vector<uint8_t> end;
  EXPECT_FALSE(append_read_messages_response(rrd::MessageKind::kEnd, {}, end).ok());
}

TEST(GrpcWeb, TrailerMessageIsPercentEncoded) {
  std::vector<uint8_t> body;
  append_trailer_frame(GrpcStatus::kUnavailable, "server stopping: 100% done\nbye", body);
  EXPECT_EQ(body[0], kTrailerFlag);
  const std::string text(body.begin() + 5, body.end());
  EXPECT_EQ(text, "grpc-status: 14\r\ngrpc-message: server stopping: 100%25 done%0Abye\r\n");
  auto frames = parse_frames(body);
  ASSERT_TRUE(frames.ok());
  auto trailer = parse_trailer((*frames)[0].message);
  ASSERT_TRUE(trailer.ok());
  EXPECT_EQ(trailer->at("grpc-status"), "14");
  EXPECT_EQ(trailer->at("grpc-message"), "server stopping: 100% done\nbye");
}

}  // namespace
}  // namespace reel::format::grpc_web
