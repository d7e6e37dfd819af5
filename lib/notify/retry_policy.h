// RetryPolicy: how often and how long the outbox tries a message before it
// gives up. Delays grow exponentially from the first one up to a ceiling, so
// a provider that is down for an hour is not hammered, and a message that
// cannot be sent reaches `failed` after max_attempts tries, where an
// operator sees it (`thctl reminder list --status failed`). A plain value.
#pragma once

#include <cstdint>

namespace th::notify {

struct RetryPolicy {
  int max_attempts = 8;
  std::int64_t initial_delay_seconds = 60;
  std::int64_t max_delay_seconds = 3600;

  // The wait after `failed_attempts` failures (1 or more):
  // initial * 2^(failed_attempts - 1), never above max_delay_seconds.
  [[nodiscard]] std::int64_t delay_seconds(int failed_attempts) const;

  // True once `attempts` tries were made and no more are allowed.
  [[nodiscard]] bool exhausted(int attempts) const { return attempts >= max_attempts; }
};

}  // namespace th::notify
