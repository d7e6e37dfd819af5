#include "access/patient.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace th::access {
namespace {

constexpr std::array<std::string_view, 56> kStateCodes = {
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI",
    "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP",
    "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA",
    "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
};

bool is_calendar_date(const std::string& text) {
  int year = 0;
  int month = 0;
  int day = 0;
  char tail = 0;
  if (text.size() != 10 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) {
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1850 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

}  // namespace

bool is_us_state_code(std::string_view code) {
  return std::ranges::binary_search(kStateCodes, code);
}

Status validate_patient(const Patient& patient) {
  if (patient.mrn.empty() || patient.mrn.size() > 32) {
    return Error(ErrorCode::kInvalidArgument, "mrn must be 1 to 32 characters");
  }
  if (patient.given_name.empty() || patient.family_name.empty()) {
    return Error(ErrorCode::kInvalidArgument, "given_name and family_name are required");
  }
  if (!is_calendar_date(patient.birth_date)) {
    return Error(ErrorCode::kInvalidArgument, "birth_date must be a date written YYYY-MM-DD");
  }
  static constexpr std::string_view kSexes[] = {"female", "male", "other", "unknown"};
  if (std::ranges::find(kSexes, patient.sex) == std::end(kSexes)) {
    return Error(ErrorCode::kInvalidArgument, "sex must be female, male, other or unknown");
  }
  if (!is_us_state_code(patient.state)) {
    return Error(ErrorCode::kInvalidArgument,
                 "state must be a two-letter US state or territory code");
  }
  return ok_status();
}

}  // namespace th::access
