// AuthSettings: the tunables of authentication and sessions, filled from the
// [auth] section of the configuration. The defaults follow NIST SP 800-63B
// and OWASP's password storage guidance.
#pragma once

#include <cstdint>

#include "crypto/password_hasher.h"

namespace th::access {

struct AuthSettings {
  crypto::PasswordHashParams password_hash;  // Argon2id m=19 MiB, t=2, p=1
  int password_min_length = 12;
  int lockout_threshold = 5;                 // consecutive failures that lock the account
  int session_lifetime_seconds = 12 * 3600;  // absolute, whatever the activity
  int enrolment_code_lifetime_seconds = 72 * 3600;
  int emergency_grant_seconds = 60 * 60;
  int login_attempts_per_minute = 30;  // per source address, then 429
  std::int64_t token_default_lifetime_seconds = 90LL * 24 * 3600;
  // Per-kind overrides of the role's idle timeout; 0 keeps the role's value.
  int staff_idle_timeout_seconds = 0;
  int patient_idle_timeout_seconds = 0;
};

}  // namespace th::access
