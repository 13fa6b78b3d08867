#include "hashing/file_reader.h"

#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sigmount::hashing {

namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// The file ended before the buffer was full: the file is shorter than the caller believes
// (it may have been truncated while we read it).
[[noreturn]] void throw_short_file(std::uint64_t offset) {
  throw_errno(EIO, "file ends at offset " + std::to_string(offset) + ", before the range read");
}

class PreadReader final : public FileReader {
 public:
  void read_exact(int fd, std::uint64_t offset, std::span<std::uint8_t> out) override {
    while (!out.empty()) {
      const ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno(errno, "pread at offset " + std::to_string(offset));
      }
      if (n == 0) throw_short_file(offset);
      out = out.subspan(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
    }
  }
  std::string_view backend_name() const override { return "pread"; }
};

// A ring of our own, so each reader is the only submitter and completions need no routing.
class IoUring {
 public:
  explicit IoUring(unsigned entries) {
    const int rc = io_uring_queue_init(entries, &ring_, 0);
    if (rc < 0) throw_errno(-rc, "io_uring_queue_init");
  }
  ~IoUring() { io_uring_queue_exit(&ring_); }
  IoUring(const IoUring&) = delete;
  IoUring& operator=(const IoUring&) = delete;
  io_uring* get() { return &ring_; }

 private:
  io_uring ring_{};
};

class IoUringReader final : public FileReader {
 public:
  IoUringReader() { ring_.emplace(kEntries); }
  // The kernel may still be writing into the caller's buffer: wait for it before the ring (and
  // then the buffer) goes away.
  ~IoUringReader() override {
    while (in_flight_) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(ring_->get(), &cqe);
      if (rc == -EINTR) continue;
      if (rc == 0) io_uring_cqe_seen(ring_->get(), cqe);
      in_flight_ = false;
    }
  }
  IoUringReader(const IoUringReader&) = delete;
  IoUringReader& operator=(const IoUringReader&) = delete;

  void read_exact(int fd, std::uint64_t offset, std::span<std::uint8_t> out) override {
    begin_read(fd, offset, out);
    complete_read();
  }

  void begin_read(int fd, std::uint64_t offset, std::span<std::uint8_t> out) override {
    if (in_flight_) throw std::logic_error("FileReader: a read is already outstanding");
    if (!ring_) ring_.emplace(kEntries);  // the last one was dropped after a failed submit
    fd_ = fd;
    offset_ = offset;
    rest_ = out;
    if (!rest_.empty()) submit();
  }

  void complete_read() override {
    while (in_flight_) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(ring_->get(), &cqe);
      if (rc == -EINTR || rc == -EAGAIN || rc == -EBUSY) continue;
      if (rc < 0) {
        // The read is still in flight: the kernel may write into `out` later, after the caller
        // freed it or (in the mount) hashed and served it. Nothing safe is left to do.
        std::fprintf(stderr, "sigmount: io_uring_wait_cqe failed (%d) with a read in flight\n", rc);
        std::abort();
      }
      const int res = cqe->res;
      io_uring_cqe_seen(ring_->get(), cqe);
      in_flight_ = false;
      if (res == -EINTR || res == -EAGAIN) {
        submit();
        continue;
      }
      if (res < 0) throw_errno(-res, "io_uring read at offset " + std::to_string(offset_));
      if (res == 0) throw_short_file(offset_);
      // A short read (signal, a request larger than the kernel does at once): ask for the rest.
      rest_ = rest_.subspan(static_cast<std::size_t>(res));
      offset_ += static_cast<std::uint64_t>(res);
      if (!rest_.empty()) submit();
    }
  }

  std::string_view backend_name() const override { return "io_uring"; }

 private:
  static constexpr unsigned kEntries = 4;
  // io_uring reads take an unsigned length; the kernel caps one read below 2 GiB anyway.
  static constexpr std::size_t kMaxRead = std::size_t{1} << 30;

  void submit() {
    io_uring_sqe* sqe = io_uring_get_sqe(ring_->get());
    if (sqe == nullptr) throw std::logic_error("io_uring: no free submission entry");
    const auto len = static_cast<unsigned>(std::min(rest_.size(), kMaxRead));
    io_uring_prep_read(sqe, fd_, rest_.data(), len, offset_);
    for (;;) {
      const int rc = io_uring_submit(ring_->get());
      if (rc == -EINTR || rc == -EAGAIN) continue;
      if (rc < 0) {
        // The read stays queued in the ring, and any later submit would send it: the kernel
        // would write into `rest_` after the caller freed it, or after it was hashed. Dropping
        // the ring drops it (without SQPOLL the kernel sees an entry only when it is submitted);
        // the next read makes a new ring.
        ring_.reset();
        throw_errno(-rc, "io_uring_submit");
      }
      break;
    }
    in_flight_ = true;
  }

  std::optional<IoUring> ring_;
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  std::span<std::uint8_t> rest_;
  bool in_flight_ = false;
};

}  // namespace

void FileReader::begin_read(int fd, std::uint64_t offset, std::span<std::uint8_t> out) {
  if (has_pending_) throw std::logic_error("FileReader: a read is already outstanding");
  pending_ = {fd, offset, out};
  has_pending_ = true;
}

void FileReader::complete_read() {
  if (!has_pending_) return;
  has_pending_ = false;
  read_exact(pending_.fd, pending_.offset, pending_.out);
}

bool io_uring_available() {
  static const bool available = [] {
    try {
      IoUring probe(1);
      return true;
    } catch (const std::system_error&) {
      return false;
    }
  }();
  return available;
}

ReaderBackend resolve_backend(ReaderBackend requested) {
  if (requested != ReaderBackend::automatic) return requested;
  if (const char* forced = std::getenv("SIGMOUNT_READER"); forced != nullptr && *forced != '\0') {
    const std::string_view value(forced);
    if (value == "pread") return ReaderBackend::pread;
    if (value == "io_uring") return ReaderBackend::io_uring;
    throw std::invalid_argument("SIGMOUNT_READER must be 'pread' or 'io_uring', not '" +
                                std::string(value) + "'");
  }
  return io_uring_available() ? ReaderBackend::io_uring : ReaderBackend::pread;
}

std::unique_ptr<FileReader> make_file_reader(ReaderBackend backend) {
  switch (resolve_backend(backend)) {
    case ReaderBackend::io_uring:
      return std::make_unique<IoUringReader>();
    case ReaderBackend::pread:
    case ReaderBackend::automatic:
      break;
  }
  return std::make_unique<PreadReader>();
}

}  // namespace sigmount::hashing
