#include "util/clock.h"

#include <gtest/gtest.h>

namespace th {
namespace {

TEST(ClockTest, FormatsMicrosecondsAsRfc3339Utc) {
  EXPECT_EQ(format_rfc3339_micros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339_micros(1'796'331'837'123'456), "2026-12-03T21:03:57.123456Z");
}

TEST(ClockTest, FormatsInstantsBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339_micros(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(ClockTest, ManualClockAdvancesOnlyWhenTold) {
  ManualClock clock(1'000'000);

  clock.advance_seconds(90);

  EXPECT_EQ(clock.now_seconds(), 91);
}

}  // namespace
}  // namespace th
