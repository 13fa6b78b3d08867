#include "fs/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace sigmount::fs {
namespace {

TEST(WorkerPool, RunsEveryJobExactlyOnceAndWaitsForAll) {
  for (unsigned helpers : {0U, 1U, 3U}) {
    WorkerPool pool(helpers);
    for (std::size_t count : {0U, 1U, 2U, 17U, 1000U}) {
      std::vector<std::atomic<int>> runs(count);
      pool.for_each(count, [&](std::size_t i) { ++runs[i]; });
      for (std::size_t i = 0; i < count; ++i) {
        ASSERT_EQ(runs[i].load(), 1) << "helpers " << helpers << " count " << count << " job " << i;
      }
    }
  }
}

TEST(WorkerPool, UsesHelperThreads) {
  WorkerPool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> waiting{0};
  // Each of three jobs waits until all three run at once: only possible with two helpers.
  pool.for_each(3, [&](std::size_t) {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    ++waiting;
    while (waiting.load() < 3) std::this_thread::yield();
  });
  EXPECT_EQ(threads.size(), 3u);
}

TEST(WorkerPool, ManyCallersShareTheHelpers) {
  WorkerPool pool(1);
  std::atomic<long> total{0};
  std::vector<std::jthread> callers;
  callers.reserve(8);
  for (int c = 0; c < 8; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        pool.for_each(16, [&](std::size_t i) { total += static_cast<long>(i); });
      }
    });
  }
  callers.clear();
  EXPECT_EQ(total.load(), 8L * 50 * (15 * 16 / 2));
}

}  // namespace
}  // namespace sigmount::fs
