// A few long-lived threads that help a caller finish a batch of independent jobs.
//
// Re-checking the blocks of one large read (a 1 MiB FUSE request is 16 blocks) is one job per
// block; spreading them over the cores makes a sequential reader of a model bigger than the
// cache go as fast as the machine can hash, instead of one core's worth. The caller always
// works on its own batch too, so a batch finishes even when every helper is busy elsewhere.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sigmount::fs {

class WorkerPool {
 public:
  // Up to `helpers` threads (0: none; for_each runs everything on the caller). They start on
  // the first for_each, not here: the mount daemon builds its core before it forks, and threads
  // do not survive fork().
  explicit WorkerPool(unsigned helpers) : helper_count_(helpers) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Calls job(0) ... job(count - 1), each exactly once, on the caller and idle helpers; returns
  // when all have returned. Jobs must not throw.
  void for_each(std::size_t count, const std::function<void(std::size_t)>& job);

 private:
  struct Batch;
  void help();

  // Guards queue_ and stopping_; held only to push or pop, never while a job runs.
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::shared_ptr<Batch>> queue_;
  bool stopping_ = false;
  const unsigned helper_count_;
  std::once_flag started_;
  // Written once, under started_, and read only after call_once(started_) returned.
  std::vector<std::jthread> helpers_;
  std::size_t started_helpers_ = 0;
};

}  // namespace sigmount::fs
