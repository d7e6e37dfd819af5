// Weekly rules and exceptions turned into UTC windows and slots, in a zone
// with daylight-saving time: a Monday 09:00 rule stays at 09:00 local time
// on both sides of each change, and windows that span a change are as long
// as the clocks say.

#include "scheduling/weekly_availability.h"

#include <gtest/gtest.h>

#include "scheduling/slot_finder.h"

namespace th::scheduling {
namespace {

constexpr int kMonday = 1;
constexpr int kSunday = 7;

UnixMicros utc(std::string_view text) {
  return *parse_rfc3339(text);
}

TimeZone new_york() {
  return *TimeZone::load("America/New_York");
}

std::vector<std::string> local_starts(const std::vector<TimeWindow>& windows,
                                      const TimeZone& zone) {
  std::vector<std::string> starts;
  for (const TimeWindow& window : windows) {
    starts.push_back(zone.format_rfc3339(window.start));
  }
  return starts;
}

TEST(WeeklyAvailabilityTest, MondayNineOClockRuleAcrossSpringForward) {
  const std::vector<WeeklyRule> rules = {{kMonday, 9 * 60, 12 * 60}};

  const auto windows = availability_windows(rules, {}, new_york(), {2026, 3, 2}, {2026, 3, 9});

  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0], (TimeWindow{utc("2026-03-02T14:00:00Z"), utc("2026-03-02T17:00:00Z")}));
  EXPECT_EQ(windows[1], (TimeWindow{utc("2026-03-09T13:00:00Z"), utc("2026-03-09T16:00:00Z")}));
  EXPECT_EQ(local_starts(windows, new_york()),
            (std::vector<std::string>{"2026-03-02T09:00:00-05:00", "2026-03-09T09:00:00-04:00"}));
}

TEST(WeeklyAvailabilityTest, MondayNineOClockRuleAcrossFallBack) {
  const std::vector<WeeklyRule> rules = {{kMonday, 9 * 60, 12 * 60}};

  const auto windows = availability_windows(rules, {}, new_york(), {2026, 10, 26}, {2026, 11, 2});

  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].start, utc("2026-10-26T13:00:00Z"));
  EXPECT_EQ(windows[1].start, utc("2026-11-02T14:00:00Z"));
  EXPECT_EQ(local_starts(windows, new_york()),
            (std::vector<std::string>{"2026-10-26T09:00:00-04:00", "2026-11-02T09:00:00-05:00"}));
}

TEST(WeeklyAvailabilityTest, NightWindowLosesTheSkippedHourInSpring) {
  const std::vector<WeeklyRule> rules = {{kSunday, 1 * 60, 4 * 60}};

  const auto windows = availability_windows(rules, {}, new_york(), {2026, 3, 8}, {2026, 3, 8});
  const auto slots = free_slots(windows, {}, SlotQuery{60, 60, 0, utc("2027-01-01T00:00:00Z")});

  // 01:00 EST to 04:00 EDT is two real hours.
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].end - windows[0].start, 2 * 60 * kMicrosPerMinute);
  EXPECT_EQ(local_starts(slots, new_york()),
            (std::vector<std::string>{"2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"}));
}

TEST(WeeklyAvailabilityTest, NightWindowGainsTheRepeatedHourInAutumn) {
  const std::vector<WeeklyRule> rules = {{kSunday, 0, 3 * 60}};

  const auto windows = availability_windows(rules, {}, new_york(), {2026, 11, 1}, {2026, 11, 1});
  const auto slots = free_slots(windows, {}, SlotQuery{60, 60, 0, utc("2027-01-01T00:00:00Z")});

  // 00:00 EDT to 03:00 EST is four real hours; 01:00 comes twice.
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].end - windows[0].start, 4 * 60 * kMicrosPerMinute);
  EXPECT_EQ(local_starts(slots, new_york()),
            (std::vector<std::string>{"2026-11-01T00:00:00-04:00", "2026-11-01T01:00:00-04:00",
                                      "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"}));
}

