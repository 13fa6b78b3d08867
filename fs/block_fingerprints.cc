#include "fs/block_fingerprints.h"

#include <stdexcept>

#include "hashing/blake3.h"

namespace sigmount::fs {
namespace {

std::string tag_hex(const BlockTag& tag) {
  return "blake3:" + to_hex(tag);
}

std::string state_hex(const Sha256Chain::State& state) {
  std::string out = "sha256-state:";
  for (const std::uint32_t word : state) {
    const std::uint8_t big_endian[4] = {
        static_cast<std::uint8_t>(word >> 24), static_cast<std::uint8_t>(word >> 16),
        static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)};
    out += to_hex(big_endian);
  }
  return out;
}

}  // namespace

FingerprintKind fingerprint_kind_for(hashing::HashAlgorithm shard_algorithm) {
  return shard_algorithm == hashing::HashAlgorithm::sha256 ? FingerprintKind::sha256_chain
                                                           : FingerprintKind::blake3_tag;
}

TaggedBlock::TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer, FingerprintKind kind) {
  if (!buffer || buffer.use_count() != 1) {
    throw std::logic_error("TaggedBlock: the buffer must be fresh and held nowhere else");
  }
  buffer_ = std::move(buffer);
  if (kind == FingerprintKind::blake3_tag) {
    hashing::Blake3 blake3;
    blake3.update(buffer_->bytes());
    tag_ = blake3.finalize();
  }
}

std::optional<BlockMismatch> BlockFingerprints::check(std::uint64_t block,
                                                      const TaggedBlock& read_again) const {
  const std::uint64_t blocks = block_count(shard_length_);
  if (block >= blocks) throw std::out_of_range("block index outside the shard");
  const std::uint64_t expected_length = block_length(shard_length_, block);
  if (read_again.bytes().size() != expected_length) {
    return BlockMismatch{"length " + std::to_string(expected_length),
                         "length " + std::to_string(read_again.bytes().size())};
  }
  if (kind_ == FingerprintKind::blake3_tag) {
    if (read_again.tag() == tags_[block]) return std::nullopt;
    return BlockMismatch{tag_hex(tags_[block]), tag_hex(read_again.tag())};
  }
  Sha256Chain chain(states_[block], block * kBlockSize);
  chain.update(read_again.bytes());
  if (block + 1 < blocks) {
    const Sha256Chain::State after = chain.state();
    if (after == states_[block + 1]) return std::nullopt;
    return BlockMismatch{state_hex(states_[block + 1]), state_hex(after)};
  }
  const hashing::Digest actual = chain.finish();
  if (actual == final_digest_) return std::nullopt;
  return BlockMismatch{final_digest_.hex(), actual.hex()};
}

ShardHasher::ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length)
    : fingerprints_(std::make_unique<BlockFingerprints>()) {
  fingerprints_->shard_length_ = shard_length;
  fingerprints_->kind_ = fingerprint_kind_for(algorithm);
  if (fingerprints_->kind_ == FingerprintKind::sha256_chain) {
    chain_.emplace();
    fingerprints_->states_.reserve(block_count(shard_length));
  } else {
    hasher_.emplace(algorithm);
    fingerprints_->tags_.reserve(block_count(shard_length));
  }
}

ShardHasher::~ShardHasher() = default;

void ShardHasher::add_block(const TaggedBlock& block) {
  const std::uint64_t length = fingerprints_->shard_length_;
  if (next_block_ >= block_count(length) ||
      block.bytes().size() != block_length(length, next_block_)) {
    throw std::logic_error("ShardHasher: block out of order or of the wrong length");
  }
  if (chain_) {
    fingerprints_->states_.push_back(chain_->state());
    chain_->update(block.bytes());
  } else {
    hasher_->update(block.bytes());
    fingerprints_->tags_.push_back(block.tag());
  }
  added_ += block.bytes().size();
  ++next_block_;
}

std::optional<std::shared_ptr<const BlockFingerprints>> ShardHasher::matches(
    const hashing::Digest& signed_digest, hashing::Digest& actual) {
  if (added_ != fingerprints_->shard_length_) {
    throw std::logic_error("ShardHasher: not all blocks were added");
  }
  actual = chain_ ? chain_->finish() : hasher_->finish();
  if (!(actual == signed_digest)) return std::nullopt;
  fingerprints_->final_digest_ = signed_digest;
  return std::shared_ptr<const BlockFingerprints>(std::move(fingerprints_));
}

}  // namespace sigmount::fs
