// Keeps a failing read that a loader retries in a loop from writing a log line per attempt,
// without losing any: every line left out is accounted for in a line that is written.
//
// The first line of a kind (say: block mismatches in shard 3 of file F) is written at once, so
// tampering is reported as soon as it is seen. Lines of the same kind within `interval` of the
// last one written are held back: only the latest is kept, with a count. The next line of that
// kind after the interval is written with the count of those held back; so are the held lines
// that drain() hands out (the daemon drains on a timer and at unmount). The daemon's counters
// (status) count every event regardless.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sigmount::fs {

class RepeatThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  // A zero interval writes every line.
  explicit RepeatThrottle(Clock::duration interval) : interval_(interval) {}

  // nullopt: `line` is held back (and kept, if it is the latest of its kind). Otherwise write
  // it, noting the number of lines of this kind held back since the last one written.
  // Thread-safe.
  std::optional<std::uint64_t> admit(const std::string& kind, Clock::time_point now,
                                     const std::string& line);

  struct Held {
    std::string latest_line;  // the last line held back
    std::uint64_t count = 0;  // lines held back, the latest included
  };
  // The lines held back since the last line of their kind was written, one per kind, which
  // then count as written at `now`. Thread-safe.
  std::vector<Held> drain(Clock::time_point now);

 private:
  struct Kind {
    Clock::time_point last_written;
    Held held;
  };
  const Clock::duration interval_;
  // Guards kinds_. Its size is bounded by the kinds a manifest can fail: a few per shard.
  std::mutex mutex_;
  std::unordered_map<std::string, Kind> kinds_;
};

}  // namespace sigmount::fs
