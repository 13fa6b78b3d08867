#include "fs/fingerprint_budget.h"

#include <gtest/gtest.h>

namespace sigmount::fs {
namespace {

bool contains(const std::vector<ShardKey>& keys, ShardKey key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

TEST(FingerprintBudget, DropsTheLeastRecentlyUsedShardsBeyondTheBudget) {
  FingerprintBudget budget(100);
  EXPECT_TRUE(budget.admit({0, 0}, 40).empty());
  EXPECT_TRUE(budget.admit({0, 1}, 40).empty());
  budget.touch({0, 0});  // {0,1} is now the oldest
  const auto victims = budget.admit({1, 0}, 40);
  ASSERT_EQ(victims.size(), 1u);
  EXPECT_EQ(victims[0], (ShardKey{0, 1}));
  EXPECT_EQ(budget.held_bytes(), 80u);
  EXPECT_EQ(budget.dropped_shards(), 1u);
  budget.touch({0, 1});  // gone: a no-op
  EXPECT_EQ(budget.held_bytes(), 80u);
}

TEST(FingerprintBudget, TheShardJustAdmittedIsNeverItsOwnVictim) {
  FingerprintBudget budget(100);
  EXPECT_TRUE(budget.admit({0, 0}, 30).empty());
  const auto victims = budget.admit({0, 1}, 500);  // larger than the whole budget
  EXPECT_EQ(victims, (std::vector<ShardKey>{{0, 0}}));
  EXPECT_EQ(budget.held_bytes(), 500u) << "kept and reported, over budget";
}

TEST(FingerprintBudget, ReadmittingAShardReplacesItsSize) {
  FingerprintBudget budget(100);
  EXPECT_TRUE(budget.admit({2, 3}, 60).empty());
  EXPECT_TRUE(budget.admit({2, 3}, 70).empty());
  EXPECT_EQ(budget.held_bytes(), 70u);
  const auto victims = budget.admit({4, 0}, 40);
  EXPECT_TRUE(contains(victims, {2, 3}));
  EXPECT_EQ(budget.held_bytes(), 40u);
}

}  // namespace
}  // namespace sigmount::fs
