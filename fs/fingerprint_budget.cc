#include "fs/fingerprint_budget.h"

namespace sigmount::fs {

std::vector<ShardKey> FingerprintBudget::admit(ShardKey key, std::uint64_t bytes) {
  std::vector<ShardKey> victims;
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) {
    held_ -= found->second->bytes;
    lru_.erase(found->second);
    index_.erase(found);
  }
  lru_.push_front(Entry{key, bytes});
  index_[key] = lru_.begin();
  held_ += bytes;
  while (held_ > budget_ && lru_.size() > 1) {
    const Entry& oldest = lru_.back();
    victims.push_back(oldest.key);
    held_ -= oldest.bytes;
    index_.erase(oldest.key);
    lru_.pop_back();
    ++dropped_;
  }
  return victims;
}

void FingerprintBudget::touch(ShardKey key) {
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second);
  }
}

std::uint64_t FingerprintBudget::held_bytes() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::uint64_t FingerprintBudget::dropped_shards() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace sigmount::fs
