#include "notify/zoned_time_text.h"

#include <gtest/gtest.h>

namespace th::notify {
namespace {

constexpr UnixMicros kMarch9 = 1'773'064'800'000'000;  // 2026-03-09T14:00:00Z, after DST began
constexpr UnixMicros kMarch6 = 1'772'805'600'000'000;  // 2026-03-06T14:00:00Z, before

TEST(ZonedTimeTextTest, WritesTheLocalTimeWithTheOffsetInForce) {
  EXPECT_EQ(*format_in_zone(kMarch9, "America/New_York", "%-I:%M %p %Z"), "10:00 AM EDT");
  EXPECT_EQ(*format_in_zone(kMarch6, "America/New_York", "%-I:%M %p %Z"), "9:00 AM EST");
  EXPECT_EQ(*format_in_zone(kMarch9, "UTC", "%A, %B %-d, %Y"), "Monday, March 9, 2026");
}

TEST(ZonedTimeTextTest, UnknownOrUnsafeZonesAreRefused) {
  EXPECT_FALSE(format_in_zone(kMarch9, "Nowhere/City", "%H").ok());
  EXPECT_FALSE(is_known_time_zone("../../etc/passwd"));
  EXPECT_FALSE(is_known_time_zone("/etc/localtime"));
  EXPECT_TRUE(is_known_time_zone("Europe/Paris"));
}

}  // namespace
}  // namespace th::notify
