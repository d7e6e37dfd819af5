// LocalDate: a calendar date with no time zone attached (proleptic
// Gregorian), as people write dates for schedules: "2026-03-09". Availability
// rules and exceptions are written in local dates of the practitioner's zone;
// TimeZone turns a local date and a time of day into an instant.
// A plain value.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::scheduling {

struct LocalDate {
  int year = 1970;
  int month = 1;
  int day = 1;

  auto operator<=>(const LocalDate&) const = default;
};

// "YYYY-MM-DD" for a date that exists; kInvalidArgument otherwise. Years
// before 1900 or after 9999 are refused: no schedule reaches them.
[[nodiscard]] Result<LocalDate> parse_local_date(std::string_view text);
std::string format_local_date(const LocalDate& date);

// The date `days` later (earlier when negative).
LocalDate add_days(const LocalDate& date, int days);
// Days from `from` to `to`: 1 for consecutive dates, negative when to < from.
long long days_between(const LocalDate& from, const LocalDate& to);
// ISO 8601 weekday: 1 Monday ... 7 Sunday.
int iso_weekday(const LocalDate& date);

}  // namespace th::scheduling
