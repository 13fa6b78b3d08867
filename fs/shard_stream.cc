#include "fs/shard_stream.h"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

namespace sigmount::fs {
namespace {

// A block read ahead, or the errno that ended reading.
struct ReadAhead {
  std::optional<TaggedBlock> block;
  int error = 0;
};

// The bounded FIFO between the reader thread and the consumer. `mutex_` guards `items_` and
// `closed_`; it is held only to move an item in or out, never while reading or hashing.
class ReadAheadQueue {
 public:
  explicit ReadAheadQueue(std::size_t capacity) : capacity_(capacity) {}

  // Waits for room; false once the consumer has gone (the reader should stop).
  bool push(ReadAhead item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  ReadAhead pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    ReadAhead item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // The consumer stops taking items; a reader waiting for room wakes up and stops.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    items_.clear();
    not_full_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<ReadAhead> items_;
  bool closed_ = false;
};

ReadAhead read_and_tag(const std::shared_ptr<BlockPool>& pool, std::uint64_t length,
                       std::uint64_t index, const ReadShardBytes& read) {
  ReadAhead out;
  try {
    auto buffer = std::make_shared<BlockBuffer>(pool, block_length(length, index));
    out.error = read(index * kBlockSize, buffer->writable());
    if (out.error == 0) out.block.emplace(std::move(buffer));
  } catch (const std::bad_alloc&) {
    out.error = ENOMEM;
  } catch (const std::exception&) {
    // `read` reports errors as errno values; anything else thrown on the reader thread must not
    // reach std::terminate.
    out.error = EIO;
  }
  return out;
}

}  // namespace

int stream_shard_blocks(const std::shared_ptr<BlockPool>& pool, std::uint64_t length,
                        const ReadShardBytes& read, const ConsumeBlock& consume,
                        const ShardStreamOptions& options) {
  const std::uint64_t blocks = block_count(length);
  if (blocks < options.min_blocks_for_reader_thread) {
    for (std::uint64_t index = 0; index < blocks; ++index) {
      ReadAhead item = read_and_tag(pool, length, index, read);
      if (!item.block) return item.error;
      consume(index, std::move(*item.block));
    }
    return 0;
  }

  ReadAheadQueue queue(options.depth);
  const std::jthread reader([&] {
    for (std::uint64_t index = 0; index < blocks; ++index) {
      ReadAhead item = read_and_tag(pool, length, index, read);
      const bool failed = !item.block;
      if (!queue.push(std::move(item)) || failed) return;
    }
  });
  // Declared after `reader`, so it runs first on every way out: a reader blocked on a full queue
  // is released before the jthread joins it.
  struct CloseOnExit {
    ReadAheadQueue& queue;
    ~CloseOnExit() { queue.close(); }
  } close_on_exit{queue};

  for (std::uint64_t index = 0; index < blocks; ++index) {
    ReadAhead item = queue.pop();
    if (!item.block) return item.error;
    consume(index, std::move(*item.block));
  }
  return 0;
}

}  // namespace sigmount::fs
