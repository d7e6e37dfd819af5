#include "notify/zoned_time_text.h"

#include <cctz/time_zone.h>

#include <algorithm>
#include <chrono>

namespace th::notify {
namespace {

constexpr std::size_t kMaxZoneNameBytes = 64;

bool is_safe_zone_name(std::string_view name) {
  const bool characters_ok = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '+' || c == '-';
  });
  return !name.empty() && name.size() <= kMaxZoneNameBytes && characters_ok &&
         name.front() != '/' && name.front() != '-' && name.find("//") == std::string_view::npos;
}

bool load_zone(std::string_view name, cctz::time_zone& zone) {
  return is_safe_zone_name(name) && cctz::load_time_zone(std::string(name), &zone);
}

}  // namespace

bool is_known_time_zone(std::string_view name) {
  cctz::time_zone zone;
  return load_zone(name, zone);
}

Result<std::string> format_in_zone(UnixMicros instant, std::string_view zone_name,
                                   std::string_view format) {
  cctz::time_zone zone;
  if (!load_zone(zone_name, zone)) {
    return Error(ErrorCode::kInvalidArgument,
                 "unknown time zone '" + std::string(zone_name.substr(0, kMaxZoneNameBytes)) + "'");
  }
  // Floor to whole seconds, also before 1970.
  std::int64_t seconds = instant / 1'000'000;
  if (instant % 1'000'000 < 0) {
    --seconds;
  }
  const auto point = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(
      std::chrono::seconds(seconds));
  return cctz::format(std::string(format), point, zone);
}

}  // namespace th::notify
