// Weekly availability: when a practitioner can be booked, written the way a
// clinic writes it, in the practitioner's own time zone.
//
//   - weekly rules: "Mondays 09:00 to 12:00", repeating every week;
//   - exceptions on one date: time off (the whole day, or part of it) and
//     extra hours.
//
// availability_windows() turns rules and exceptions into UTC windows for a
// range of dates. Each date is computed in local time first (rules plus
// extra hours, less time off), then each local interval is converted with
// the zone's rules for that date, so a "09:00" rule stays at 09:00 on the
// wall clock across daylight-saving changes while its UTC instant moves.
// Windows of different dates are never joined, even when one ends at
// midnight and the next begins there: a slot belongs to one local date, and
// its grid starts where that date's window starts, whatever range of dates
// was asked for.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "scheduling/local_date.h"
#include "scheduling/time_window.h"
#include "scheduling/time_zone.h"
#include "util/result.h"

namespace th::scheduling {

// Start and end of local times are minutes after midnight, [start, end),
// multiples of kMinuteGranularity, end at most 1440.
inline constexpr int kMinuteGranularity = 5;

struct WeeklyRule {
  int weekday = 1;  // ISO: 1 Monday ... 7 Sunday
  int start_minute = 0;
  int end_minute = 0;

  bool operator==(const WeeklyRule&) const = default;
};

enum class ExceptionKind { kTimeOff, kExtraHours };

std::string_view exception_kind_name(ExceptionKind kind);  // "time_off", "extra_hours"
[[nodiscard]] Result<ExceptionKind> parse_exception_kind(std::string_view name);

struct AvailabilityException {
  std::string id;
  LocalDate date;
  ExceptionKind kind = ExceptionKind::kTimeOff;
  int start_minute = 0;  // the whole day by default
  int end_minute = 1440;
};

// kInvalidArgument naming the problem: weekday out of range, times off the
// five-minute grid, an end not after its start.
[[nodiscard]] Status validate_rule(const WeeklyRule& rule);
[[nodiscard]] Status validate_exception(const AvailabilityException& exception);

// The bookable windows of the local dates first..last (inclusive) in UTC,
// sorted; within a date, overlapping and touching spans are joined.
std::vector<TimeWindow> availability_windows(const std::vector<WeeklyRule>& rules,
                                             const std::vector<AvailabilityException>& exceptions,
                                             const TimeZone& zone, const LocalDate& first,
                                             const LocalDate& last);

}  // namespace th::scheduling
