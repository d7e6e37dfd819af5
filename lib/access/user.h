// User: one person or script with a unique, immutable id. Users are never
// deleted, only disabled, so that audit history keeps pointing at them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::access {

enum class UserKind { kStaff, kPatient, kService };
enum class UserStatus { kActive, kDisabled, kLocked };

std::string_view user_kind_name(UserKind kind);
Result<UserKind> parse_user_kind(std::string_view name);
std::string_view user_status_name(UserStatus status);
Result<UserStatus> parse_user_status(std::string_view name);

struct User {
  std::string id;  // random UUID, never reused
  std::string username;
  std::string email;
  UserKind kind = UserKind::kStaff;
  UserStatus status = UserStatus::kActive;
  std::string role;
  std::string patient_id;     // for patient users: their patient record
  std::string password_hash;  // PHC string; empty until enrolment
  UnixMicros password_changed_at = 0;
  int failed_logins = 0;
  UnixMicros last_failed_login_at = 0;
  std::string mfa_secret;  // raw TOTP key; empty when not enrolled
  bool mfa_enabled = false;
  std::int64_t mfa_last_step = 0;  // last TOTP step accepted, so a code works once
  std::string enrolment_code_hash;
  UnixMicros enrolment_expires_at = 0;
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
  std::int64_t version = 1;
};

// Usernames: 3 to 64 characters of [a-z0-9._-], starting with a letter or
// digit. Lower case only, so that two people cannot differ by case alone.
Status validate_username(std::string_view username);

}  // namespace th::access
