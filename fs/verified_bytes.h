// Bytes that passed verification (mountpoint-s3's ChecksummedBytes idea, made stricter): the
// only constructor is reachable from VerifiedFileCore, which calls it on a buffer right after
// that very buffer was hashed and matched. Whoever holds a VerifiedBytes can serve it; nobody
// can make one from bytes that were not checked.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "hashing/bytes.h"

namespace sigmount::fs {

// A block's backing memory. Written once by a read, then hashed, then only read.
// It comes straight from mmap, not malloc, so that a block leaving the cache goes back to the
// kernel at once: with malloc, glibc's per-thread arenas kept freed 64 KiB blocks and the
// daemon's RSS settled at twice --cache-size.
struct BlockBuffer {
  struct Unmap {
    std::size_t size;
    void operator()(std::uint8_t* memory) const noexcept { ::munmap(memory, size); }
  };

  explicit BlockBuffer(std::size_t size) : data(map(size), Unmap{size}), size(size) {}

  std::unique_ptr<std::uint8_t[], Unmap> data;
  std::size_t size;

 private:
  static std::uint8_t* map(std::size_t size) {
    if (size == 0) return nullptr;
    void* memory =
        ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    return static_cast<std::uint8_t*>(memory);
  }
};

class VerifiedBytes {
 public:
  VerifiedBytes() = default;

  ByteView bytes() const {
    return buffer_ ? ByteView(buffer_->data.get() + offset_, length_) : ByteView();
  }
  std::size_t size() const { return length_; }
  // A part of verified bytes is verified bytes.
  VerifiedBytes slice(std::size_t offset, std::size_t length) const {
    VerifiedBytes out = *this;
    out.offset_ = offset_ + std::min(offset, length_);
    out.length_ = std::min(length, length_ - std::min(offset, length_));
    return out;
  }

 private:
  friend class VerifiedFileCore;
  VerifiedBytes(std::shared_ptr<const BlockBuffer> buffer)
      : buffer_(std::move(buffer)), length_(buffer_->size) {}

  std::shared_ptr<const BlockBuffer> buffer_;
  std::size_t offset_ = 0;
  std::size_t length_ = 0;
};

}  // namespace sigmount::fs
