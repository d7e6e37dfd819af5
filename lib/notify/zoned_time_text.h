// Instants written as people in a given IANA time zone read them, for the
// dates and times in reminder texts ("Monday, March 9, 2026", "9:00 AM EDT").
// Zones come from the system's tz database (Debian's tzdata; TZDIR
// overrides), through cctz, since GCC 12's <chrono> has none.
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::notify {

// True for a name the tz database holds ("America/New_York", "UTC").
// Names that could leave the zoneinfo folder are refused unread.
[[nodiscard]] bool is_known_time_zone(std::string_view name);

// `instant` formatted with strftime-style `format` in zone `zone`
// (%Z writes the zone's abbreviation at that instant). kInvalidArgument for
// an unknown zone.
[[nodiscard]] Result<std::string> format_in_zone(UnixMicros instant, std::string_view zone,
                                                 std::string_view format);

}  // namespace th::notify
