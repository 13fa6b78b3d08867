// The bounded LRU cache of verified blocks. Holds only VerifiedBytes, so a hit needs no
// re-check. Memory is accounted in block bytes; `reserve` lets a shard verification set room
// aside for blocks it may keep before it knows whether the shard matches.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "fs/verified_bytes.h"

namespace sigmount::fs {

struct BlockKey {
  std::uint32_t file = 0;
  std::uint32_t shard = 0;
  std::uint64_t block = 0;
  friend bool operator==(const BlockKey&, const BlockKey&) = default;
};

struct BlockKeyHash {
  std::size_t operator()(const BlockKey& key) const noexcept {
    std::uint64_t h = (std::uint64_t{key.file} << 32 | key.shard) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h ^ (key.block + 0x7F4A7C159E3779B9ULL + (h << 6) + (h >> 2)));
  }
};

class BlockCache {
 public:
  explicit BlockCache(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  std::optional<VerifiedBytes> find(const BlockKey& key);
  // Inserts (or refreshes) a block, evicting least recently used ones. With `reserved`, the
  // bytes were set aside by reserve() before. A block that cannot fit is simply not cached.
  void insert(const BlockKey& key, const VerifiedBytes& block, bool reserved = false);
  enum class Eviction : std::uint8_t { allowed, none };
  // Sets `bytes` aside (evicting as needed, or only from free room with Eviction::none); false
  // when they do not fit.
  bool reserve(std::uint64_t bytes, Eviction eviction = Eviction::allowed);
  void release(std::uint64_t bytes);

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t cached_bytes() const;
  std::uint64_t evictions() const;

 private:
  struct Entry {
    BlockKey key;
    VerifiedBytes block;
  };
  // Caller holds mutex_. Evicts until `needed` more bytes fit; false if they cannot.
  bool make_room(std::uint64_t needed);

  const std::uint64_t capacity_;
  // Guards everything below. Held only for list/map updates, never during I/O or hashing, and
  // never while a shard's mutex is held. The one lock taken under it is the block pool's (an
  // evicted block may free its buffer), which is a leaf: nothing is locked under that.
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<BlockKey, std::list<Entry>::iterator, BlockKeyHash> index_;
  std::uint64_t cached_ = 0;
  std::uint64_t reserved_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace sigmount::fs
