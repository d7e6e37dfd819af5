#include "visits/room_rules.h"

#include <algorithm>

namespace th::visits {
namespace {

using S = ParticipantState;
using R = ParticipantRole;

Error forbidden(std::string_view why) {
  return Error(ErrorCode::kPermissionDenied, "forbidden: " + std::string(why));
}

bool hosting(const Participant& actor) {
  return actor.role == R::kHost && actor.state == S::kAdmitted;
}

// Admit and return: a host in the call, on a patient or guest of the same
// room other than themselves.
Status may_move_other(const Participant& actor, const Participant& target) {
  if (!hosting(actor)) {
    return forbidden("only a host in the call moves participants");
  }
  if (actor.appointment_id != target.appointment_id || actor.id == target.id) {
    return forbidden("a host moves other participants of their own room");
  }
  if (target.role == R::kHost) {
    return forbidden("hosts are not moved");
  }
  return ok_status();
}

Result<ParticipantState> self_move(RoomMove move, const Participant& place) {
  switch (move) {
    case RoomMove::kDisconnect:
      return place.state == S::kWaiting || place.state == S::kAdmitted ? S::kAway : place.state;
    case RoomMove::kLeave:
      return S::kLeft;
    case RoomMove::kExpire:
      return place.state == S::kAway ? S::kLeft : place.state;
    case RoomMove::kAdmit:
    case RoomMove::kReturn:
      break;
  }
  return forbidden("nobody moves themselves in or out of the call");
}

}  // namespace

std::string_view room_move_name(RoomMove move) {
  switch (move) {
    case RoomMove::kAdmit:
      return "admit";
    case RoomMove::kReturn:
      return "return";
    case RoomMove::kDisconnect:
      return "disconnect";
    case RoomMove::kLeave:
      return "leave";
    case RoomMove::kExpire:
      return "expire";
  }
  return "leave";
}

ParticipantState state_on_join(ParticipantRole role, const std::optional<Participant>& place) {
  if (role == R::kHost) {
    return S::kAdmitted;
  }
  if (!place || place->role != role) {
    return S::kWaiting;
  }
  switch (place->state) {
    case S::kAdmitted:
      return S::kAdmitted;  // the same person from a second device
    case S::kAway:
      return place->away_from == S::kAdmitted ? S::kAdmitted : S::kWaiting;
    case S::kWaiting:
    case S::kLeft:
      break;
  }
  return S::kWaiting;
}

Result<ParticipantState> state_after(const Participant& actor, RoomMove move,
                                     const Participant& target) {
  if (move != RoomMove::kAdmit && move != RoomMove::kReturn) {
    if (actor.id != target.id) {
      return forbidden("only one's own place can be left");
    }
    return self_move(move, target);
  }
  TH_RETURN_IF_ERROR(may_move_other(actor, target));
  if (move == RoomMove::kAdmit) {
    if (target.state != S::kWaiting && target.state != S::kAdmitted) {
      return forbidden("only a waiting participant can be admitted");
    }
    return S::kAdmitted;
  }
  if (target.state != S::kWaiting && target.state != S::kAdmitted) {
    return forbidden("only a participant in the call can be returned");
  }
  return S::kWaiting;
}

Status may_signal(const Participant& from, const Participant& to) {
  if (from.state != S::kAdmitted) {
    return forbidden("signaling is for participants in the call");
  }
  if (to.state != S::kAdmitted || to.appointment_id != from.appointment_id || to.id == from.id) {
    return forbidden("the recipient is not in the call");
  }
  return ok_status();
}

Status may_share_screen(const Participant& participant) {
  if (participant.state != S::kAdmitted) {
    return forbidden("screen sharing is for participants in the call");
  }
  return ok_status();
}

bool sees(const Participant& viewer, const Participant& other) {
  if (viewer.appointment_id != other.appointment_id || !viewer.present() || !other.present()) {
    return false;
  }
  if (viewer.role == R::kHost) {
    return true;
  }
  if (viewer.state != S::kAdmitted) {
    return false;
  }
  return other.state == S::kAdmitted ||
         (other.state == S::kAway && other.away_from == S::kAdmitted);
}

Status room_has_space(const std::vector<Participant>& room, std::string_view person,
                      int max_participants) {
  int others = 0;
  for (const Participant& place : room) {
    if (place.person == person && place.present()) {
      return ok_status();
    }
    others += place.present() ? 1 : 0;
  }
  if (others >= std::min(max_participants, kMaxRoomParticipants)) {
    return forbidden("the room is full");
  }
  return ok_status();
}

bool grace_over(const Participant& participant, UnixMicros now, int grace_seconds) {
  return participant.state == S::kAway &&
         now >= participant.away_since + static_cast<UnixMicros>(grace_seconds) * 1'000'000;
}

}  // namespace th::visits
