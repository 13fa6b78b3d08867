// A hashing progress bar on stderr, for big models only: shown when stderr is a terminal and
// the model is larger than kThresholdBytes; otherwise every call is a no-op.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "verifier/model/serialize.h"

namespace sigmount::tools {

class ProgressBar {
 public:
  static constexpr std::uint64_t kThresholdBytes = 300ULL << 20;
  // The bar redraws at most this often (calls in between only count).
  static constexpr std::chrono::milliseconds kRedrawInterval{200};

  explicit ProgressBar(std::string label);
  ~ProgressBar();  // clears the bar's line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Hooks the bar to a hashing run: the library starts it with the total it is about to hash
  // (HashingKnobs::on_start) and advances it from its workers (HashingKnobs::progress). The
  // bar must outlive the run.
  void attach(verifier::HashingKnobs& knobs);

  // Decides whether to show the bar; call once, before any add() (the library calls it before
  // its workers exist, so they all see the decision).
  void start(std::uint64_t total_bytes);
  bool enabled() const { return enabled_; }
  // Thread-safe; redraws at most a few times per second.
  void add(std::uint64_t bytes);

 private:
  void draw(std::uint64_t done);

  std::string label_;
  std::uint64_t total_ = 0;
  bool enabled_ = false;
  std::atomic<std::uint64_t> done_{0};
  std::mutex draw_mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace sigmount::tools
