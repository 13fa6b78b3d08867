// The bounded cache of verified blocks. Holds only VerifiedBytes, so a hit needs no re-check.
// Memory is accounted in block bytes; `reserve` lets a shard verification set room aside for
// blocks it may keep before it knows whether the shard matches.
//
// Two LRU segments: blocks already served and blocks verified ahead of any reader. A served
// block has been copied into the kernel's page cache, which answers the next reads of it; it
// is the cheaper one to lose. So eviction takes served blocks first, and verifying ahead may
// displace only those: a sequential reader of a model larger than the cache then finds every
// block the background thread verified still here, instead of a cache full of what it read.
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

  // What the caller does with a block: serves it now, or keeps it for a reader expected later.
  enum class Use : std::uint8_t { served, ahead };
  // For serving: a hit becomes the most recently used served block.
  std::optional<VerifiedBytes> find(const BlockKey& key);
  // Inserts (or refreshes) a block, evicting served blocks first. With `reserved`, the bytes
  // were set aside by reserve() before. A block that cannot fit is simply not cached.
  void insert(const BlockKey& key, const VerifiedBytes& block, Use use, bool reserved = false);
  // Which blocks reserve() may evict to make room: any (served first), served ones only, none.
  enum class Eviction : std::uint8_t { allowed, served_only, none };
  // Sets `bytes` aside; false when they do not fit.
  bool reserve(std::uint64_t bytes, Eviction eviction = Eviction::allowed);
  void release(std::uint64_t bytes);

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t cached_bytes() const;
  std::uint64_t evictions() const;

 private:
  struct Entry {
    BlockKey key;
    VerifiedBytes block;
    Use use;
  };
  using Segment = std::list<Entry>;  // front: most recently used
  Segment& segment(Use use) { return use == Use::served ? served_ : ahead_; }
  // Caller holds mutex_. Evicts (served blocks first; `ahead` ones too only if `eviction` is
  // `allowed`) until `needed` more bytes fit; false if they cannot.
  bool make_room(std::uint64_t needed, Eviction eviction);
  void evict_back(Segment& from);

  const std::uint64_t capacity_;
  // Guards everything below. Held only for list/map updates, never during I/O or hashing, and
  // never while a shard's mutex is held. The one lock taken under it is the block pool's (an
  // evicted block may free its buffer), which is a leaf: nothing is locked under that.
  mutable std::mutex mutex_;
  Segment served_;
  Segment ahead_;
  std::unordered_map<BlockKey, Segment::iterator, BlockKeyHash> index_;
  std::uint64_t cached_ = 0;
  std::uint64_t reserved_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace sigmount::fs
