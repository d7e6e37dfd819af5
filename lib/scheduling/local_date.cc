#include "scheduling/local_date.h"

#include <cctz/civil_time.h>

#include <charconv>
#include <cstdio>

namespace th::scheduling {
namespace {

cctz::civil_day to_civil(const LocalDate& date) {
  return cctz::civil_day(date.year, date.month, date.day);
}

LocalDate from_civil(const cctz::civil_day& day) {
  return LocalDate{static_cast<int>(day.year()), day.month(), day.day()};
}

bool parse_digits(std::string_view text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<LocalDate> parse_local_date(std::string_view text) {
  const Error invalid(ErrorCode::kInvalidArgument, "a date must be written YYYY-MM-DD");
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return invalid;
  }
  LocalDate date;
  if (!parse_digits(text.substr(0, 4), date.year) || !parse_digits(text.substr(5, 2), date.month) ||
      !parse_digits(text.substr(8, 2), date.day)) {
    return invalid;
  }
  // civil_day normalises 2026-02-30 to 2026-03-02; a date that does not
  // survive the round trip does not exist.
  if (date.year < 1900 || date.year > 9999 || from_civil(to_civil(date)) != date) {
    return Error(ErrorCode::kInvalidArgument, "no such date: " + std::string(text));
  }
  return date;
}

std::string format_local_date(const LocalDate& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

LocalDate add_days(const LocalDate& date, int days) {
  return from_civil(to_civil(date) + days);
}

long long days_between(const LocalDate& from, const LocalDate& to) {
  return to_civil(to) - to_civil(from);
}

int iso_weekday(const LocalDate& date) {
  switch (cctz::get_weekday(to_civil(date))) {
    case cctz::weekday::monday:
      return 1;
    case cctz::weekday::tuesday:
      return 2;
    case cctz::weekday::wednesday:
      return 3;
    case cctz::weekday::thursday:
      return 4;
    case cctz::weekday::friday:
      return 5;
    case cctz::weekday::saturday:
      return 6;
    case cctz::weekday::sunday:
      return 7;
  }
  return 1;
}

}  // namespace th::scheduling
