#include "fs/shard_stream.h"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <vector>

namespace sigmount::fs {
namespace {

// Blocks read ahead, in order, and the errno that ended reading after them (0 if none). The
// reader hands blocks over in batches: one wake-up per batch, not per 64 KiB.
struct ReadAhead {
  std::vector<TaggedBlock> blocks;
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
    not_empty_.wait(lock, [&] { return !items_.empty() || broken_ != 0; });
    if (items_.empty()) return ReadAhead{.blocks = {}, .error = broken_};
    ReadAhead item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // The reader cannot go on (it could not even queue an error): pop() returns `error` once the
  // queued batches are taken.
  void break_with(int error) {
    std::lock_guard lock(mutex_);
    broken_ = error;
    not_empty_.notify_all();
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
  int broken_ = 0;
};

// Reads and tags blocks [first, last) of the shard, stopping at the first error.
ReadAhead read_and_tag(const std::shared_ptr<BlockPool>& pool, const hashing::BlockMac& mac,
                       std::uint64_t length, std::uint64_t first, std::uint64_t last,
                       const ReadShardBytes& read) {
  ReadAhead out;
  out.blocks.reserve(last - first);
  try {
    for (std::uint64_t index = first; index < last; ++index) {
      auto buffer = std::make_shared<BlockBuffer>(pool, block_length(length, index));
      out.error = read(index * kBlockSize, buffer->writable());
      if (out.error != 0) break;
      out.blocks.emplace_back(std::move(buffer), mac);
    }
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

int stream_shard_blocks(const std::shared_ptr<BlockPool>& pool, const hashing::BlockMac& mac,
                        std::uint64_t length, const ReadShardBytes& read,
                        const ConsumeBlock& consume, const ShardStreamOptions& options) {
  const std::uint64_t blocks = block_count(length);
  // Hands over a batch in order; returns the errno that ended it.
  const auto consume_batch = [&](std::uint64_t first, const ReadAhead& batch) {
    for (std::size_t i = 0; i < batch.blocks.size(); ++i) consume(first + i, batch.blocks[i]);
    return batch.error;
  };
  const std::uint64_t batch_blocks = std::max<std::size_t>(1, options.batch);
  if (blocks < options.min_blocks_for_reader_thread) {
    const ReadAhead all = read_and_tag(pool, mac, length, 0, blocks, read);
    return consume_batch(0, all);
  }

  ReadAheadQueue queue(std::max<std::size_t>(2, options.depth / batch_blocks));
  const std::jthread reader([&] {
    try {
      for (std::uint64_t first = 0; first < blocks; first += batch_blocks) {
        ReadAhead batch =
            read_and_tag(pool, mac, length, first, std::min(blocks, first + batch_blocks), read);
        const bool failed = batch.error != 0;
        if (!queue.push(std::move(batch)) || failed) break;
      }
      if (options.reader_thread_done) options.reader_thread_done();
    } catch (const std::bad_alloc&) {
      queue.break_with(ENOMEM);  // nothing may escape a thread: that is std::terminate
    } catch (...) {
      queue.break_with(EIO);
    }
  });
  // Declared after `reader`, so it runs first on every way out: a reader blocked on a full queue
  // is released before the jthread joins it.
  struct CloseOnExit {
    ReadAheadQueue& queue;
    ~CloseOnExit() { queue.close(); }
  } close_on_exit{queue};

  for (std::uint64_t first = 0; first < blocks; first += batch_blocks) {
    const ReadAhead batch = queue.pop();
    if (const int error = consume_batch(first, batch)) return error;
  }
  return 0;
}

}  // namespace sigmount::fs
