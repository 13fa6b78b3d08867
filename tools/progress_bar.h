// A hashing progress bar on stderr, for big models only: shown when stderr is a terminal and
// the model is larger than kThresholdBytes; otherwise every call is a no-op.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace sigmount::tools {

class ProgressBar {
 public:
  static constexpr std::uint64_t kThresholdBytes = 300ULL << 20;

  ProgressBar(std::string label, std::uint64_t total_bytes);
  ~ProgressBar();  // clears the bar's line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool enabled() const { return enabled_; }
  // Thread-safe; redraws at most a few times per second.
  void add(std::uint64_t bytes);
  // A callback for HashingKnobs::progress, or an empty function when disabled.
  std::function<void(std::uint64_t)> callback();

 private:
  void draw(std::uint64_t done);

  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex draw_mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace sigmount::tools
