// Hashing one shard against its signed digest while recording a fingerprint per 64 KiB block,
// and checking a block read again later against its fingerprint.
//
// The fingerprints are trusted only because the shard digest computed in the same pass matched
// the signed one: a ShardHasher hands them out only through `matches()`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fs/sha256_chain.h"
#include "hashing/bytes.h"
#include "hashing/digest.h"

namespace sigmount::fs {

// Unit of re-verification and caching inside a shard: blocks start at shard offsets that are
// multiples of this; the last block of a shard may be shorter.
inline constexpr std::uint64_t kBlockSize = std::uint64_t{64} * 1024;

inline std::uint64_t block_count(std::uint64_t shard_length) {
  return (shard_length + kBlockSize - 1) / kBlockSize;
}
inline std::uint64_t block_length(std::uint64_t shard_length, std::uint64_t block) {
  const std::uint64_t start = block * kBlockSize;
  return std::min(kBlockSize, shard_length - start);
}

struct BlockMismatch {
  std::string expected;  // hex of the recorded fingerprint (or of the signed digest)
  std::string actual;    // hex of what the bytes read now give
};

// Immutable once built; shared between threads without locking.
class BlockFingerprints {
 public:
  std::uint64_t shard_length() const { return shard_length_; }
  // nullopt when `bytes` are exactly the block's verified bytes (the length must be right too).
  std::optional<BlockMismatch> check(std::uint64_t block, ByteView bytes) const;

 private:
  friend class ShardHasher;
  std::uint64_t shard_length_ = 0;
  // SHA-256 shards: the chaining value before each block, and the signed digest that the last
  // block must finish to. Other algorithms: an independent SHA-256 of each block.
  bool chained_ = false;
  std::vector<Sha256Chain::State> states_;
  hashing::Digest final_digest_;
  std::vector<hashing::Digest> block_digests_;
};

class ShardHasher {
 public:
  ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length);
  ~ShardHasher();
  ShardHasher(const ShardHasher&) = delete;
  ShardHasher& operator=(const ShardHasher&) = delete;

  // The next block of the shard, in order; every block is kBlockSize long except the last.
  void add_block(ByteView block);
  // After all blocks: the shard digest, compared with `signed_digest`. On a match returns the
  // fingerprints; on a mismatch nullopt and `actual` holds the digest found.
  std::optional<std::shared_ptr<const BlockFingerprints>> matches(
      const hashing::Digest& signed_digest, hashing::Digest& actual);

 private:
  hashing::HashAlgorithm algorithm_;
  std::uint64_t added_ = 0;
  std::uint64_t next_block_ = 0;
  std::unique_ptr<BlockFingerprints> fingerprints_;
  std::optional<Sha256Chain> chain_;       // SHA-256 shards
  std::optional<hashing::Hasher> hasher_;  // other algorithms
};

}  // namespace sigmount::fs
