#include "reel/import/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace reel::import {

Result<uint64_t> ByteSource::skip(uint64_t n) {
  std::vector<uint8_t> scratch(size_t(std::min<uint64_t>(n, 1 << 16)));
  uint64_t done = 0;
  while (done < n) {
    REEL_ASSIGN_OR_RETURN(
        size_t got, read(scratch.data(), size_t(std::min<uint64_t>(n - done, scratch.size()))));
    if (got == 0) break;
    done += got;
  }
  return done;
}

Result<size_t> ByteSource::read_at(uint64_t, uint8_t*, size_t) {
  return Status::NotImplemented(name() + " cannot be read out of order");
}

namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, bool owns, std::string name) : fd_(fd), owns_(owns), name_(std::move(name)) {
    struct stat st;
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
      size_ = uint64_t(st.st_size);
      seekable_ = true;
    }
  }
  ~FileSource() override {
    if (owns_) ::close(fd_);
  }

  Result<size_t> read(uint8_t* out, size_t n) override {
    size_t done = 0;
    while (done < n) {
      const ssize_t got = ::read(fd_, out + done, n - done);
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("reading " + name_ + " at byte " + std::to_string(pos_ + done) +
                               ": " + std::strerror(errno));
      }
      if (got == 0) break;
      done += size_t(got);
    }
    pos_ += done;
    return done;
  }

  Result<uint64_t> skip(uint64_t n) override {
    if (!seekable_) return ByteSource::skip(n);
    const uint64_t left = size_ && *size_ > pos_ ? *size_ - pos_ : 0;
    const uint64_t k = std::min(n, left);
    if (::lseek(fd_, off_t(pos_ + k), SEEK_SET) < 0) {
      return Status::IOError("seeking in " + name_ + ": " + std::strerror(errno));
    }
    pos_ += k;
    return k;
  }

  Result<size_t> read_at(uint64_t offset, uint8_t* out, size_t n) override {
    if (!seekable_) return ByteSource::read_at(offset, out, n);
    size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, out + done, n - done, off_t(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("reading " + name_ + " at byte " + std::to_string(offset + done) +
                               ": " + std::strerror(errno));
      }
      if (got == 0) break;
      done += size_t(got);
    }
    return done;
  }
  std::optional<uint64_t> size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  bool owns_;
  bool seekable_ = false;
  std::string name_;
  std::optional<uint64_t> size_;
  uint64_t pos_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::span<const uint8_t> bytes, std::string name, std::shared_ptr<const void> owner)
      : bytes_(bytes), name_(std::move(name)), owner_(std::move(owner)) {}

  Result<size_t> read(uint8_t* out, size_t n) override {
    const size_t k = std::min(n, bytes_.size() - pos_);
    if (k) std::memcpy(out, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  Result<uint64_t> skip(uint64_t n) override {
    const size_t k = size_t(std::min<uint64_t>(n, bytes_.size() - pos_));
    pos_ += k;
    return uint64_t(k);
  }
  Result<size_t> read_at(uint64_t offset, uint8_t* out, size_t n) override {
    if (offset >= bytes_.size()) return size_t(0);
    const size_t k = std::min<size_t>(n, bytes_.size() - size_t(offset));
    std::memcpy(out, bytes_.data() + offset, k);
    return k;
  }
  std::optional<uint64_t> size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  std::shared_ptr<const void> owner_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path) {
  if (path == "-")
    return std::unique_ptr<ByteSource>(new FileSource(STDIN_FILENO, false, "<stdin>"));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ByteSource>(new FileSource(fd, true, path));
}

std::unique_ptr<ByteSource> memory_source(std::span<const uint8_t> bytes, std::string name,
                                          std::shared_ptr<const void> owner) {
  return std::make_unique<MemorySource>(bytes, std::move(name), std::move(owner));
}

}  // namespace reel::import
