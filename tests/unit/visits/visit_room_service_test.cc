// Visit rooms over the real scheduling services and a SQLite database: who
// joins in which state, who may move whom, the visit's status following
// the patient, rejoins within and after the grace, signaling checks, the
// room's size, transfers and the audit trail.

#include "visits/visit_room_service.h"

#include <gtest/gtest.h>

#include "../scheduling/scheduling_fixture.h"

namespace th::visits {
namespace {

using scheduling::AppointmentStatus;
using scheduling::at;

class VisitRoomServiceTest : public scheduling::SchedulingFixture {
 protected:
  void SetUp() override {
    SchedulingFixture::SetUp();
    practitioner_ = add_practitioner();
    patient_record_ = add_patient("OR");
    patient_user_ = add_user("patient", patient_record_);
    auto booked = services_->bookings.book(
        booking(practitioner_, patient_record_, "2026-03-09T09:00:00Z"), front_desk());
    ASSERT_TRUE(booked.ok()) << booked.error().message();
    visit_ = booked->appointment.id;
    clock_.set_micros(at("2026-03-09T08:50:00Z"));
    service_ = std::make_unique<VisitRoomService>(
        VisitRoomServiceDeps{*database_, services_->appointments, services_->practitioners,
                             services_->access, services_->visits, store_, audit_, clock_, video_});
  }

  access::Caller host() { return caller_as("clinician", practitioner_); }
  access::Caller patient() { return caller_as("patient", patient_user_, patient_record_); }
  access::Caller guest(const std::string& session = "guest-session-1") {
    access::Caller caller;
    caller.principal.kind = access::PrincipalKind::kGuest;
    caller.principal.role = "guest";
    caller.principal.session_id = session;
    caller.principal.guest_appointment_id = visit_;
    return caller;
  }
  static Endpoint on(std::uint64_t connection) { return Endpoint{"node-a", connection}; }

  void check_in() { ASSERT_TRUE(services_->visits.check_in(visit_, patient()).ok()); }

  AppointmentStatus status() {
    auto room = service_->room(visit_);
    EXPECT_TRUE(room.ok());
    return room.ok() ? room->status : AppointmentStatus::kScheduled;
  }

  std::vector<audit::AuditEvent> events_of(const std::string& action) {
    std::vector<audit::AuditEvent> found;
    for (const audit::AuditEvent& event : audit_.events()) {
      if (event.resource_type == "visit_room" && event.action == action) {
        found.push_back(event);
      }
    }
    return found;
  }

  // Host and patient in the call; returns the patient's participant id.
  std::string in_call() {
    check_in();
    EXPECT_TRUE(service_->join(visit_, host(), on(1)).ok());
    auto joined = service_->join(visit_, patient(), on(2));
    EXPECT_TRUE(joined.ok());
    const std::string id = joined.ok() ? joined->change.participant.id : "";
    EXPECT_TRUE(service_->admit(visit_, id, host()).ok());
    return id;
  }

