// The rules of a visit room: what state a joining person gets, who may move
// whom, who may signal whom and who sees whom. Pure functions over
// participant values; thread-safe.
//
//   join        hosts are admitted; a patient or guest waits, unless they
//               take back a place of their own that is admitted or away
//               from admitted (a rejoin takes back the rejoiner's own place
//               and state, nobody else's)
//   admit       a host in the call lets a waiting patient or guest in: the
//               only way for anyone but a host to become admitted
//   return      a host in the call sends an admitted patient or guest back
//               to the waiting room
//   disconnect  one's own connection closed: waiting or admitted -> away
//   leave       one's own place given up: -> left
//   expire      the rejoin grace of an away place ran out: away -> left
//
// Refusals are kPermissionDenied with a message starting "forbidden: ",
// the protocol's error code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "visits/participant.h"

namespace th::visits {

// At most this many people in a room, whatever the configuration says: a
// full mesh of WebRTC connections grows as the square of its size.
inline constexpr int kMaxRoomParticipants = 6;

enum class RoomMove { kAdmit, kReturn, kDisconnect, kLeave, kExpire };

// "admit", "return", "disconnect", "leave", "expire".
std::string_view room_move_name(RoomMove move);

// The state of a person of `role` joining, given the place they already
// have in the room, if any.
ParticipantState state_on_join(ParticipantRole role, const std::optional<Participant>& place);

// The state `target` has after `actor` takes `move` on it (the same state
// when there is nothing to change). For the moves on one's own place
// (disconnect, leave, expire) actor and target are the same participant.
[[nodiscard]] Result<ParticipantState> state_after(const Participant& actor, RoomMove move,
                                                   const Participant& target);

// Whether `from` may send signaling to `to`: both admitted, in the same
// room, and not the same participant.
[[nodiscard]] Status may_signal(const Participant& from, const Participant& to);

// Whether a participant may start or stop sharing a screen: admitted only.
[[nodiscard]] Status may_share_screen(const Participant& participant);

// Whether `viewer` is shown `other` in participant lists and announcements:
// hosts see everyone present, admitted patients and guests see those in the
// call (and those who went away from it), waiting participants see nobody.
bool sees(const Participant& viewer, const Participant& other);

// Whether `person` fits into `room` (its present places) at `max_participants`:
// a place of their own counts as already in.
[[nodiscard]] Status room_has_space(const std::vector<Participant>& room, std::string_view person,
                                    int max_participants);

// Whether an away place's grace has run out at `now`.
bool grace_over(const Participant& participant, UnixMicros now, int grace_seconds);

}  // namespace th::visits
