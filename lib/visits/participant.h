// Participant: one person's place in one visit room (a room per
// appointment, named by its id), and the states and roles a place has
// (see lib/realtime/PROTOCOL.md, "Visits"). A person has one place per
// room, kept across rejoins, so its id stays the same whichever device or
// daemon they come back through. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::visits {

enum class ParticipantState {
  kWaiting,   // in the waiting room: reaches nobody
  kAdmitted,  // in the call
  kAway,      // lost their connection; the place is kept for the rejoin grace
  kLeft,      // gave the place up, or the grace ran out
};

enum class ParticipantRole {
  kPatient,  // the appointment's patient
  kGuest,    // an invited guest, through a guest session
  kHost,     // the practitioner, or clinical staff who may run the visit
};

// "waiting", "admitted", "away", "left".
std::string_view participant_state_name(ParticipantState state);
[[nodiscard]] Result<ParticipantState> parse_participant_state(std::string_view name);

// "patient", "guest", "host".
std::string_view participant_role_name(ParticipantRole role);
[[nodiscard]] Result<ParticipantRole> parse_participant_role(std::string_view name);

// Where a participant's live connection is: the daemon and its connection.
struct Endpoint {
  std::string node;
  std::uint64_t connection_id = 0;

  bool operator==(const Endpoint&) const = default;
};

struct Participant {
  std::string id;
  std::string appointment_id;
  // Who holds the place: "user:<user id>" or "guest:<guest session id>".
  std::string person;
  ParticipantRole role = ParticipantRole::kPatient;
  // What others are shown: the practitioner's display name, or the role
  // ("Patient", "Guest"); never a personal name from the records.
  std::string display_name;
  ParticipantState state = ParticipantState::kWaiting;
  // While away: the state a rejoin takes back (waiting or admitted).
  ParticipantState away_from = ParticipantState::kWaiting;
  bool screen_sharing = false;
  Endpoint endpoint;
  UnixMicros joined_at = 0;
  UnixMicros away_since = 0;  // 0 unless away
  UnixMicros updated_at = 0;

  bool present() const { return state != ParticipantState::kLeft; }
};

// The person key of a signed-in user and of a guest session.
std::string user_person(std::string_view user_id);
std::string guest_person(std::string_view guest_session_id);

}  // namespace th::visits
