#include "scheduling/practitioner.h"

#include <algorithm>
#include <cctype>

#include "access/patient.h"
#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

constexpr int kMinSlotMinutes = 5;
constexpr int kMaxSlotMinutes = 240;
constexpr std::size_t kMaxDisplayNameBytes = 80;

// A display name goes into email headers' neighbours and SMS texts: one
// line, no control characters.
bool is_plain_line(std::string_view text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

bool is_valid_npi(std::string_view npi) {
  if (npi.size() != 10 || !std::ranges::all_of(npi, [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  // Luhn over "80840" + the first nine digits, doubling every second digit
  // counted from the right of that payload (the check digit is not part of it).
  const std::string payload = "80840" + std::string(npi.substr(0, 9));
  int sum = 0;
  bool twice = true;
  for (auto digit = payload.rbegin(); digit != payload.rend(); ++digit) {
    int value = *digit - '0';
    if (twice) {
      value *= 2;
      value = value > 9 ? value - 9 : value;
    }
    sum += value;
    twice = !twice;
  }
  return (10 - sum % 10) % 10 == npi[9] - '0';
}

Status validate_practitioner(const Practitioner& practitioner) {
  if (!is_valid_npi(practitioner.npi)) {
    return Error(ErrorCode::kInvalidArgument, "npi must be 10 digits with a valid check digit");
  }
  for (const std::string& state : practitioner.license_states) {
    if (!access::is_us_state_code(state)) {
      return Error(ErrorCode::kInvalidArgument,
                   "license state '" + state + "' is not a US state or territory code");
    }
  }
  if (auto zone = TimeZone::load(practitioner.time_zone); !zone.ok()) {
    return zone.error();
  }
  if (practitioner.slot_minutes < kMinSlotMinutes || practitioner.slot_minutes > kMaxSlotMinutes ||
      practitioner.slot_minutes % kMinSlotMinutes != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "slot_minutes must be 5 to 240 in steps of 5 minutes");
  }
  if (practitioner.display_name.size() > kMaxDisplayNameBytes ||
      !is_plain_line(practitioner.display_name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "display_name must be one line of at most 80 bytes without control characters");
  }
  return ok_status();
}

std::vector<std::string> parse_license_states(std::string_view text) {
  std::vector<std::string> states;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) {
      states.push_back(current);
      current.clear();
    }
  };
  for (const char c : text) {
    if (c == ',') {
      flush();
    } else if (c != ' ' && c != '\t') {
      current += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  flush();
  std::ranges::sort(states);
  states.erase(std::unique(states.begin(), states.end()), states.end());
  return states;
}

std::string join_license_states(const std::vector<std::string>& states) {
  std::string joined;
  for (const std::string& state : states) {
    joined += (joined.empty() ? "" : ",") + state;
  }
  return joined;
}

Status change_license_states(Practitioner& practitioner, const std::vector<std::string>& added,
                             const std::vector<std::string>& removed) {
  if (added.empty() && removed.empty()) {
    return Error(ErrorCode::kInvalidArgument, "name at least one state to add or remove");
  }
  for (const std::string& state : added) {
    if (!access::is_us_state_code(state)) {
      return Error(ErrorCode::kInvalidArgument,
                   "license state '" + state + "' is not a US state or territory code");
    }
    if (std::ranges::find(removed, state) != removed.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   "license state '" + state + "' is both added and removed");
    }
  }
  for (const std::string& state : removed) {
    if (!is_licensed_in(practitioner, state)) {
      return Error(ErrorCode::kInvalidArgument,
                   "the practitioner holds no license in '" + state + "' to remove");
    }
  }

  std::vector<std::string> states = practitioner.license_states;
  std::erase_if(states, [&](const std::string& state) {
    return std::ranges::find(removed, state) != removed.end();
  });
  states.insert(states.end(), added.begin(), added.end());
  std::ranges::sort(states);
  states.erase(std::unique(states.begin(), states.end()), states.end());
  practitioner.license_states = std::move(states);
  return ok_status();
}

bool is_licensed_in(const Practitioner& practitioner, std::string_view state) {
  return std::ranges::binary_search(practitioner.license_states, state);
}

Status check_licensure(const Practitioner& practitioner, std::string_view state) {
  if (is_licensed_in(practitioner, state)) {
    return ok_status();
  }
  const std::string held = practitioner.license_states.empty()
                               ? "no state"
                               : join_license_states(practitioner.license_states);
  return Error(ErrorCode::kPermissionDenied,
               "not_licensed: the practitioner holds no license in " + std::string(state) +
                   ", the patient's state, and is licensed in " + held);
}

}  // namespace th::scheduling