  VideoSettings video_;
  VisitRoomStore store_;
  std::unique_ptr<VisitRoomService> service_;
  std::string practitioner_;
  std::string patient_record_;
  std::string patient_user_;
  std::string visit_;
};

TEST_F(VisitRoomServiceTest, CheckedInPatientWaitsWithAPositionAndTheHostIsInTheCall) {
  check_in();

  auto hosted = service_->join(visit_, host(), on(1));
  auto waiting = service_->join(visit_, patient(), on(2));

  ASSERT_TRUE(hosted.ok()) << hosted.error().message();
  ASSERT_TRUE(waiting.ok()) << waiting.error().message();
  EXPECT_EQ(hosted->change.participant.state, ParticipantState::kAdmitted);
  EXPECT_EQ(hosted->change.participant.role, ParticipantRole::kHost);
  EXPECT_EQ(waiting->change.participant.state, ParticipantState::kWaiting);
  auto position = service_->position(waiting->room);
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(position->position, 1);
  EXPECT_EQ(position->estimated_wait_seconds, 600);
  ASSERT_EQ(events_of("join").size(), 2U);
  EXPECT_EQ(events_of("join")[1].patient_id, patient_record_);
}

TEST_F(VisitRoomServiceTest, PatientWhoHasNotCheckedInCannotJoin) {
  auto refused = service_->join(visit_, patient(), on(2));

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().message(), "forbidden: check in before joining the visit");
  ASSERT_EQ(events_of("join").size(), 1U);
  EXPECT_EQ(events_of("join")[0].outcome, audit::AuditOutcome::kDenied);
}

TEST_F(VisitRoomServiceTest, OutsidersAreRefusedAndTheirAttemptIsAudited) {
  check_in();
  const std::string outsider = add_user("clinician");
  const std::string other_record = add_patient("OR");
  const std::string other_patient = add_user("patient", other_record);

  auto clinician = service_->join(visit_, caller_as("clinician", outsider), on(3));
  auto stranger = service_->join(visit_, caller_as("patient", other_patient, other_record), on(4));
  access::Caller other_guest = guest();
  other_guest.principal.guest_appointment_id = "another-visit";
  auto wrong_guest = service_->join(visit_, other_guest, on(5));

  // A clinician outside the patient's care sees the schedule but may not
  // host; a patient or guest of another visit learns nothing of this one.
  ASSERT_FALSE(clinician.ok());
  EXPECT_EQ(clinician.error().code(), ErrorCode::kPermissionDenied);
  for (const auto* refused : {&stranger, &wrong_guest}) {
    ASSERT_FALSE(refused->ok());
    EXPECT_EQ(refused->error().code(), ErrorCode::kNotFound);
  }
  const auto denied = events_of("join");
  ASSERT_EQ(denied.size(), 3U);
  for (const audit::AuditEvent& event : denied) {
    EXPECT_EQ(event.outcome, audit::AuditOutcome::kDenied);
    EXPECT_EQ(event.patient_id, patient_record_);
  }
}

TEST_F(VisitRoomServiceTest, AdmittingThePatientStartsTheVisitAndReturningSendsItBack) {
  const std::string patient_id = in_call();
  const AppointmentStatus started = status();

  auto returned = service_->return_to_waiting(visit_, patient_id, host());

  EXPECT_EQ(started, AppointmentStatus::kInProgress);
  ASSERT_TRUE(returned.ok()) << returned.error().message();
  EXPECT_TRUE(returned->moved);
  EXPECT_EQ(returned->change.participant.state, ParticipantState::kWaiting);
  EXPECT_EQ(status(), AppointmentStatus::kCheckedIn);
  EXPECT_EQ(events_of("admit").size(), 1U);
  EXPECT_EQ(events_of("return").size(), 1U);
  EXPECT_EQ(events_of("return")[0].patient_id, patient_record_);
}

TEST_F(VisitRoomServiceTest, OnlyAHostInTheCallAdmits) {
  check_in();
  auto waiting = service_->join(visit_, patient(), on(2));
  ASSERT_TRUE(waiting.ok());
  auto guest_place = service_->join(visit_, guest(), on(3));
  ASSERT_TRUE(guest_place.ok());

  auto self = service_->admit(visit_, waiting->change.participant.id, patient());
  auto other = service_->admit(visit_, waiting->change.participant.id, guest());
  auto absent_host = service_->admit(visit_, guest_place->change.participant.id, host());

  for (const auto* refused : {&self, &other, &absent_host}) {
    ASSERT_FALSE(refused->ok());
    EXPECT_EQ(refused->error().code(), ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(status(), AppointmentStatus::kCheckedIn);
  EXPECT_EQ(events_of("guest_join").size(), 1U);
}

TEST_F(VisitRoomServiceTest, RejoinWithinTheGraceTakesBackOnlyTheOwnPlace) {
  const std::string patient_id = in_call();
  auto guest_place = service_->join(visit_, guest(), on(3));
  ASSERT_TRUE(guest_place.ok());

  auto away = service_->disconnected(on(2));
  clock_.advance_seconds(30);
  auto expired_early = service_->expire_away();
  auto back = service_->join(visit_, patient(), on(7));

  ASSERT_TRUE(away.ok());
  ASSERT_EQ(away->size(), 1U);
  EXPECT_EQ((*away)[0].participant.state, ParticipantState::kAway);
  ASSERT_TRUE(expired_early.ok());
  EXPECT_TRUE(expired_early->empty());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->change.participant.id, patient_id);
  EXPECT_EQ(back->change.participant.state, ParticipantState::kAdmitted);
  EXPECT_EQ(back->change.participant.endpoint, on(7));
  const Participant* guest_now = back->room.find(guest_place->change.participant.id);
  ASSERT_NE(guest_now, nullptr);
  EXPECT_EQ(guest_now->state, ParticipantState::kWaiting);
  EXPECT_EQ(guest_now->endpoint, on(3));
  EXPECT_EQ(events_of("rejoin").size(), 1U);
}

TEST_F(VisitRoomServiceTest, JoiningFromASecondDeviceNamesTheConnectionItReplaces) {
  check_in();
  ASSERT_TRUE(service_->join(visit_, patient(), on(2)).ok());

  auto second = service_->join(visit_, patient(), on(9));

  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->change.replaced.has_value());
  EXPECT_EQ(*second->change.replaced, on(2));
}

TEST_F(VisitRoomServiceTest, AfterTheGraceThePlaceIsLeftAndTheReturningPatientWaits) {
  const std::string patient_id = in_call();
  ASSERT_TRUE(service_->disconnected(on(2)).ok());

  clock_.advance_seconds(video_.rejoin_grace_seconds);
  auto expired = service_->expire_away();
  auto again = service_->expire_away();
  auto back = service_->join(visit_, patient(), on(8));

  ASSERT_TRUE(expired.ok());
  ASSERT_EQ(expired->size(), 1U);
  EXPECT_EQ((*expired)[0].participant.state, ParticipantState::kLeft);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->change.participant.id, patient_id);
  EXPECT_EQ(back->change.participant.state, ParticipantState::kWaiting);
}

