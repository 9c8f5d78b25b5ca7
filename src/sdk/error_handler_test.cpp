// The error handler: where log failures and sink errors go.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "reel/sdk/error_handler.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"
#include "sdk/test_util_internal.hpp"

namespace reel {
namespace {

using test::plain_options;

TEST(ErrorHandlerTest, LogFailuresGoToTheErrorHandler) {
  std::vector<std::string> errors;
  std::mutex m;
  set_error_handler([&](const Status& s) {
    std::lock_guard lock(m);
    errors.push_back(s.message());
  });
  RecordingStream rec("test", plain_options());
  std::vector<Position3D> three(3);
  std::vector<Radius> two(2, Radius(0.1f));
  rec.log("pts", Points3D(three).with_radii(two));  // must not throw or abort
  set_error_handler(nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("Points3D"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("pts"), std::string::npos) << errors[0];
}

class FailingSink final : public Sink {
 public:
  Status send(std::span<const ChunkPtr>) override { return Status::IOError("disk full"); }
};

// A sink's failure on the batcher thread reaches the handler, once per failed send.
TEST(ErrorHandlerTest, SinkErrorsGoToTheErrorHandler) {
  std::vector<std::string> errors;
  std::mutex m;
  set_error_handler([&](const Status& s) {
    std::lock_guard lock(m);
    errors.push_back(s.message());
  });
  {
    RecordingStream rec("test", plain_options());
    rec.set_sink(std::make_shared<FailingSink>());
    rec.log_static("a", Scalars(1.0));
    rec.flush_blocking();
  }
  set_error_handler(nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "disk full");
}

}  // namespace
}  // namespace reel
