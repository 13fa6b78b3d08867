// Bytes that passed verification (mountpoint-s3's ChecksummedBytes idea, made stricter): the
// only constructor is reachable from VerifiedFileCore, which calls it on a buffer right after
// that very buffer was hashed and matched. Whoever holds a VerifiedBytes can serve it; nobody
// can make one from bytes that were not checked.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fs/block_pool.h"
#include "hashing/bytes.h"

namespace sigmount::fs {

class VerifiedBytes {
 public:
  VerifiedBytes() = default;

  ByteView bytes() const {
    return buffer_ ? ByteView(buffer_->bytes().data() + offset_, length_) : ByteView();
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
  explicit VerifiedBytes(std::shared_ptr<const BlockBuffer> buffer)
      : buffer_(std::move(buffer)), length_(buffer_->size()) {}

  std::shared_ptr<const BlockBuffer> buffer_;
  std::size_t offset_ = 0;
  std::size_t length_ = 0;
};

}  // namespace sigmount::fs
