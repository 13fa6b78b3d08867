#include "fs/block_fingerprints.h"

#include <stdexcept>

#include "hashing/blake3.h"

namespace sigmount::fs {
namespace {

std::string tag_hex(const BlockTag& tag) {
  return "blake3:" + to_hex(tag);
}

}  // namespace

TaggedBlock::TaggedBlock(std::shared_ptr<BlockBuffer>&& buffer) {
  if (!buffer || buffer.use_count() != 1) {
    throw std::logic_error("TaggedBlock: the buffer must be fresh and held nowhere else");
  }
  buffer_ = std::move(buffer);
  hashing::Blake3 blake3;
  blake3.update(buffer_->bytes());
  tag_ = blake3.finalize();
}

std::optional<BlockMismatch> BlockFingerprints::check(std::uint64_t block,
                                                      const TaggedBlock& read_again) const {
  if (block >= tags_.size()) throw std::out_of_range("block index outside the shard");
  const std::uint64_t expected_length = block_length(shard_length_, block);
  if (read_again.bytes().size() != expected_length) {
    return BlockMismatch{"length " + std::to_string(expected_length),
                         "length " + std::to_string(read_again.bytes().size())};
  }
  if (read_again.tag() == tags_[block]) return std::nullopt;
  return BlockMismatch{tag_hex(tags_[block]), tag_hex(read_again.tag())};
}

ShardHasher::ShardHasher(hashing::HashAlgorithm algorithm, std::uint64_t shard_length)
    : fingerprints_(std::make_unique<BlockFingerprints>()), hasher_(algorithm) {
  fingerprints_->shard_length_ = shard_length;
  fingerprints_->tags_.reserve(block_count(shard_length));
}

ShardHasher::~ShardHasher() = default;

void ShardHasher::add_block(const TaggedBlock& block) {
  const std::uint64_t length = fingerprints_->shard_length_;
  const std::uint64_t index = fingerprints_->tags_.size();
  if (index >= block_count(length) || block.bytes().size() != block_length(length, index)) {
    throw std::logic_error("ShardHasher: block out of order or of the wrong length");
  }
  hasher_.update(block.bytes());
  fingerprints_->tags_.push_back(block.tag());
  added_ += block.bytes().size();
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
