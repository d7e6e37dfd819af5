#include "scheduling/time_zone.h"

#include <cctz/civil_time.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace th::scheduling {
namespace {

using Seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

constexpr std::size_t kMaxZoneNameBytes = 64;

Seconds to_seconds(UnixMicros instant) {
  // Floor division, so instants before 1970 round down like positive ones.
  UnixMicros seconds = instant / 1'000'000;
  if (instant % 1'000'000 < 0) {
    --seconds;
  }
  return Seconds(std::chrono::seconds(seconds));
}

UnixMicros to_micros(const Seconds& instant) {
  return static_cast<UnixMicros>(instant.time_since_epoch().count()) * 1'000'000;
}

bool is_zone_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '_' || c == '+' || c == '-';
}

bool read_number(std::string_view text, std::size_t& position, std::size_t digits, int& value) {
  if (position + digits > text.size()) {
    return false;
  }
  const char* begin = text.data() + position;
  const auto [end, error] = std::from_chars(begin, begin + digits, value);
  if (error != std::errc() || end != begin + digits) {
    return false;
  }
  position += digits;
  return true;
}

bool expect_char(std::string_view text, std::size_t& position, char wanted) {
  if (position >= text.size() || text[position] != wanted) {
    return false;
  }
  ++position;
  return true;
}

}  // namespace

bool is_well_formed_zone_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxZoneNameBytes || name.front() == '/' ||
      name.back() == '/') {
    return false;
  }
  bool part_start = true;
  for (const char c : name) {
    if (!is_zone_character(c) && !(c == '.' && !part_start)) {
      return false;
    }
    part_start = c == '/';
  }
  return name != "localtime" && name.find("..") == std::string_view::npos;
}

Result<TimeZone> TimeZone::load(std::string_view name) {
  if (!is_well_formed_zone_name(name)) {
    return Error(ErrorCode::kInvalidArgument, "time zone must be an IANA name like America/Denver");
  }
  cctz::time_zone zone;
  if (!cctz::load_time_zone(std::string(name), &zone)) {
    return Error(ErrorCode::kInvalidArgument,
                 "unknown time zone '" + std::string(name) + "' (not in the tz database)");
  }
  return TimeZone(std::string(name), zone);
}

TimeZone TimeZone::utc() {
  return TimeZone("UTC", cctz::utc_time_zone());
}

UnixMicros TimeZone::to_utc(const LocalDate& date, int minute_of_day) const {
  // civil_second normalises minute 1440 to midnight of the next day.
  const cctz::civil_second wall(date.year, date.month, date.day, 0, minute_of_day, 0);
  const cctz::time_zone::civil_lookup found = zone_.lookup(wall);
  switch (found.kind) {
    case cctz::time_zone::civil_lookup::SKIPPED:
      return to_micros(found.trans);
    case cctz::time_zone::civil_lookup::REPEATED:
    case cctz::time_zone::civil_lookup::UNIQUE:
      return to_micros(found.pre);
  }
  return to_micros(found.pre);
}

LocalTime TimeZone::to_local(UnixMicros instant) const {
  const cctz::time_zone::absolute_lookup found = zone_.lookup(to_seconds(instant));
  const cctz::civil_second& wall = found.cs;
  LocalTime local;
  local.date = LocalDate{static_cast<int>(wall.year()), wall.month(), wall.day()};
  local.minute_of_day = wall.hour() * 60 + wall.minute();
  local.second = wall.second();
  local.utc_offset_seconds = found.offset;
  return local;
}

std::string TimeZone::format(UnixMicros instant, std::string_view format) const {
  // Floor to whole seconds, also before 1970.
  std::int64_t seconds = instant / 1'000'000;
  if (instant % 1'000'000 < 0) {
    --seconds;
  }
  const auto point = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(
      std::chrono::seconds(seconds));
  return cctz::format(std::string(format), point, zone_);
}

std::string TimeZone::format_rfc3339(UnixMicros instant) const {
  const LocalTime local = to_local(instant);
  char text[40];
  std::snprintf(text, sizeof text, "%sT%02d:%02d:%02d", format_local_date(local.date).c_str(),
                local.minute_of_day / 60, local.minute_of_day % 60, local.second);
  std::string out = text;
  if (local.utc_offset_seconds == 0) {
    return out + "Z";
  }
  const int offset_minutes = std::abs(local.utc_offset_seconds) / 60;
  std::snprintf(text, sizeof text, "%c%02d:%02d", local.utc_offset_seconds < 0 ? '-' : '+',
                offset_minutes / 60, offset_minutes % 60);
  return out + text;
}

Result<UnixMicros> parse_rfc3339(std::string_view text) {
  const Error invalid(ErrorCode::kInvalidArgument,
                      "a time must be RFC 3339 with an offset, e.g. 2026-03-09T09:00:00-05:00");
  if (text.size() < 20) {
    return invalid;
  }
  auto date = parse_local_date(text.substr(0, 10));
  std::size_t position = 10;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!date.ok() || (text[position] != 'T' && text[position] != 't')) {
    return invalid;
  }
  ++position;
  if (!read_number(text, position, 2, hour) || !expect_char(text, position, ':') ||
      !read_number(text, position, 2, minute) || !expect_char(text, position, ':') ||
      !read_number(text, position, 2, second) || hour > 23 || minute > 59 || second > 59) {
    return invalid;
  }

  // A fraction of a second, up to microseconds.
  UnixMicros fraction = 0;
  if (position < text.size() && text[position] == '.') {
    ++position;
    UnixMicros scale = 100'000;
    const std::size_t first = position;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      fraction += (text[position] - '0') * scale;
      scale /= 10;
      ++position;
    }
    if (position == first || position - first > 6) {
      return invalid;
    }
  }

  // The offset: Z, or +HH:MM / -HH:MM.
  int offset_minutes = 0;
  if (position < text.size() && (text[position] == 'Z' || text[position] == 'z')) {
    ++position;
  } else if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    const int sign = text[position] == '-' ? -1 : 1;
    ++position;
    int offset_hours = 0;
    int offset_rest = 0;
    if (!read_number(text, position, 2, offset_hours) || !expect_char(text, position, ':') ||
        !read_number(text, position, 2, offset_rest) || offset_hours > 23 || offset_rest > 59) {
      return invalid;
    }
    offset_minutes = sign * (offset_hours * 60 + offset_rest);
  } else {
    return invalid;
  }
  if (position != text.size()) {
    return invalid;
  }
  const UnixMicros midnight = TimeZone::utc().to_utc(*date, 0);
  return midnight + (hour * 3600LL + minute * 60LL + second) * 1'000'000 + fraction -
         offset_minutes * kMicrosPerMinute;
}

}  // namespace th::scheduling
