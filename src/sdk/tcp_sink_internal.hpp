// The TCP sink behind make_tcp_sink (reel/sdk/sink.hpp documents its contract).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "reel/sdk/sink.hpp"

namespace reel::internal {

class TcpSink final : public Sink {
 public:
  // `address` is "host:port" ("127.0.0.1:9876", "localhost:9876", "[::1]:9876"). Fails only
  // on a malformed address; an unreachable server is reported by begin() and retried.
  static Result<std::shared_ptr<TcpSink>> connect(const std::string& address,
                                                  TcpSinkOptions options = {});
  ~TcpSink() override;
  Status begin(const StoreInfo& info) override;
  Status send(std::span<const ChunkPtr> chunks) override;
  // Sends what is kept (reconnecting if needed); an error if it could not.
  Status flush() override;
  const std::string& address() const;
  bool is_connected() const;

  struct State;
  explicit TcpSink(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

}  // namespace reel::internal
