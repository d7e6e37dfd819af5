#include "visits/participant.h"

#include <array>
#include <utility>

namespace th::visits {
namespace {

using S = ParticipantState;
using R = ParticipantRole;

constexpr std::array<std::pair<S, std::string_view>, 4> kStates = {{
    {S::kWaiting, "waiting"},
    {S::kAdmitted, "admitted"},
    {S::kAway, "away"},
    {S::kLeft, "left"},
}};

constexpr std::array<std::pair<R, std::string_view>, 3> kRoles = {{
    {R::kPatient, "patient"},
    {R::kGuest, "guest"},
    {R::kHost, "host"},
}};

}  // namespace

std::string_view participant_state_name(ParticipantState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) {
      return name;
    }
  }
  return "left";
}

Result<ParticipantState> parse_participant_state(std::string_view name) {
  for (const auto& [value, known] : kStates) {
    if (known == name) {
      return value;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "state must be waiting, admitted, away or left");
}

std::string_view participant_role_name(ParticipantRole role) {
  for (const auto& [value, name] : kRoles) {
    if (value == role) {
      return name;
    }
  }
  return "guest";
}

Result<ParticipantRole> parse_participant_role(std::string_view name) {
  for (const auto& [value, known] : kRoles) {
    if (known == name) {
      return value;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "role must be patient, guest or host");
}

std::string user_person(std::string_view user_id) {
  return "user:" + std::string(user_id);
}

std::string guest_person(std::string_view guest_session_id) {
  return "guest:" + std::string(guest_session_id);
}

}  // namespace th::visits
