// Hashing one shard against its signed digest while recording a fingerprint per 64 KiB block,
// and checking a block read again later against its fingerprint.
//
// Fingerprints are trusted only because the shard digest computed over the very same buffers
// matched the signed one: a ShardHasher hands them out only through `matches()`. Two kinds:
//  * SHA-256 shards: the SHA-256 chaining value before each block (sha256_chain.h). They fall
//    out of computing the shard digest, so the first pass costs nothing extra; a block read
//    again is checked by resuming from the value before it and comparing with the value after
//    it (or, for the last block, with the signed digest).
//  * Other algorithms: the BLAKE3 of each block, computed on the reading thread while the
//    block is in the CPU cache from its read. 256-bit: other bytes with the same fingerprint
//    are a BLAKE3 second preimage.
// (BLAKE3 tags for SHA-256 shards too were tried: on the 2-core development VM, under load, a
// 2 GiB first read took 4.7 s instead of 2.0 s, the re-checks 3.2 s instead of 3.1 s; what
// they save on re-checks the first pass spends computing them.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fs/block_pool.h"
#include "fs/sha256_chain.h"
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

enum class FingerprintKind : std::uint8_t { sha256_chain, blake3_tag };
FingerprintKind fingerprint_kind_for(hashing::HashAlgorithm shard_algorithm);

// A block read into memory the daemon owns, with the BLAKE3 tag of exactly those bytes when the
// shard's fingerprints are tags. The buffer is const from here on, so the tag stays the tag of
// what it holds; whatever is later served from this buffer is what was tagged and hashed.
class TaggedBlock {
 public:
  // Takes the only reference to a freshly read buffer (throws std::logic_error otherwise: a
  // writer elsewhere could change the bytes after they were tagged) and, for blake3_tag, tags
  // its bytes.
  TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer, FingerprintKind kind);

  const std::shared_ptr<const BlockBuffer>& buffer() const { return buffer_; }
  ByteView bytes() const { return buffer_->bytes(); }
  // Only for FingerprintKind::blake3_tag.
  const BlockTag& tag() const { return tag_; }

 private:
  std::shared_ptr<const BlockBuffer> buffer_;
  BlockTag tag_{};
};

struct BlockMismatch {
  // "blake3:"/"sha256-state:" hex of the recorded fingerprint, the signed digest, or a length
  std::string expected;
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
  FingerprintKind kind_ = FingerprintKind::blake3_tag;
  std::uint64_t shard_length_ = 0;
  std::vector<BlockTag> tags_;              // blake3_tag
  std::vector<Sha256Chain::State> states_;  // sha256_chain: the value before each block
  hashing::Digest final_digest_;            // sha256_chain: what the last block finishes to
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
  std::uint64_t next_block_ = 0;
  std::unique_ptr<BlockFingerprints> fingerprints_;
  std::optional<Sha256Chain> chain_;       // sha256_chain
  std::optional<hashing::Hasher> hasher_;  // blake3_tag
};

}  // namespace sigmount::fs
