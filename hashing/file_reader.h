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
};

std::unique_ptr<FileReader> make_file_reader(ReaderBackend backend = ReaderBackend::automatic);

// The backend `automatic` resolves to on this machine; SIGMOUNT_READER=pread|io_uring overrides.
ReaderBackend resolve_backend(ReaderBackend requested);

}  // namespace sigmount::hashing
