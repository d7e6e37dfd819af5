#include "access/user.h"

#include <cctype>

namespace th::access {

std::string_view user_kind_name(UserKind kind) {
  switch (kind) {
    case UserKind::kStaff:
      return "staff";
    case UserKind::kPatient:
      return "patient";
    case UserKind::kService:
      return "service";
  }
  return "staff";
}

Result<UserKind> parse_user_kind(std::string_view name) {
  if (name == "staff") {
    return UserKind::kStaff;
  }
  if (name == "patient") {
    return UserKind::kPatient;
  }
  if (name == "service") {
    return UserKind::kService;
  }
  return Error(ErrorCode::kInvalidArgument,
               "unknown user kind '" + std::string(name) + "' (use staff, patient or service)");
}

std::string_view user_status_name(UserStatus status) {
  switch (status) {
    case UserStatus::kActive:
      return "active";
    case UserStatus::kDisabled:
      return "disabled";
    case UserStatus::kLocked:
      return "locked";
  }
  return "disabled";
}

Result<UserStatus> parse_user_status(std::string_view name) {
  if (name == "active") {
    return UserStatus::kActive;
  }
  if (name == "disabled") {
    return UserStatus::kDisabled;
  }
  if (name == "locked") {
    return UserStatus::kLocked;
  }
  return Error(ErrorCode::kDataLoss, "stored user status '" + std::string(name) + "' is unknown");
}

Status validate_username(std::string_view username) {
  if (username.size() < 3 || username.size() > 64) {
    return Error(ErrorCode::kInvalidArgument, "username must be 3 to 64 characters long");
  }
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  for (const char c : username) {
    if (!allowed(c)) {
      return Error(ErrorCode::kInvalidArgument,
                   "username may contain only lower-case letters, digits, '.', '_' and '-'");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(username.front()))) {
    return Error(ErrorCode::kInvalidArgument, "username must start with a letter or digit");
  }
  return ok_status();
}

}  // namespace th::access
