#include "util/clock.h"

#include <cstdio>
#include <ctime>

namespace th {

std::string format_rfc3339_micros(UnixMicros micros) {
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  long fraction = static_cast<long>(micros % 1'000'000);
  if (fraction < 0) {
    fraction += 1'000'000;
    seconds -= 1;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06ldZ", date, fraction);
  return out;
}

}  // namespace th
