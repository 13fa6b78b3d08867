#include "fs/block_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace sigmount::fs {
namespace {

std::uint8_t* map_anonymous(std::size_t size) {
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  return static_cast<std::uint8_t*>(memory);
}

}  // namespace

BlockBuffer::BlockBuffer(std::shared_ptr<BlockPool> pool, std::size_t size)
    : pool_(std::move(pool)), size_(size) {
  if (size_ == 0) return;
  if (size_ <= BlockPool::kSlotSize) data_ = pool_->take();
  if (data_ == nullptr) {
    // The pool is exhausted (more reads in flight than it was sized for): a mapping of our own
    // keeps the read going; it is returned to the kernel when this buffer goes.
    pool_->count_overflow();
    data_ = map_anonymous(size_);
    own_mapping_ = true;
  }
}

BlockBuffer::~BlockBuffer() {
  if (data_ == nullptr) return;
  if (own_mapping_) {
    ::munmap(data_, size_);
  } else {
    pool_->give_back(data_);
  }
}

BlockPool::BlockPool(std::size_t slots) : slots_(slots) {
  // Slot indexes are 32-bit (the free list) and the mapping's size must not overflow.
  if (slots_ > std::numeric_limits<std::uint32_t>::max() ||
      slots_ > std::numeric_limits<std::size_t>::max() / kSlotSize) {
    throw std::length_error("BlockPool: too many slots");
  }
  if (slots_ > 0) {
    // Backed by transparent huge pages where the kernel allows them (THP "madvise" mode, the
    // Debian default, needs the advice): a first touch then faults in 2 MiB, not 4 KiB. On a
    // VM every fault is an exit to the host, and faulting in a 192 MiB cache page by page cost
    // more than hashing the bytes that filled it. Slots are handed out from the front, so the
    // resident size still follows the slots in use (to within one huge page). Aligned so that
    // every huge page of the range can be one.
    mapping_size_ = slots_ * kSlotSize + kHugePageSize;
    mapping_ = map_anonymous(mapping_size_);
    const auto address = reinterpret_cast<std::uintptr_t>(mapping_);
    base_ = mapping_ + ((kHugePageSize - address % kHugePageSize) % kHugePageSize);
    // Advice only: where THP is off, the pool works as before.
    ::madvise(base_, slots_ * kSlotSize, MADV_HUGEPAGE);
  }
  free_.reserve(slots_);
}

BlockPool::~BlockPool() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

std::uint8_t* BlockPool::take() {
  std::lock_guard lock(mutex_);
  std::size_t index = 0;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else if (never_used_ < slots_) {
    index = never_used_++;
  } else {
    return nullptr;
  }
  high_water_ = std::max(high_water_, ++in_use_);
  return base_ + index * kSlotSize;
}

void BlockPool::give_back(std::uint8_t* slot) {
  const auto index = static_cast<std::uint32_t>((slot - base_) / kSlotSize);
  std::lock_guard lock(mutex_);
  free_.push_back(index);
  --in_use_;
}

void BlockPool::count_overflow() {
  std::lock_guard lock(mutex_);
  ++overflows_;
}

std::size_t BlockPool::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

std::size_t BlockPool::high_water() const {
  std::lock_guard lock(mutex_);
  return high_water_;
}

std::uint64_t BlockPool::overflows() const {
  std::lock_guard lock(mutex_);
  return overflows_;
}

}  // namespace sigmount::fs
