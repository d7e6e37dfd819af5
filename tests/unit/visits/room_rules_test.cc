// The rules of a visit room, checked over every combination of roles,
// states and moves: nobody but a host's admit puts a patient or guest in
// the call, a rejoin takes back only the rejoiner's own place, signaling
// only between admitted participants, and the room's size limit.

#include "visits/room_rules.h"

#include <gtest/gtest.h>

#include <vector>

namespace th::visits {
namespace {

using R = ParticipantRole;
using S = ParticipantState;

const std::vector<R> kRoles = {R::kPatient, R::kGuest, R::kHost};
const std::vector<S> kStates = {S::kWaiting, S::kAdmitted, S::kAway, S::kLeft};
const std::vector<RoomMove> kMoves = {RoomMove::kAdmit, RoomMove::kReturn, RoomMove::kDisconnect,
                                      RoomMove::kLeave, RoomMove::kExpire};

Participant place(const std::string& id, R role, S state, S away_from = S::kWaiting) {
  Participant participant;
  participant.id = id;
  participant.appointment_id = "visit-1";
  participant.person = "user:" + id;
  participant.role = role;
  participant.state = state;
  participant.away_from = away_from;
  return participant;
}

// Every place a person can hold: each role, state and (while away) the
// state it is away from.
std::vector<Participant> every_place(const std::string& id) {
  std::vector<Participant> places;
  for (const R role : kRoles) {
    for (const S state : kStates) {
      places.push_back(place(id, role, state, S::kWaiting));
      if (state == S::kAway) {
        places.push_back(place(id, role, state, S::kAdmitted));
      }
    }
  }
  return places;
}

TEST(RoomRulesTest, NobodyButAHostsAdmitPutsAPatientOrGuestInTheCall) {
  for (const Participant& actor : every_place("actor")) {
    for (const Participant& target : every_place("target")) {
      for (const RoomMove move : kMoves) {
        for (const bool self : {false, true}) {
          const Participant& moved = self ? actor : target;
          auto after = state_after(actor, move, moved);
          if (!after.ok() || *after != S::kAdmitted || moved.state == S::kAdmitted ||
              moved.role == R::kHost) {
            continue;
          }
          EXPECT_EQ(move, RoomMove::kAdmit) << room_move_name(move);
          EXPECT_FALSE(self);
          EXPECT_EQ(actor.role, R::kHost);
          EXPECT_EQ(actor.state, S::kAdmitted);
          EXPECT_EQ(moved.state, S::kWaiting);
        }
      }
    }
  }
}

TEST(RoomRulesTest, JoiningPatientsAndGuestsWaitUnlessTheyTakeBackTheirOwnPlaceInTheCall) {
  for (const R role : {R::kPatient, R::kGuest}) {
    EXPECT_EQ(state_on_join(role, std::nullopt), S::kWaiting);
    for (const Participant& own : every_place("p")) {
      const bool in_call =
          own.role == role &&
          (own.state == S::kAdmitted || (own.state == S::kAway && own.away_from == S::kAdmitted));

      const S joined = state_on_join(role, own);

      EXPECT_EQ(joined, in_call ? S::kAdmitted : S::kWaiting)
          << participant_role_name(own.role) << " " << participant_state_name(own.state);
    }
  }
}

TEST(RoomRulesTest, HostsJoinTheCall) {
  EXPECT_EQ(state_on_join(R::kHost, std::nullopt), S::kAdmitted);
  EXPECT_EQ(state_on_join(R::kHost, place("h", R::kHost, S::kLeft)), S::kAdmitted);
}

TEST(RoomRulesTest, AfterTheGraceAPlaceIsLeftAndARejoinWaitsAgain) {
  Participant away = place("p", R::kPatient, S::kAway, S::kAdmitted);
  away.away_since = 1'000'000'000;

  const bool early = grace_over(away, away.away_since + 59'999'999, 60);
  const bool late = grace_over(away, away.away_since + 60'000'000, 60);
  auto expired = state_after(away, RoomMove::kExpire, away);
  Participant left = away;
  left.state = *expired;

  EXPECT_FALSE(early);
  EXPECT_TRUE(late);
  EXPECT_EQ(*expired, S::kLeft);
  EXPECT_EQ(state_on_join(R::kPatient, left), S::kWaiting);
}

TEST(RoomRulesTest, OnlyOnesOwnPlaceIsLeftOrDisconnected) {
  const Participant host = place("h", R::kHost, S::kAdmitted);
  const Participant patient = place("p", R::kPatient, S::kAdmitted);

  for (const RoomMove move : {RoomMove::kDisconnect, RoomMove::kLeave, RoomMove::kExpire}) {
    auto refused = state_after(host, move, patient);

    ASSERT_FALSE(refused.ok()) << room_move_name(move);
    EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_TRUE(refused.error().message().starts_with("forbidden: "));
  }
  EXPECT_EQ(*state_after(patient, RoomMove::kDisconnect, patient), S::kAway);
  EXPECT_EQ(*state_after(patient, RoomMove::kLeave, patient), S::kLeft);
}

TEST(RoomRulesTest, HostsMoveOtherPatientsAndGuestsButNotThemselvesOrOtherHosts) {
  const Participant host = place("h", R::kHost, S::kAdmitted);
  const Participant waiting_host = place("h2", R::kHost, S::kWaiting);
  const Participant guest = place("g", R::kGuest, S::kWaiting);

  EXPECT_EQ(*state_after(host, RoomMove::kAdmit, guest), S::kAdmitted);
  EXPECT_FALSE(state_after(host, RoomMove::kAdmit, host).ok());
  EXPECT_FALSE(state_after(host, RoomMove::kReturn, place("h3", R::kHost, S::kAdmitted)).ok());
  EXPECT_FALSE(state_after(waiting_host, RoomMove::kAdmit, guest).ok());
  EXPECT_FALSE(state_after(place("p", R::kPatient, S::kAdmitted), RoomMove::kAdmit, guest).ok());
  EXPECT_EQ(*state_after(host, RoomMove::kReturn, place("p", R::kPatient, S::kAdmitted)),
            S::kWaiting);
  EXPECT_FALSE(state_after(host, RoomMove::kAdmit, place("a", R::kGuest, S::kAway)).ok());
}

TEST(RoomRulesTest, HostsOfAnotherRoomMoveNobodyHere) {
  Participant host = place("h", R::kHost, S::kAdmitted);
  host.appointment_id = "visit-2";

  EXPECT_FALSE(state_after(host, RoomMove::kAdmit, place("p", R::kPatient, S::kWaiting)).ok());
}

TEST(RoomRulesTest, SignalingOnlyBetweenTwoAdmittedParticipantsOfOneRoom) {
  for (const Participant& from : every_place("from")) {
    for (const Participant& to : every_place("to")) {
      const bool both_in = from.state == S::kAdmitted && to.state == S::kAdmitted;

      EXPECT_EQ(may_signal(from, to).ok(), both_in);
    }
  }
  const Participant admitted = place("a", R::kPatient, S::kAdmitted);
  Participant elsewhere = place("b", R::kHost, S::kAdmitted);
  elsewhere.appointment_id = "visit-2";
  EXPECT_FALSE(may_signal(admitted, admitted).ok());
  EXPECT_FALSE(may_signal(admitted, elsewhere).ok());
}

TEST(RoomRulesTest, WaitingParticipantsSeeNobodyAndAdmittedOnesSeeTheCall) {
  const Participant host = place("h", R::kHost, S::kAdmitted);
  const Participant patient = place("p", R::kPatient, S::kAdmitted);
  const Participant guest = place("g", R::kGuest, S::kWaiting);

  EXPECT_TRUE(sees(host, guest));
  EXPECT_FALSE(sees(patient, guest));
  EXPECT_TRUE(sees(patient, host));
  EXPECT_FALSE(sees(guest, host));
  EXPECT_FALSE(sees(guest, patient));
  EXPECT_FALSE(sees(host, place("l", R::kGuest, S::kLeft)));
  EXPECT_TRUE(sees(patient, place("a", R::kGuest, S::kAway, S::kAdmitted)));
}

TEST(RoomRulesTest, OnlyScreenSharingInTheCall) {
  EXPECT_TRUE(may_share_screen(place("p", R::kPatient, S::kAdmitted)).ok());
  EXPECT_FALSE(may_share_screen(place("p", R::kPatient, S::kWaiting)).ok());
  EXPECT_FALSE(may_share_screen(place("p", R::kPatient, S::kAway)).ok());
}

TEST(RoomRulesTest, AFullRoomRefusesNewcomersButNotARejoin) {
  std::vector<Participant> room;
  for (int i = 0; i < 6; ++i) {
    room.push_back(place("p" + std::to_string(i), R::kGuest, S::kAdmitted));
  }
  room.push_back(place("gone", R::kGuest, S::kLeft));

  const Status newcomer = room_has_space(room, "user:new", 6);
  const Status rejoin = room_has_space(room, "user:p3", 6);
  const Status came_back = room_has_space(room, "user:gone", 6);
  const Status smaller = room_has_space({room.begin(), room.begin() + 2}, "user:new", 2);
  const Status capped = room_has_space(room, "user:new", 50);

  ASSERT_FALSE(newcomer.ok());
  EXPECT_EQ(newcomer.error().message(), "forbidden: the room is full");
  EXPECT_TRUE(rejoin.ok());
  EXPECT_FALSE(came_back.ok());
  EXPECT_FALSE(smaller.ok());
  EXPECT_FALSE(capped.ok());
  EXPECT_TRUE(room_has_space({room.begin(), room.begin() + 5}, "user:new", 6).ok());
}

}  // namespace
}  // namespace th::visits
