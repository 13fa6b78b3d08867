// Hashing one shard against its signed digest while recording a fingerprint per 64 KiB block,
// and checking a block read again later against its fingerprint.
//
// A fingerprint is the block's keyed tag (hashing/block_mac.h: Poly1305 sealed with AES-128, 128
// bits under keys that never leave the daemon; tags are not logged either). Tags are computed on
// the thread that reads the block, while its bytes are in the CPU cache, and are trusted only
// because the shard digest computed over the very same buffers matched the signed one: a
// ShardHasher hands them out only through `matches()`. A block read again is tagged and compared,
// at ~4x the speed of re-hashing it. (SHA-256 chaining values came for free with SHA-256 shard
// digests but made every re-check cost a SHA-256 pass; BLAKE3 tags at 1.6 GB/s were measured too
// slow to pay for themselves.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fs/block_pool.h"
#include "hashing/block_mac.h"
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

using BlockTag = hashing::BlockMac::Tag;

// A block read into memory the daemon owns, with the tag of exactly those bytes. The buffer is
// const from here on, so the tag stays the tag of what it holds; whatever is later served from
// this buffer is what was tagged and hashed.
class TaggedBlock {
 public:
  // Takes the only reference to a freshly read buffer (throws std::logic_error otherwise: a
  // writer elsewhere could change the bytes after they were tagged) and tags its bytes.
  TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer, const hashing::BlockMac& mac);

  const std::shared_ptr<const BlockBuffer>& buffer() const { return buffer_; }
  ByteView bytes() const { return buffer_->bytes(); }
  const BlockTag& tag() const { return tag_; }
  // The key the tag is under: only tags under one key compare.
  const hashing::BlockMac& mac() const { return *mac_; }

 private:
  std::shared_ptr<const BlockBuffer> buffer_;
  const hashing::BlockMac* mac_;
  BlockTag tag_{};
};

struct BlockMismatch {
  // For the log: "the verified bytes" / "different bytes", or "length N" for each side. Never
  // the tags.
  std::string expected;
  std::string actual;
};

// Immutable once built; shared between threads without locking.
class BlockFingerprints {
 public:
  std::uint64_t shard_length() const { return shard_length_; }
  // What the fingerprints occupy (the tags; the object itself is noise).
  std::uint64_t memory_bytes() const { return tags_.capacity() * sizeof(BlockTag); }
  // nullopt when the block holds exactly the block's verified bytes (the length must be right
  // too). `read_again` must be tagged under the key these fingerprints are (std::logic_error).
  std::optional<BlockMismatch> check(std::uint64_t block, const TaggedBlock& read_again) const;

 private:
  friend class ShardHasher;
  std::shared_ptr<const hashing::BlockMac> mac_;
  std::uint64_t shard_length_ = 0;
  std::vector<BlockTag> tags_;
};

class ShardHasher {
 public:
  // Blocks added must be tagged under `mac`.
  ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length,
              std::shared_ptr<const hashing::BlockMac> mac);
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
  std::uint64_t next_block_ = 0;
  std::unique_ptr<BlockFingerprints> fingerprints_;
  hashing::Hasher hasher_;
};

}  // namespace sigmount::fs
