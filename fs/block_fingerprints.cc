#include "fs/block_fingerprints.h"

#include <stdexcept>

namespace sigmount::fs {
namespace {

hashing::Digest sha256_of(ByteView bytes) {
  Sha256Chain chain;
  chain.update(bytes);
  return chain.finish();
}

std::string state_hex(const Sha256Chain::State& state) {
  std::string out;
  for (std::uint32_t word : state) {
    const std::uint8_t be[4] = {
        static_cast<std::uint8_t>(word >> 24), static_cast<std::uint8_t>(word >> 16),
        static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)};
    out += to_hex(be);
  }
  return out;
}

}  // namespace

std::optional<BlockMismatch> BlockFingerprints::check(std::uint64_t block, ByteView bytes) const {
  const std::uint64_t blocks = block_count(shard_length_);
  if (block >= blocks) throw std::out_of_range("block index outside the shard");
  if (bytes.size() != block_length(shard_length_, block)) {
    return BlockMismatch{"length " + std::to_string(block_length(shard_length_, block)),
                         "length " + std::to_string(bytes.size())};
  }
  if (!chained_) {
    hashing::Digest actual = sha256_of(bytes);
    if (actual == block_digests_[block]) return std::nullopt;
    return BlockMismatch{block_digests_[block].hex(), actual.hex()};
  }
  Sha256Chain chain(states_[block], block * kBlockSize);
  chain.update(bytes);
  if (block + 1 < blocks) {
    const Sha256Chain::State after = chain.state();
    if (after == states_[block + 1]) return std::nullopt;
    return BlockMismatch{"sha256-state:" + state_hex(states_[block + 1]),
                         "sha256-state:" + state_hex(after)};
  }
  hashing::Digest actual = chain.finish();
  if (actual == final_digest_) return std::nullopt;
  return BlockMismatch{final_digest_.hex(), actual.hex()};
}

ShardHasher::ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length)
    : algorithm_(algorithm), fingerprints_(std::make_unique<BlockFingerprints>()) {
  fingerprints_->shard_length_ = shard_length;
  fingerprints_->chained_ = algorithm == hashing::HashAlgorithm::sha256;
  if (fingerprints_->chained_) {
    chain_.emplace();
    fingerprints_->states_.reserve(block_count(shard_length));
  } else {
    hasher_.emplace(algorithm);
    fingerprints_->block_digests_.reserve(block_count(shard_length));
  }
}

ShardHasher::~ShardHasher() = default;

void ShardHasher::add_block(ByteView block) {
  const std::uint64_t length = fingerprints_->shard_length_;
  if (next_block_ >= block_count(length) || block.size() != block_length(length, next_block_)) {
    throw std::logic_error("ShardHasher: block out of order or of the wrong length");
  }
  if (chain_) {
    fingerprints_->states_.push_back(chain_->state());
    chain_->update(block);
  } else {
    hasher_->update(block);
    fingerprints_->block_digests_.push_back(sha256_of(block));
  }
  added_ += block.size();
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
