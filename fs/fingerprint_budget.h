// Which verified shards keep their block fingerprints when those of the whole model would not
// fit the daemon's memory bound.
//
// Fingerprints cost 16 bytes per 64 KiB of verified shard: 32 MiB cover 128 GiB. A shard whose
// fingerprints are dropped goes back to "unverified": a later read of bytes the daemon no longer
// holds hashes the whole shard again, like a first read (its blocks still in the cache are still
// verified bytes and stay servable). Least recently used shards go first; the shard just
// admitted is never its own victim, so one shard larger than the budget keeps its fingerprints
// (that excess is reported, not hidden).
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sigmount::fs {

struct ShardKey {
  std::uint32_t file = 0;
  std::uint32_t shard = 0;
  friend bool operator==(const ShardKey&, const ShardKey&) = default;
};

class FingerprintBudget {
 public:
  explicit FingerprintBudget(std::uint64_t budget_bytes) : budget_(budget_bytes) {}

  // `key` now holds `bytes` of fingerprints (replacing what it held) and is the most recently
  // used. Returns the shards whose fingerprints the caller must drop to stay within the budget.
  std::vector<ShardKey> admit(ShardKey key, std::uint64_t bytes);
  // `key` was used (no-op if it holds no fingerprints).
  void touch(ShardKey key);

  std::uint64_t budget() const { return budget_; }
  std::uint64_t held_bytes() const;
  std::uint64_t dropped_shards() const;

 private:
  struct Entry {
    ShardKey key;
    std::uint64_t bytes;
  };
  struct KeyHash {
    std::size_t operator()(const ShardKey& key) const noexcept {
      return static_cast<std::size_t>((std::uint64_t{key.file} << 32 | key.shard) *
                                      0x9E3779B97F4A7C15ULL);
    }
  };

  const std::uint64_t budget_;
  // Guards everything below; held for list/map updates only and never while another lock is
  // held or taken.
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<ShardKey, std::list<Entry>::iterator, KeyHash> index_;
  std::uint64_t held_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace sigmount::fs
