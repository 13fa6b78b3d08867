// Memory for 64 KiB blocks, recycled instead of returned to the kernel.
//
// Every block the core reads (on first touch of a shard and on every re-check) needs a buffer
// that lives as long as some VerifiedBytes point into it. Mapping and unmapping one per block
// cost more than hashing it: page faults, zeroing, and a TLB shootdown across the FUSE threads
// at every munmap. malloc is no better here: glibc's per-thread arenas kept freed blocks and the
// daemon's RSS settled at twice the cache size. So the pool reserves one mapping of `slots`
// blocks, touches a slot only when it is first used, and hands slots back out most recently
// freed first (their pages are already resident). RSS is bounded by the slots ever in use at
// once: the cache plus the blocks of reads in flight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace sigmount::fs {

class BlockPool;

// A block's memory: written once by a read, then hashed, then only read. Goes back to its pool
// (or, if it had to be mapped on its own, to the kernel) when the last reference drops.
class BlockBuffer {
 public:
  BlockBuffer(std::shared_ptr<BlockPool> pool, std::size_t size);
  ~BlockBuffer();
  BlockBuffer(const BlockBuffer&) = delete;
  BlockBuffer& operator=(const BlockBuffer&) = delete;

  std::span<std::uint8_t> writable() { return {data_, size_}; }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }

 private:
  std::shared_ptr<BlockPool> pool_;
  std::uint8_t* data_ = nullptr;  // a slot of pool_ or its own mapping; owned via pool_
  std::size_t size_ = 0;
  bool own_mapping_ = false;
};

class BlockPool {
 public:
  static constexpr std::size_t kSlotSize = std::size_t{64} << 10;

  // Reserves address space for `slots` blocks; no memory is used until slots are handed out.
  explicit BlockPool(std::size_t slots);
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  std::size_t slots() const { return slots_; }
  // Slots handed out right now, and the most ever handed out at once (the pool's resident size
  // is at most high_water() * kSlotSize).
  std::size_t in_use() const;
  std::size_t high_water() const;
  // Blocks that found the pool empty and were mapped on their own.
  std::uint64_t overflows() const;

 private:
  friend class BlockBuffer;
  // nullptr when every slot is in use.
  std::uint8_t* take();
  void give_back(std::uint8_t* slot);
  void count_overflow();

  static constexpr std::size_t kHugePageSize = std::size_t{2} << 20;

  const std::size_t slots_;
  std::uint8_t* mapping_ = nullptr;  // the reserved mapping, unmapped by the destructor
  std::size_t mapping_size_ = 0;
  std::uint8_t* base_ = nullptr;  // slot 0: mapping_ rounded up to a huge page
  // Guards the fields below; held for a push or pop only.
  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;  // slot indexes; back() is the most recently freed
  std::size_t never_used_ = 0;       // slots [never_used_, slots_) were never handed out
  std::size_t in_use_ = 0;
  std::size_t high_water_ = 0;
  std::uint64_t overflows_ = 0;
};

}  // namespace sigmount::fs
