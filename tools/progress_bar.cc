#include "tools/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace sigmount::tools {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)) {}

ProgressBar::~ProgressBar() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::attach(verifier::HashingKnobs& knobs) {
  knobs.on_start = [this](std::uint64_t total_bytes) { start(total_bytes); };
  knobs.progress = [this](std::uint64_t bytes) { add(bytes); };
}

void ProgressBar::start(std::uint64_t total_bytes) {
  total_ = total_bytes;
  enabled_ = total_bytes > kThresholdBytes && isatty(STDERR_FILENO) == 1;
  start_ = std::chrono::steady_clock::now();
  last_draw_ = start_;
}

void ProgressBar::add(std::uint64_t bytes) {
  if (!enabled_) return;
  const std::uint64_t done = done_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  // Whoever holds the lock draws; the other workers go straight back to hashing.
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval && done < total_) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::draw(std::uint64_t done) {
  constexpr int kWidth = 30;
  const double fraction = total_ == 0 ? 1.0 : std::min(1.0, double(done) / double(total_));
  const int filled = static_cast<int>(fraction * kWidth);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double mib_per_s = seconds > 0 ? double(done) / (1 << 20) / seconds : 0;
  std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  %.0f MiB/s\033[K", label_.c_str(), filled,
               "##############################", kWidth - filled, "",
               static_cast<int>(fraction * 100), mib_per_s);
  std::fflush(stderr);
}

}  // namespace sigmount::tools