TEST_F(VisitRoomServiceTest, SignalingNeedsBothEndsInTheCallAndRefusalsAreAudited) {
  check_in();
  auto hosted = service_->join(visit_, host(), on(1));
  auto waiting = service_->join(visit_, patient(), on(2));
  ASSERT_TRUE(hosted.ok() && waiting.ok());
  const std::string host_id = hosted->change.participant.id;
  const std::string patient_id = waiting->change.participant.id;

  auto from_waiting = service_->route_signal(waiting->room, host_id, patient(), on(2));
  auto to_waiting = service_->route_signal(waiting->room, patient_id, host(), on(1));
  auto admission = service_->admit(visit_, patient_id, host());
  ASSERT_TRUE(admission.ok());
  auto admitted = service_->route_signal(admission->room, host_id, patient(), on(2));
  auto stale_device = service_->route_signal(admission->room, host_id, patient(), on(5));

  ASSERT_FALSE(from_waiting.ok());
  EXPECT_EQ(from_waiting.error().code(), ErrorCode::kPermissionDenied);
  ASSERT_FALSE(to_waiting.ok());
  ASSERT_TRUE(admitted.ok()) << admitted.error().message();
  EXPECT_EQ(admitted->to.endpoint, on(1));
  EXPECT_EQ(admitted->from.id, patient_id);
  EXPECT_EQ(&admitted->to, admission->room.find(host_id));  // the room's own place
  EXPECT_FALSE(stale_device.ok());
  const auto denied = events_of("signal");
  ASSERT_EQ(denied.size(), 3U);
  EXPECT_EQ(denied[0].outcome, audit::AuditOutcome::kDenied);
  EXPECT_EQ(denied[0].patient_id, patient_record_);
}

TEST_F(VisitRoomServiceTest, AFullRoomRefusesTheNextPerson) {
  video_.max_participants = 2;
  check_in();
  ASSERT_TRUE(service_->join(visit_, host(), on(1)).ok());
  ASSERT_TRUE(service_->join(visit_, patient(), on(2)).ok());

  auto refused = service_->join(visit_, guest(), on(3));
  auto rejoin = service_->join(visit_, patient(), on(4));

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "forbidden: the room is full");
  EXPECT_TRUE(rejoin.ok());
}

TEST_F(VisitRoomServiceTest, ScreenSharingIsForTheCallAndItsStartIsAudited) {
  check_in();
  ASSERT_TRUE(service_->join(visit_, host(), on(1)).ok());
  ASSERT_TRUE(service_->join(visit_, patient(), on(2)).ok());

  auto started = service_->screen_share(visit_, true, host());
  auto stopped = service_->screen_share(visit_, false, host());
  auto waiting = service_->screen_share(visit_, true, patient());

  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(started->moved);
  EXPECT_TRUE(started->change.participant.screen_sharing);
  ASSERT_TRUE(stopped.ok());
  EXPECT_FALSE(stopped->change.participant.screen_sharing);
  EXPECT_FALSE(waiting.ok());
  const auto events = events_of("screen_share");
  ASSERT_EQ(events.size(), 2U);  // the start, and the waiting patient's refusal
  EXPECT_EQ(events[0].outcome, audit::AuditOutcome::kSuccess);
  EXPECT_EQ(events[1].outcome, audit::AuditOutcome::kDenied);
}

TEST_F(VisitRoomServiceTest, TransferMovesTheCheckedInVisitToAnotherQueue) {
  check_in();
  const std::string other = add_practitioner();

  auto by_patient = service_->transfer(visit_, other, patient());
  auto moved = service_->transfer(visit_, other, host());

  ASSERT_FALSE(by_patient.ok());
  EXPECT_EQ(by_patient.error().code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(moved.ok()) << moved.error().message();
  EXPECT_EQ(moved->practitioner_id, other);
  EXPECT_EQ(moved->status, AppointmentStatus::kCheckedIn);
}

TEST_F(VisitRoomServiceTest, TransferIsRefusedWhenTheOtherPractitionerHasAVisitStartingThen) {
  check_in();
  const std::string other = add_practitioner();
  const std::string someone = add_patient("OR");
  ASSERT_TRUE(
      services_->bookings.book(booking(other, someone, "2026-03-09T09:00:00Z"), front_desk()).ok());

  auto refused = service_->transfer(visit_, other, host());

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "forbidden: that practitioner has another visit starting then");
  auto room = service_->room(visit_);
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->practitioner_id, practitioner_);
}

TEST_F(VisitRoomServiceTest, AVisitUnderWayIsNotTransferred) {
  in_call();
  const std::string other = add_practitioner();

  auto refused = service_->transfer(visit_, other, host());

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().message(), "forbidden: only a checked-in visit can be transferred");
  EXPECT_EQ(status(), AppointmentStatus::kInProgress);
}

TEST_F(VisitRoomServiceTest, ClosingTheRoomLeavesEveryPlace) {
  in_call();

  auto closed = service_->close_room(visit_);

  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->size(), 2U);
  auto room = service_->room(visit_);
  ASSERT_TRUE(room.ok());
  for (const Participant& participant : room->participants) {
    EXPECT_EQ(participant.state, ParticipantState::kLeft);
  }
}

}  // namespace
}  // namespace th::visits
