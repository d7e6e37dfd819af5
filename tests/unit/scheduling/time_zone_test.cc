// TimeZone against the system's tz database: wall times to instants and
// back, across the daylight-saving changes of 2026 in New York (spring
// forward Sunday 8 March, fall back Sunday 1 November) and Sydney, and the
// RFC 3339 text the API speaks.

#include "scheduling/time_zone.h"

#include <gtest/gtest.h>

namespace th::scheduling {
namespace {

LocalDate date(int year, int month, int day) {
  return LocalDate{year, month, day};
}

UnixMicros utc(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : 0;
}

TimeZone zone(std::string_view name) {
  auto loaded = TimeZone::load(name);
  EXPECT_TRUE(loaded.ok()) << name;
  return loaded.ok() ? *loaded : TimeZone::utc();
}

TEST(TimeZoneTest, NineOClockMovesOneHourInUtcAcrossSpringForward) {
  const TimeZone new_york = zone("America/New_York");

  EXPECT_EQ(new_york.to_utc(date(2026, 3, 7), 9 * 60), utc("2026-03-07T14:00:00Z"));
  EXPECT_EQ(new_york.to_utc(date(2026, 3, 8), 9 * 60), utc("2026-03-08T13:00:00Z"));
  EXPECT_EQ(new_york.to_utc(date(2026, 3, 9), 9 * 60), utc("2026-03-09T13:00:00Z"));
}

TEST(TimeZoneTest, NineOClockMovesBackAcrossFallBack) {
  const TimeZone new_york = zone("America/New_York");

  EXPECT_EQ(new_york.to_utc(date(2026, 10, 31), 9 * 60), utc("2026-10-31T13:00:00Z"));
  EXPECT_EQ(new_york.to_utc(date(2026, 11, 1), 9 * 60), utc("2026-11-01T14:00:00Z"));
  EXPECT_EQ(new_york.to_utc(date(2026, 11, 2), 9 * 60), utc("2026-11-02T14:00:00Z"));
}

TEST(TimeZoneTest, SkippedWallTimeMeansTheMomentTheClocksJump) {
  const TimeZone new_york = zone("America/New_York");

  // 02:30 does not exist on 8 March 2026 in New York; 03:00 EDT is 07:00Z.
  EXPECT_EQ(new_york.to_utc(date(2026, 3, 8), 2 * 60 + 30), utc("2026-03-08T07:00:00Z"));
  EXPECT_EQ(new_york.to_utc(date(2026, 3, 8), 3 * 60), utc("2026-03-08T07:00:00Z"));
}

TEST(TimeZoneTest, RepeatedWallTimeMeansItsFirstOccurrence) {
  const TimeZone new_york = zone("America/New_York");

  // 01:30 happens twice on 1 November 2026: first in EDT (05:30Z), then EST.
  EXPECT_EQ(new_york.to_utc(date(2026, 11, 1), 90), utc("2026-11-01T05:30:00Z"));
}

TEST(TimeZoneTest, SouthernHemisphereFallsBackInApril) {
  const TimeZone sydney = zone("Australia/Sydney");

  EXPECT_EQ(sydney.to_utc(date(2026, 4, 4), 9 * 60), utc("2026-04-03T22:00:00Z"));
  EXPECT_EQ(sydney.to_utc(date(2026, 4, 6), 9 * 60), utc("2026-04-05T23:00:00Z"));
}

TEST(TimeZoneTest, MidnightAtTheEndOfADayIsTheNextDaysStart) {
  const TimeZone new_york = zone("America/New_York");

  EXPECT_EQ(new_york.to_utc(date(2026, 3, 7), 1440), new_york.to_utc(date(2026, 3, 8), 0));
}

TEST(TimeZoneTest, LocalReadingCarriesTheOffsetInForce) {
  const TimeZone new_york = zone("America/New_York");

  const LocalTime winter = new_york.to_local(utc("2026-01-15T14:00:00Z"));
  const LocalTime summer = new_york.to_local(utc("2026-07-15T13:00:00Z"));

  EXPECT_EQ(winter.date, date(2026, 1, 15));
  EXPECT_EQ(winter.minute_of_day, 9 * 60);
  EXPECT_EQ(winter.utc_offset_seconds, -5 * 3600);
  EXPECT_EQ(summer.minute_of_day, 9 * 60);
  EXPECT_EQ(summer.utc_offset_seconds, -4 * 3600);
}

TEST(TimeZoneTest, FormatsWithTheViewersOffset) {
  const UnixMicros instant = utc("2026-03-09T13:00:00Z");

  EXPECT_EQ(zone("America/New_York").format_rfc3339(instant), "2026-03-09T09:00:00-04:00");
  EXPECT_EQ(zone("Asia/Kolkata").format_rfc3339(instant), "2026-03-09T18:30:00+05:30");
  EXPECT_EQ(TimeZone::utc().format_rfc3339(instant), "2026-03-09T13:00:00Z");
}

TEST(TimeZoneTest, RefusesNamesOutsideTheDatabase) {
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons").ok());
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").ok());
  EXPECT_FALSE(TimeZone::load("/etc/localtime").ok());
  EXPECT_FALSE(TimeZone::load("localtime").ok());
  EXPECT_FALSE(TimeZone::load("").ok());
  EXPECT_TRUE(TimeZone::load("Etc/GMT+5").ok());
}

TEST(Rfc3339Test, ParsesOffsetsAndFractions) {
  EXPECT_EQ(utc("2026-03-09T09:00:00-04:00"), utc("2026-03-09T13:00:00Z"));
  EXPECT_EQ(utc("2026-03-09T18:30:00+05:30"), utc("2026-03-09T13:00:00Z"));
  EXPECT_EQ(utc("2026-03-09T13:00:00.25Z") - utc("2026-03-09T13:00:00Z"), 250'000);
  EXPECT_EQ(utc("1970-01-01T00:00:00Z"), 0);
}

TEST(Rfc3339Test, RefusesTimesWithoutAnOffsetOrThatDoNotExist) {
  for (const char* text : {"2026-03-09T09:00:00", "2026-03-09 09:00:00Z", "2026-02-30T09:00:00Z",
                           "2026-03-09T24:00:00Z", "2026-03-09T09:00Z", "2026-03-09T09:00:00+5",
                           "2026-03-09T09:00:00Zjunk", "2026-03-09T09:00:00.1234567Z"}) {
    EXPECT_FALSE(parse_rfc3339(text).ok()) << text;
  }
}

TEST(LocalDateTest, ParsesRealDatesOnly) {
  EXPECT_EQ(*parse_local_date("2028-02-29"), date(2028, 2, 29));
  EXPECT_FALSE(parse_local_date("2026-02-29").ok());
  EXPECT_FALSE(parse_local_date("2026-13-01").ok());
  EXPECT_FALSE(parse_local_date("26-01-01").ok());
  EXPECT_FALSE(parse_local_date("2026-1-01x").ok());
}

TEST(LocalDateTest, CountsDaysAndWeekdays) {
  EXPECT_EQ(add_days(date(2026, 12, 31), 1), date(2027, 1, 1));
  EXPECT_EQ(days_between(date(2026, 3, 1), date(2026, 4, 1)), 31);
  EXPECT_EQ(iso_weekday(date(2026, 3, 9)), 1);  // a Monday
  EXPECT_EQ(iso_weekday(date(2026, 3, 8)), 7);  // a Sunday
  EXPECT_EQ(format_local_date(date(2026, 3, 9)), "2026-03-09");
}

constexpr UnixMicros kMarch9 = 1'773'064'800'000'000;  // 2026-03-09T14:00:00Z, after DST began
constexpr UnixMicros kMarch6 = 1'772'805'600'000'000;  // 2026-03-06T14:00:00Z, before

TEST(TimeZoneTest, FormatsTheLocalTimeWithTheAbbreviationInForce) {
  const auto new_york = TimeZone::load("America/New_York");
  ASSERT_TRUE(new_york.ok());
  EXPECT_EQ(new_york->format(kMarch9, "%-I:%M %p %Z"), "10:00 AM EDT");
  EXPECT_EQ(new_york->format(kMarch6, "%-I:%M %p %Z"), "9:00 AM EST");
  EXPECT_EQ(TimeZone::utc().format(kMarch9, "%A, %B %-d, %Y"), "Monday, March 9, 2026");
  EXPECT_EQ(TimeZone::utc().format(-1, "%Y-%m-%d %H:%M:%S"), "1969-12-31 23:59:59");
}

}  // namespace
}  // namespace th::scheduling
