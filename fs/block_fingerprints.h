// Hashing one shard against its signed digest while recording a fingerprint per 64 KiB block,
// and checking a block read again later against its fingerprint.
//
// A fingerprint is the BLAKE3 of the block's bytes. It is trusted only because the shard digest
// computed over the very same buffers matched the signed one: a ShardHasher hands fingerprints
// out only through `matches()`. BLAKE3, whatever the manifest's algorithm, because re-checking
// evicted blocks is the steady-state cost of reading a model larger than the cache, and BLAKE3
// is about twice as fast per core as SHA-256 here (the tag of a block is computed while the
// block is still in the CPU cache from its read, on the reading thread, so the first pass does
// not get slower where two cores are available). 256-bit tags: finding other bytes with the same
// tag is a BLAKE3 second preimage, as hard as forging the signed SHA-256 digest.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fs/block_pool.h"
#include "hashing/bytes.h"
#include "hashing/digest.h"

namespace sigmount::fs {

// Unit of re-verification and caching inside a shard: blocks start at shard offsets that are
// multiples of this; the last block of a shard may be shorter.
inline constexpr std::uint64_t kBlockSize = BlockPool::kSlotSize;

inline std::uint64_t block_count(std::uint64_t shard_length) {
  return (shard_length + kBlockSize - 1) / kBlockSize;
}
inline std::uint64_t block_length(std::uint64_t shard_length, std::uint64_t block) {
  const std::uint64_t start = block * kBlockSize;
  return std::min(kBlockSize, shard_length - start);
}

using BlockTag = std::array<std::uint8_t, 32>;

// A block read into memory the daemon owns, with the tag of exactly those bytes. The buffer is
// const from here on, so the tag stays the tag of what it holds; whatever is later served from
// this buffer is what was tagged and hashed.
class TaggedBlock {
 public:
  // Takes the only reference to a freshly read buffer (throws std::logic_error otherwise: a
  // writer elsewhere could change the bytes after they were tagged) and tags its bytes.
  explicit TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer);

  const std::shared_ptr<const BlockBuffer>& buffer() const { return buffer_; }
  ByteView bytes() const { return buffer_->bytes(); }
  const BlockTag& tag() const { return tag_; }

 private:
  std::shared_ptr<const BlockBuffer> buffer_;
  BlockTag tag_{};
};

struct BlockMismatch {
  std::string expected;  // "blake3:" hex of the recorded tag, or a length
  std::string actual;
};

// Immutable once built; shared between threads without locking.
class BlockFingerprints {
 public:
  std::uint64_t shard_length() const { return shard_length_; }
  // nullopt when the block holds exactly the block's verified bytes (the length must be right
  // too).
  std::optional<BlockMismatch> check(std::uint64_t block, const TaggedBlock& read_again) const;

 private:
  friend class ShardHasher;
  std::uint64_t shard_length_ = 0;
  std::vector<BlockTag> tags_;
};

class ShardHasher {
 public:
  ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length);
  ~ShardHasher();
  ShardHasher(const ShardHasher&) = delete;
  ShardHasher& operator=(const ShardHasher&) = delete;

  // The next block of the shard, in order; every block is kBlockSize long except the last.
  void add_block(const TaggedBlock& block);
  // After all blocks: the shard digest, compared with `signed_digest`. On a match returns the
  // fingerprints; on a mismatch nullopt and `actual` holds the digest found.
  std::optional<std::shared_ptr<const BlockFingerprints>> matches(
      const hashing::Digest& signed_digest, hashing::Digest& actual);

 private:
  std::uint64_t added_ = 0;
  std::unique_ptr<BlockFingerprints> fingerprints_;
  hashing::Hasher hasher_;
};

}  // namespace sigmount::fs
