#include "notify/retry_policy.h"

#include <gtest/gtest.h>

namespace th::notify {
namespace {

TEST(RetryPolicyTest, DelayDoublesFromTheFirstWait) {
  const RetryPolicy policy{8, 60, 3600};

  EXPECT_EQ(policy.delay_seconds(1), 60);
  EXPECT_EQ(policy.delay_seconds(2), 120);
  EXPECT_EQ(policy.delay_seconds(3), 240);
}

TEST(RetryPolicyTest, DelayStopsAtTheCeilingWithoutOverflow) {
  const RetryPolicy policy{100, 60, 3600};

  EXPECT_EQ(policy.delay_seconds(7), 3600);
  EXPECT_EQ(policy.delay_seconds(100), 3600);
}

TEST(RetryPolicyTest, ExhaustedAfterMaxAttempts) {
  const RetryPolicy policy{3, 1, 10};

  EXPECT_FALSE(policy.exhausted(2));
  EXPECT_TRUE(policy.exhausted(3));
}

}  // namespace
}  // namespace th::notify