TEST(WeeklyAvailabilityTest, TimeOffCutsAndExtraHoursAdd) {
  const std::vector<WeeklyRule> rules = {{kMonday, 9 * 60, 17 * 60}};
  const std::vector<AvailabilityException> exceptions = {
      {"lunch", {2026, 3, 9}, ExceptionKind::kTimeOff, 12 * 60, 13 * 60},
      {"evening", {2026, 3, 9}, ExceptionKind::kExtraHours, 17 * 60, 19 * 60},
      {"sick", {2026, 3, 16}, ExceptionKind::kTimeOff, 0, 1440},
      {"saturday", {2026, 3, 14}, ExceptionKind::kExtraHours, 10 * 60, 11 * 60},
  };
  const TimeZone zone = TimeZone::utc();

  const auto windows = availability_windows(rules, exceptions, zone, {2026, 3, 9}, {2026, 3, 16});

  EXPECT_EQ(windows, (std::vector<TimeWindow>{
                         {utc("2026-03-09T09:00:00Z"), utc("2026-03-09T12:00:00Z")},
                         {utc("2026-03-09T13:00:00Z"), utc("2026-03-09T19:00:00Z")},
                         {utc("2026-03-14T10:00:00Z"), utc("2026-03-14T11:00:00Z")},
                     }));
}

TEST(WeeklyAvailabilityTest, DatesAreNotJoinedAtMidnight) {
  const std::vector<WeeklyRule> rules = {{kMonday, 22 * 60, 1440}, {2, 0, 2 * 60}};

  const auto windows =
      availability_windows(rules, {}, TimeZone::utc(), {2026, 3, 9}, {2026, 3, 10});

  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].end, windows[1].start);
}

TEST(WeeklyAvailabilityTest, ValidatesRules) {
  EXPECT_TRUE(validate_rule({kMonday, 9 * 60, 17 * 60}).ok());
  EXPECT_FALSE(validate_rule({0, 9 * 60, 17 * 60}).ok());
  EXPECT_FALSE(validate_rule({8, 9 * 60, 17 * 60}).ok());
  EXPECT_FALSE(validate_rule({kMonday, 9 * 60, 9 * 60}).ok());
  EXPECT_FALSE(validate_rule({kMonday, 9 * 60 + 2, 17 * 60}).ok());
  EXPECT_FALSE(validate_rule({kMonday, 9 * 60, 1445}).ok());
}

TEST(SlotFinderTest, LongerVisitsTakeSeveralSlotsAndSkipBusyTimes) {
  const std::vector<TimeWindow> windows = {
      {utc("2026-03-09T09:00:00Z"), utc("2026-03-09T11:00:00Z")}};
  const std::vector<TimeWindow> busy = {{utc("2026-03-09T09:40:00Z"), utc("2026-03-09T10:00:00Z")}};

  const auto follow_ups =
      free_slots(windows, busy, SlotQuery{20, 20, 0, utc("2027-01-01T00:00:00Z")});
  const auto new_patients =
      free_slots(windows, busy, SlotQuery{20, 40, 0, utc("2027-01-01T00:00:00Z")});

  EXPECT_EQ(local_starts(follow_ups, TimeZone::utc()),
            (std::vector<std::string>{"2026-03-09T09:00:00Z", "2026-03-09T09:20:00Z",
                                      "2026-03-09T10:00:00Z", "2026-03-09T10:20:00Z",
                                      "2026-03-09T10:40:00Z"}));
  EXPECT_EQ(local_starts(new_patients, TimeZone::utc()),
            (std::vector<std::string>{"2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z",
                                      "2026-03-09T10:20:00Z"}));
}

TEST(SlotFinderTest, KeepsToNotBeforeAndNotAfter) {
  const std::vector<TimeWindow> windows = {
      {utc("2026-03-09T09:00:00Z"), utc("2026-03-09T11:00:00Z")}};

  const auto slots = free_slots(
      windows, {}, SlotQuery{30, 30, utc("2026-03-09T09:10:00Z"), utc("2026-03-09T10:00:00Z")});

  EXPECT_EQ(local_starts(slots, TimeZone::utc()),
            (std::vector<std::string>{"2026-03-09T09:30:00Z", "2026-03-09T10:00:00Z"}));
}

TEST(SlotFinderTest, FitsOnlyOnTheGridInsideAWindow) {
  const std::vector<TimeWindow> windows = {
      {utc("2026-03-09T09:00:00Z"), utc("2026-03-09T10:00:00Z")}};

  EXPECT_TRUE(
      fits_schedule(windows, {utc("2026-03-09T09:20:00Z"), utc("2026-03-09T10:00:00Z")}, 20));
  EXPECT_FALSE(
      fits_schedule(windows, {utc("2026-03-09T09:10:00Z"), utc("2026-03-09T09:30:00Z")}, 20));
  EXPECT_FALSE(
      fits_schedule(windows, {utc("2026-03-09T09:40:00Z"), utc("2026-03-09T10:20:00Z")}, 20));
}

}  // namespace
}  // namespace th::scheduling
