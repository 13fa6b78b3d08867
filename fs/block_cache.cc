#include "fs/block_cache.h"

namespace sigmount::fs {

std::optional<VerifiedBytes> BlockCache::find(const BlockKey& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->block;
}

bool BlockCache::make_room(std::uint64_t needed) {
  while (cached_ + reserved_ + needed > capacity_ && !lru_.empty()) {
    Entry& victim = lru_.back();
    cached_ -= victim.block.size();
    index_.erase(victim.key);
    lru_.pop_back();
    ++evictions_;
  }
  return cached_ + reserved_ + needed <= capacity_;
}

void BlockCache::insert(const BlockKey& key, const VerifiedBytes& block, bool reserved) {
  std::lock_guard lock(mutex_);
  if (reserved) reserved_ -= std::min<std::uint64_t>(reserved_, block.size());
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (!make_room(block.size())) return;
  lru_.push_front(Entry{key, block});
  index_.emplace(key, lru_.begin());
  cached_ += block.size();
}

bool BlockCache::reserve(std::uint64_t bytes, Eviction eviction) {
  std::lock_guard lock(mutex_);
  if (eviction == Eviction::allowed) {
    if (!make_room(bytes)) return false;
  } else if (cached_ + reserved_ + bytes > capacity_) {
    return false;
  }
  reserved_ += bytes;
  return true;
}

void BlockCache::release(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  reserved_ -= std::min(reserved_, bytes);
}

std::uint64_t BlockCache::cached_bytes() const {
  std::lock_guard lock(mutex_);
  return cached_;
}

std::uint64_t BlockCache::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

}  // namespace sigmount::fs
