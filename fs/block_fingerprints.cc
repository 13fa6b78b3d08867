#include "fs/block_fingerprints.h"

#include <stdexcept>

namespace sigmount::fs {

TaggedBlock::TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer, const hashing::BlockMac& mac)
    : mac_(&mac) {
  if (!buffer || buffer.use_count() != 1) {
    throw std::logic_error("TaggedBlock: the buffer must be fresh and held nowhere else");
  }
  buffer_ = std::move(buffer);
  tag_ = mac.tag(buffer_->bytes());
}

std::optional<BlockMismatch> BlockFingerprints::check(std::uint64_t block,
                                                      const TaggedBlock& read_again) const {
  if (block >= tags_.size()) throw std::out_of_range("block index outside the shard");
  if (&read_again.mac() != mac_.get()) {
    throw std::logic_error("BlockFingerprints: block tagged under another key");
  }
  const std::uint64_t expected_length = block_length(shard_length_, block);
  if (read_again.bytes().size() != expected_length) {
    return BlockMismatch{"length " + std::to_string(expected_length),
                         "length " + std::to_string(read_again.bytes().size())};
  }
  if (hashing::BlockMac::equal(read_again.tag(), tags_[block])) return std::nullopt;
  // Not the tags themselves: they go to logs, and tags are the mount's secret (block_mac.h).
  return BlockMismatch{"the verified bytes", "different bytes"};
}

ShardHasher::ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length,
                         std::shared_ptr<const hashing::BlockMac> mac)
    : fingerprints_(std::make_unique<BlockFingerprints>()), hasher_(algorithm) {
  if (!mac) throw std::invalid_argument("ShardHasher: no BlockMac");
  fingerprints_->mac_ = std::move(mac);
  fingerprints_->shard_length_ = shard_length;
  fingerprints_->tags_.reserve(block_count(shard_length));
}

ShardHasher::~ShardHasher() = default;

void ShardHasher::add_block(const TaggedBlock& block) {
  const std::uint64_t length = fingerprints_->shard_length_;
  if (next_block_ >= block_count(length) ||
      block.bytes().size() != block_length(length, next_block_)) {
    throw std::logic_error("ShardHasher: block out of order or of the wrong length");
  }
  if (&block.mac() != fingerprints_->mac_.get()) {
    throw std::logic_error("ShardHasher: block tagged under another key");
  }
  hasher_.update(block.bytes());
  fingerprints_->tags_.push_back(block.tag());
  added_ += block.bytes().size();
  ++next_block_;
}

std::optional<std::shared_ptr<const BlockFingerprints>> ShardHasher::matches(
    const hashing::Digest& signed_digest, hashing::Digest& actual) {
  if (added_ != fingerprints_->shard_length_) {
    throw std::logic_error("ShardHasher: not all blocks were added");
  }
  actual = hasher_.finish();
  if (!(actual == signed_digest)) return std::nullopt;
  return std::shared_ptr<const BlockFingerprints>(std::move(fingerprints_));
}

}  // namespace sigmount::fs
