// A failing read retried in a loop logs one line per interval, and every line held back is
// accounted for by a line written.
#include "fs/repeat_throttle.h"

#include <gtest/gtest.h>

namespace sigmount::fs {
namespace {

using namespace std::chrono_literals;
using Clock = RepeatThrottle::Clock;

TEST(RepeatThrottle, TheFirstLineOfAKindIsWrittenRepeatsWithinTheIntervalAreHeldBack) {
  RepeatThrottle throttle(10s);
  const Clock::time_point t0{};
  EXPECT_EQ(throttle.admit("mismatch a", t0, "a1"), 0u);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 1s, "a2"), std::nullopt);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 9s, "a3"), std::nullopt);
  EXPECT_EQ(throttle.admit("mismatch b", t0 + 9s, "b1"), 0u) << "another kind is not held back";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 10s, "a4"), 2u) << "stands for the two held back";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 11s, "a5"), std::nullopt)
      << "the interval starts again at the line written";
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 25s, "a6"), 1u);
  EXPECT_EQ(throttle.admit("mismatch a", t0 + 40s, "a7"), 0u);
}

TEST(RepeatThrottle, DrainHandsOutTheLatestHeldLineOfEachKindWithItsCount) {
  RepeatThrottle throttle(10s);
  const Clock::time_point t0{};
  EXPECT_TRUE(throttle.drain(t0).empty());
  ASSERT_EQ(throttle.admit("a", t0, "a1"), 0u);
  ASSERT_EQ(throttle.admit("b", t0, "b1"), 0u);
  EXPECT_TRUE(throttle.drain(t0 + 1s).empty()) << "nothing held back yet";
  for (const char* line : {"a2", "a3", "a4"})
    ASSERT_EQ(throttle.admit("a", t0 + 2s, line), std::nullopt);
  const auto held = throttle.drain(t0 + 3s);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].latest_line, "a4");
  EXPECT_EQ(held[0].count, 3u);
  EXPECT_TRUE(throttle.drain(t0 + 4s).empty()) << "drained lines are not handed out twice";
  // A drain counts as a line written: the interval starts again there.
  EXPECT_EQ(throttle.admit("a", t0 + 5s, "a5"), std::nullopt);
  EXPECT_EQ(throttle.admit("a", t0 + 14s, "a6"), 1u);
}

TEST(RepeatThrottle, AZeroIntervalWritesEveryLine) {
  RepeatThrottle throttle(Clock::duration::zero());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(throttle.admit("read_error 0", Clock::time_point{}, "x"), 0u);
  EXPECT_TRUE(throttle.drain(Clock::time_point{}).empty());
}

}  // namespace
}  // namespace sigmount::fs
