// A failing read retried in a loop logs one line per interval, and that line says how many it
// stands for.
#include "fs/repeat_throttle.h"

#include <gtest/gtest.h>

namespace sigmount::fs {
namespace {

using namespace std::chrono_literals;
using Clock = RepeatThrottle::Clock;

TEST(RepeatThrottle, TheFirstLineOfAKindIsWrittenRepeatsWithinTheIntervalAreCounted) {
  RepeatThrottle throttle(10s);
  const Clock::time_point t0{};
  EXPECT_EQ(throttle.admit("mismatch a", t0), 0u);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 1s), std::nullopt);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 9s), std::nullopt);
  EXPECT_EQ(throttle.admit("mismatch b", t0 + 9s), 0u) << "another kind is not held back";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 10s), 2u) << "stands for the two left out";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 11s), std::nullopt)
      << "the interval starts again at the line written";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 25s), 1u);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 40s), 0u);
}

TEST(RepeatThrottle, AZeroIntervalWritesEveryLine) {
  RepeatThrottle throttle(Clock::duration::zero());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.admit("read_error 0", Clock::time_point{}), 0u);
}

}  // namespace
}  // namespace sigmount::fs
