// SHA-256 that can stop at a 64 KiB boundary and be resumed later from the saved chaining value.
//
// This is what makes sub-block re-verification free on the first read of a SHA-256 shard: while
// the shard is hashed against its signed digest, the chaining value before every 64 KiB block is
// recorded. A block read again later is checked by resuming from the value before it and
// comparing with the value after it (or, for the last block, with the signed digest). Producing
// other bytes with the same chaining values is a second preimage on SHA-256's compression
// function iterated from a fixed state, so the values are as trustworthy as the signed digest
// they were computed towards. No second hash pass over the bytes is needed.
#pragma once

#include <array>
#include <cstdint>

#include "hashing/bytes.h"
#include "hashing/digest.h"

namespace sigmount::fs {

class Sha256Chain {
 public:
  using State = std::array<std::uint32_t, 8>;

  Sha256Chain();
  // Continues a hash whose first `bytes_before` bytes (a multiple of 64) led to `state`.
  Sha256Chain(const State& state, std::uint64_t bytes_before);

  void update(ByteView data);
  // The chaining value; meaningful only when the bytes hashed so far are a multiple of 64.
  State state() const;
  hashing::Digest finish();

 private:
  // OpenSSL's SHA256_CTX, stored opaquely so users need no deprecated OpenSSL header.
  alignas(8) std::array<std::uint8_t, 112> ctx_{};
};

}  // namespace sigmount::fs
