#include "fs/block_cache.h"

namespace sigmount::fs {

std::optional<VerifiedBytes> BlockCache::find(const BlockKey& key) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  Entry& entry = *it->second;
  served_.splice(served_.begin(), segment(entry.use), it->second);
  entry.use = Use::served;
  return entry.block;
}

void BlockCache::evict_back(Segment& from) {
  Entry& victim = from.back();
  cached_ -= victim.block.size();
  index_.erase(victim.key);
  from.pop_back();
  ++evictions_;
}

bool BlockCache::make_room(std::uint64_t needed, Eviction eviction) {
  const auto fits = [&] { return cached_ + reserved_ + needed <= capacity_; };
  if (eviction == Eviction::none) return fits();
  while (!fits() && !served_.empty()) evict_back(served_);
  if (eviction == Eviction::allowed) {
    while (!fits() && !ahead_.empty()) evict_back(ahead_);
  }
  return fits();
}

void BlockCache::insert(const BlockKey& key, const VerifiedBytes& block, Use use, bool reserved) {
  std::lock_guard lock(mutex_);
  if (reserved) reserved_ -= std::min<std::uint64_t>(reserved_, block.size());
  if (auto it = index_.find(key); it != index_.end()) {
    Entry& entry = *it->second;
    // Once served, a block stays in the served segment.
    const Use now = entry.use == Use::served ? Use::served : use;
    segment(now).splice(segment(now).begin(), segment(entry.use), it->second);
    entry.use = now;
    return;
  }
  if (!make_room(block.size(), Eviction::allowed)) return;
  Segment& into = segment(use);
  into.push_front(Entry{key, block, use});
  index_.emplace(key, into.begin());
  cached_ += block.size();
}

bool BlockCache::reserve(std::uint64_t bytes, Eviction eviction) {
  std::lock_guard lock(mutex_);
  if (!make_room(bytes, eviction)) return false;
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
