// Practitioner: the scheduling profile of a staff user who sees patients:
// their NPI, the US states where they hold a license to practise (telehealth
// follows the patient: a visit may be booked only in a state where the
// practitioner is licensed, the patient record's state), their IANA time
// zone (in which their availability is written) and the length of their
// slots, and the name patients know them by (in reminders). None of it is
// personal data of a patient. A plain value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

struct Practitioner {
  std::string user_id;
  std::string npi;                          // 10 digits with its check digit
  std::vector<std::string> license_states;  // two-letter codes, sorted, unique
  std::string time_zone = "UTC";
  int slot_minutes = 20;
  // As patients read it in messages ("Dr. Lee"); empty for "your clinician".
  std::string display_name;
  UnixMicros updated_at = 0;
};

// The NPI check: 10 digits whose last is the Luhn check digit of the first
// nine prefixed with the card issuer code 80840.
bool is_valid_npi(std::string_view npi);

// kInvalidArgument naming the field: a bad NPI, an unknown state code, an
// unknown time zone, a slot length that is not 5 to 240 minutes in steps of 5,
// a display name longer than 80 characters or holding a control character.
[[nodiscard]] Status validate_practitioner(const Practitioner& practitioner);

// "CA,OR" -> {"CA", "OR"}: upper-cased, sorted, duplicates dropped. Spaces
// around codes are ignored.
std::vector<std::string> parse_license_states(std::string_view text);
std::string join_license_states(const std::vector<std::string>& states);

// Adds the states of `added` to the practitioner's licenses and takes those
// of `removed` away (both as parse_license_states gives them), keeping the
// list sorted and unique. Adding a state held already changes nothing.
// kInvalidArgument, with the practitioner unchanged, when both lists are
// empty, a state is not a US state or territory code, a state is both added
// and removed, or a removed state is not held.
[[nodiscard]] Status change_license_states(Practitioner& practitioner,
                                           const std::vector<std::string>& added,
                                           const std::vector<std::string>& removed);

bool is_licensed_in(const Practitioner& practitioner, std::string_view state);

// kPermissionDenied saying which state the practitioner is not licensed in
// and where they are, or ok when they are licensed in `state`.
[[nodiscard]] Status check_licensure(const Practitioner& practitioner, std::string_view state);

}  // namespace th::scheduling
