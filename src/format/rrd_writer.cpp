// .rrd encoding: the stream header, framed messages, End + RrdFooter + stream footer, and the
// file/descriptor writer around it.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "format/rrd_internal.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format::rrd {

void RrdEncoder::stream_header(std::vector<uint8_t>& out) {
  const auto v = options_.version.bytes();
  const uint8_t compression = options_.compression == PayloadCompression::kLz4 ? 1 : 0;
  const uint8_t h[kStreamHeaderBytes] = {
      'R', 'R', 'F', '2', v[0], v[1], v[2], v[3], compression, internal::kSerializerProtobuf, 0, 0};
  out.insert(out.end(), h, h + kStreamHeaderBytes);
  offset_ += kStreamHeaderBytes;
}

uint64_t RrdEncoder::message(MessageKind kind, std::span<const uint8_t> body,
                             std::vector<uint8_t>& out) {
  uint8_t h[kMessageHeaderBytes];
  internal::put_u64_le(h, uint64_t(kind));
  internal::put_u64_le(h + 8, body.size());
  out.insert(out.end(), h, h + kMessageHeaderBytes);
  out.insert(out.end(), body.begin(), body.end());
  const uint64_t body_offset = offset_ + kMessageHeaderBytes;
  offset_ += kMessageHeaderBytes + body.size();
  return body_offset;
}

namespace {
std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace

Result<uint64_t> RrdEncoder::set_store_info(const SetStoreInfo& info, std::vector<uint8_t>& out) {
  REEL_ASSIGN_OR_RETURN(std::string body, encode_set_store_info_body(info));
  return message(MessageKind::kSetStoreInfo, as_bytes(body), out);
}

Result<uint64_t> RrdEncoder::arrow_msg(const StoreId& store_id, std::span<const uint8_t> payload,
                                       std::optional<Tuid> chunk_id, std::optional<bool> is_static,
                                       std::vector<uint8_t>& out) {
  REEL_ASSIGN_OR_RETURN(
      std::string body,
      encode_arrow_msg_body(store_id, payload, options_.compression, chunk_id, is_static));
  return message(MessageKind::kArrowMsg, as_bytes(body), out);
}

Result<uint64_t> RrdEncoder::blueprint_activation(const BlueprintActivation& activation,
                                                  std::vector<uint8_t>& out) {
  REEL_ASSIGN_OR_RETURN(std::string body, encode_blueprint_activation_body(activation));
  return message(MessageKind::kBlueprintActivationCommand, as_bytes(body), out);
}

Status RrdEncoder::end(std::span<const RrdManifest> manifests, std::vector<uint8_t>& out) {
  REEL_ASSIGN_OR_RETURN(std::string body, encode_rrd_footer_body(manifests));
  const uint64_t body_offset = message(MessageKind::kEnd, as_bytes(body), out);
  uint8_t f[kStreamFooterBytes];
  internal::put_u64_le(f, body_offset);
  internal::put_u64_le(f + 8, body.size());
  internal::put_u32_le(f + 16, internal::footer_checksum(as_bytes(body)));
  std::memcpy(f + 20, internal::kFourcc, 4);
  std::memcpy(f + 24, internal::kFootIdentifier, 4);
  internal::put_u32_le(f + 28, 1);
  out.insert(out.end(), f, f + kStreamFooterBytes);
  offset_ += kStreamFooterBytes;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------

RrdWriter::RrdWriter(int fd, bool owns, std::string name, EncoderOptions options)
    : fd_(fd), owns_(owns), name_(std::move(name)), encoder_(options) {}

RrdWriter::~RrdWriter() {
  if (!finished_) (void)finish();
}

Result<std::unique_ptr<RrdWriter>> RrdWriter::open(const std::string& path,
                                                   EncoderOptions options) {
  if (path == "-") return from_fd(STDOUT_FILENO, false, "<stdout>", options);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  return from_fd(fd, true, path, options);
}

Result<std::unique_ptr<RrdWriter>> RrdWriter::from_fd(int fd, bool owns, std::string name,
                                                      EncoderOptions options) {
  std::unique_ptr<RrdWriter> w(new RrdWriter(fd, owns, std::move(name), options));
  w->encoder_.stream_header(w->scratch_);
  REEL_RETURN_NOT_OK(w->write_out());
  return w;
}

Status RrdWriter::write_out() {
  size_t done = 0;
  while (done < scratch_.size()) {
    const ssize_t n = ::write(fd_, scratch_.data() + done, scratch_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string error = std::strerror(errno);
      scratch_.clear();
      return Status::IOError("writing " + name_ + ": " + error);
    }
    done += size_t(n);
  }
  scratch_.clear();
  return Status::OK();
}

Status RrdWriter::write_store_info(const SetStoreInfo& info) {
  if (finished_) return Status::Invalid(name_ + ": write after finish()");
  REEL_RETURN_NOT_OK(encoder_.set_store_info(info, scratch_));
  return write_out();
}

Result<uint64_t> RrdWriter::write_arrow_msg(const StoreId& store_id,
                                            std::span<const uint8_t> payload,
                                            std::optional<Tuid> chunk_id,
                                            std::optional<bool> is_static) {
  if (finished_) return Status::Invalid(name_ + ": write after finish()");
  REEL_ASSIGN_OR_RETURN(uint64_t offset,
                        encoder_.arrow_msg(store_id, payload, chunk_id, is_static, scratch_));
  REEL_RETURN_NOT_OK(write_out());
  return offset;
}

Status RrdWriter::write_blueprint_activation(const BlueprintActivation& activation) {
  if (finished_) return Status::Invalid(name_ + ": write after finish()");
  REEL_RETURN_NOT_OK(encoder_.blueprint_activation(activation, scratch_));
  return write_out();
}

Status RrdWriter::finish(std::span<const RrdManifest> manifests) {
  if (finished_) return Status::OK();
  finished_ = true;
  Status st = encoder_.end(manifests, scratch_);
  if (st.ok()) st = write_out();
  if (owns_ && fd_ >= 0) {
    if (::close(fd_) != 0 && st.ok()) {
      st = Status::IOError("closing " + name_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
  }
  return st;
}

}  // namespace reel::format::rrd
