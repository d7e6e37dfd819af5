#include "notify/retry_policy.h"

#include <algorithm>

namespace th::notify {

std::int64_t RetryPolicy::delay_seconds(int failed_attempts) const {
  // Doubling stops at the ceiling, so a large attempt count cannot overflow.
  std::int64_t delay = std::max<std::int64_t>(initial_delay_seconds, 1);
  for (int attempt = 1; attempt < failed_attempts && delay < max_delay_seconds; ++attempt) {
    delay *= 2;
  }
  return std::min(delay, max_delay_seconds);
}

}  // namespace th::notify
