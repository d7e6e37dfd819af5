// TimeZone: one IANA time zone ("America/New_York") from the system's time
// zone database (/usr/share/zoneinfo, Debian's tzdata; TZDIR overrides),
// read through Google's cctz because GCC 12's <chrono> has no tzdb.
//
// Schedules are written in local wall-clock time and stored as UTC instants.
// Two wall times need a rule, because daylight-saving changes make them
// skipped or repeated:
//   - a time the clocks skip (02:30 on the spring-forward night in New York)
//     means the moment they jump (03:00 daylight time);
//   - a time the clocks repeat (01:30 on the fall-back night) means its first
//     occurrence (01:30 daylight time).
//
// A plain value, cheap to copy; safe to share between threads (cctz keeps
// loaded zones immutable).
#pragma once

#include <cctz/time_zone.h>

#include <string>
#include <string_view>

#include "scheduling/local_date.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

inline constexpr UnixMicros kMicrosPerMinute = 60'000'000;
inline constexpr UnixMicros kMicrosPerDay = 1440 * kMicrosPerMinute;

// A wall-clock reading in some zone.
struct LocalTime {
  LocalDate date;
  int minute_of_day = 0;  // 0 .. 1439
  int second = 0;
  int utc_offset_seconds = 0;
};

class TimeZone {
 public:
  // kInvalidArgument for a malformed name or one the database does not hold.
  [[nodiscard]] static Result<TimeZone> load(std::string_view name);
  static TimeZone utc();

  const std::string& name() const { return name_; }

  // The instant at `minute_of_day` minutes after local midnight of `date`,
  // by the rules above. minute_of_day may be 1440 (the next midnight).
  UnixMicros to_utc(const LocalDate& date, int minute_of_day) const;

  // The local reading of an instant (whole seconds; the fraction is dropped).
  LocalTime to_local(UnixMicros instant) const;

  // `instant` written with strftime-style `format` as people in this zone
  // read it ("%A, %B %-d, %Y" -> "Monday, March 9, 2026"; %Z is the zone's
  // abbreviation at that instant, "EDT"). Whole seconds.
  std::string format(UnixMicros instant, std::string_view format) const;

  // RFC 3339 with this zone's offset at that instant, to the second:
  // "2026-03-09T09:00:00-04:00"; UTC is written with "Z".
  std::string format_rfc3339(UnixMicros instant) const;

 private:
  TimeZone(std::string name, cctz::time_zone zone) : name_(std::move(name)), zone_(zone) {}

  std::string name_;
  cctz::time_zone zone_;
};

// Letters, digits and "/_+-" in parts that do not start with a dot: what IANA
// names are made of, and nothing that could leave the zoneinfo folder.
bool is_well_formed_zone_name(std::string_view name);

// An RFC 3339 timestamp with "Z" or a numeric offset and whole seconds, an
// optional fraction after them ("2026-03-09T09:00:00-04:00",
// "2026-03-09T13:00:00.5Z"). kInvalidArgument naming the problem.
[[nodiscard]] Result<UnixMicros> parse_rfc3339(std::string_view text);

}  // namespace th::scheduling
