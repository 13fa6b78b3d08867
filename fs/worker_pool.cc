#include "fs/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <system_error>

namespace sigmount::fs {

// Shared by the caller and the helpers that picked it up; a helper that arrives after the last
// job was claimed touches only this object, never `job`'s captures.
struct WorkerPool::Batch {
  Batch(std::size_t count, const std::function<void(std::size_t)>& job) : count(count), job(job) {}
  const std::size_t count;
  const std::function<void(std::size_t)>& job;  // lives on the caller's stack until all ran
  std::atomic<std::size_t> next{0};
  // Guards `finished`; the caller waits on `all_done` until finished == count.
  std::mutex mutex;
  std::condition_variable all_done;
  std::size_t finished = 0;

  // Runs jobs until none are left to claim.
  void work() {
    while (true) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      job(index);
      std::lock_guard lock(mutex);
      if (++finished == count) all_done.notify_all();
    }
  }
};

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  helpers_.clear();  // joins
}

void WorkerPool::help() {
  while (true) {
    std::shared_ptr<Batch> batch;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    batch->work();
  }
}

void WorkerPool::for_each(std::size_t count, const std::function<void(std::size_t)>& job) {
  if (count == 0) return;
  if (count > 1) {
    std::call_once(started_, [&] {
      try {
        for (unsigned i = 0; i < helper_count_; ++i) helpers_.emplace_back([this] { help(); });
      } catch (const std::system_error&) {
        // Out of threads (pids.max, say): work with the helpers there are, or none.
      }
      started_helpers_ = helpers_.size();
    });
  }
  auto batch = std::make_shared<Batch>(count, job);
  const std::size_t wanted = count > 1 ? std::min<std::size_t>(count - 1, started_helpers_) : 0;
  if (wanted > 0) {
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < wanted; ++i) queue_.push_back(batch);
    }
    if (wanted == 1) {
      work_ready_.notify_one();
    } else {
      work_ready_.notify_all();
    }
  }
  batch->work();
  std::unique_lock lock(batch->mutex);
  batch->all_done.wait(lock, [&] { return batch->finished == batch->count; });
}

}  // namespace sigmount::fs
