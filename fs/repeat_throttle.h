// Keeps a failing read that a loader retries in a loop from writing a log line per attempt.
//
// The first line of a kind (say: block mismatches in shard 3 of file F) is written at once, so
// tampering is reported as soon as it is seen. Lines of the same kind within `interval` of the
// last one written are only counted, and the next line written for that kind says how many it
// stands for. The daemon's counters (status) still count every event.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sigmount::fs {

class RepeatThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  // A zero interval writes every line.
  explicit RepeatThrottle(Clock::duration interval) : interval_(interval) {}

  // nullopt: leave this line out. Otherwise write it, noting the number of lines of this kind
  // left out since the last one written. Thread-safe.
  std::optional<std::uint64_t> admit(const std::string& kind, Clock::time_point now);

 private:
  struct Kind {
    Clock::time_point last_written;
    std::uint64_t left_out = 0;
  };
  const Clock::duration interval_;
  // Guards kinds_. Its size is bounded by the kinds a manifest can fail: a few per shard.
  std::mutex mutex_;
  std::unordered_map<std::string, Kind> kinds_;
};

}  // namespace sigmount::fs
