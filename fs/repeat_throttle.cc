#include "fs/repeat_throttle.h"

namespace sigmount::fs {

std::optional<std::uint64_t> RepeatThrottle::admit(const std::string& kind, Clock::time_point now,
                                                   const std::string& line) {
  if (interval_ <= Clock::duration::zero()) return 0;
  std::lock_guard lock(mutex_);
  const auto [it, first] = kinds_.try_emplace(kind, Kind{now, {}});
  if (first) return 0;
  Kind& seen = it->second;
  if (now - seen.last_written < interval_) {
    seen.held.latest_line = line;
    ++seen.held.count;
    return std::nullopt;
  }
  const std::uint64_t held_back = seen.held.count;
  seen = Kind{now, {}};
  return held_back;
}

std::vector<RepeatThrottle::Held> RepeatThrottle::drain(Clock::time_point now) {
  std::vector<Held> out;
  std::lock_guard lock(mutex_);
  for (auto& [kind, seen] : kinds_) {
    if (seen.held.count == 0) continue;
    out.push_back(std::move(seen.held));
    seen = Kind{now, {}};
  }
  return out;
}

}  // namespace sigmount::fs
