// Reads byte ranges of files into caller-owned buffers: io_uring, or pread where io_uring is
// unavailable (container seccomp profiles commonly block it).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace sigmount::hashing {

enum class ReaderBackend : std::uint8_t {
  automatic,  // io_uring when the kernel and seccomp allow it, otherwise pread
  io_uring,   // fail if io_uring is unavailable
  pread,
};

// Not thread-safe: each thread owns its reader (an io_uring ring is single-issuer).
class FileReader {
 public:
  virtual ~FileReader() = default;
  // Fills `out` with the bytes of `fd` at `offset`. Throws std::system_error on an I/O error
  // and when the file ends before `out` is full (the file shrank: a caller must not hash a
  // partial buffer as if it were the whole range).
  virtual void read_exact(int fd, std::uint64_t offset, std::span<std::uint8_t> out) = 0;
  virtual std::string_view backend_name() const = 0;

  // Read-ahead: begin_read() starts filling `out` like read_exact() and, where the backend is
  // asynchronous (io_uring), returns before the data is there so the caller can hash the
  // previous buffer meanwhile; complete_read() waits and applies read_exact()'s checks. At most
  // one read is outstanding; `out` must stay alive and untouched until complete_read() returns.
  // The default (pread) performs the whole read in complete_read().
  virtual void begin_read(int fd, std::uint64_t offset, std::span<std::uint8_t> out);
  virtual void complete_read();

 private:
  struct PendingRead {
    int fd = -1;
    std::uint64_t offset = 0;
    std::span<std::uint8_t> out;
  };
  PendingRead pending_;
  bool has_pending_ = false;
};

std::unique_ptr<FileReader> make_file_reader(ReaderBackend backend = ReaderBackend::automatic);

// The backend `automatic` resolves to on this machine; SIGMOUNT_READER=pread|io_uring overrides.
// An explicit io_uring or pread request is returned unchanged. Throws std::invalid_argument for
// any other SIGMOUNT_READER value.
ReaderBackend resolve_backend(ReaderBackend requested);

// Whether io_uring works in this process (probed once: seccomp filters and
// kernel.io_uring_disabled make io_uring_setup fail with EPERM or ENOSYS).
bool io_uring_available();

}  // namespace sigmount::hashing
