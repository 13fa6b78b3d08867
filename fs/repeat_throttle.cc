#include "fs/repeat_throttle.h"

namespace sigmount::fs {

std::optional<std::uint64_t> RepeatThrottle::admit(const std::string& kind, Clock::time_point now) {
  if (interval_ <= Clock::duration::zero()) return 0;
  std::lock_guard lock(mutex_);
  const auto [it, first] = kinds_.try_emplace(kind, Kind{now, 0});
  if (first) return 0;
  Kind& seen = it->second;
  if (now - seen.last_written < interval_) {
    ++seen.left_out;
    return std::nullopt;
  }
  const std::uint64_t left_out = seen.left_out;
  seen = Kind{now, 0};
  return left_out;
}

}  // namespace sigmount::fs
