// The visit state machine: the permitted moves, the refusals, the timing
// rules of check-in and no-show, and the timestamps a move leaves.

#include "scheduling/visit_state_machine.h"

#include <gtest/gtest.h>

#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

using S = AppointmentStatus;
using A = VisitAction;

constexpr UnixMicros kStart = 1'800'000'000'000'000;

Appointment booked() {
  Appointment appointment;
  appointment.id = "a1";
  appointment.starts_at = kStart;
  appointment.ends_at = kStart + 20 * kMicrosPerMinute;
  return appointment;
}

TEST(VisitStateMachineTest, FollowsTheVisitFromScheduledToCompleted) {
  EXPECT_EQ(*next_status(S::kScheduled, A::kCheckIn), S::kCheckedIn);
  EXPECT_EQ(*next_status(S::kCheckedIn, A::kStart), S::kInProgress);
  EXPECT_EQ(*next_status(S::kInProgress, A::kComplete), S::kCompleted);
}

TEST(VisitStateMachineTest, CancelsAndMarksNoShowsOnlyBeforeTheVisitBegins) {
  EXPECT_EQ(*next_status(S::kScheduled, A::kCancel), S::kCancelled);
  EXPECT_EQ(*next_status(S::kCheckedIn, A::kCancel), S::kCancelled);
  EXPECT_EQ(*next_status(S::kScheduled, A::kNoShow), S::kNoShow);
  EXPECT_FALSE(next_status(S::kInProgress, A::kCancel).ok());
  EXPECT_FALSE(next_status(S::kInProgress, A::kNoShow).ok());
}

TEST(VisitStateMachineTest, RefusesSkippedStepsAndMovesOutOfFinalStates) {
  EXPECT_FALSE(next_status(S::kScheduled, A::kStart).ok());
  EXPECT_FALSE(next_status(S::kScheduled, A::kComplete).ok());
  EXPECT_FALSE(next_status(S::kCheckedIn, A::kCheckIn).ok());
  EXPECT_FALSE(next_status(S::kCheckedIn, A::kReschedule).ok());
  for (const S final_status : {S::kCompleted, S::kCancelled, S::kNoShow}) {
    EXPECT_TRUE(is_final(final_status));
    for (const A action : {A::kCheckIn, A::kStart, A::kComplete, A::kCancel, A::kNoShow,
                           A::kReschedule, A::kReturn}) {
      EXPECT_FALSE(next_status(final_status, action).ok())
          << appointment_status_name(final_status) << " " << visit_action_name(action);
    }
  }
}

TEST(VisitStateMachineTest, ReturnSendsOnlyAVisitInProgressBackToTheWaitingRoom) {
  Appointment appointment = booked();
  appointment.status = S::kInProgress;
  appointment.checked_in_at = kStart - 5 * kMicrosPerMinute;
  appointment.started_at = kStart;

  const auto to = next_status(S::kInProgress, A::kReturn);
  apply_action(appointment, A::kReturn, *to, kStart + kMicrosPerMinute, "host");

  EXPECT_EQ(*to, S::kCheckedIn);
  EXPECT_EQ(appointment.started_at, 0);
  EXPECT_EQ(appointment.checked_in_at, kStart - 5 * kMicrosPerMinute);
  for (const S status : {S::kScheduled, S::kCheckedIn, S::kCompleted, S::kCancelled, S::kNoShow}) {
    EXPECT_FALSE(next_status(status, A::kReturn).ok()) << appointment_status_name(status);
  }
}

TEST(VisitStateMachineTest, RefusalNamesTheMoveAndTheStatus) {
  auto refused = next_status(S::kCompleted, A::kCheckIn);

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message(),
            "invalid_transition: cannot check_in an appointment that is completed");
}

TEST(VisitStateMachineTest, CheckInOpensTheConfiguredTimeBeforeTheStart) {
  const Appointment appointment = booked();

  const Status early = check_timing(appointment, A::kCheckIn, kStart - 31 * kMicrosPerMinute, 30);
  const Status open = check_timing(appointment, A::kCheckIn, kStart - 30 * kMicrosPerMinute, 30);
  const Status late = check_timing(appointment, A::kCheckIn, appointment.ends_at, 30);

  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().message(),
            "check_in_not_open: check-in opens 30 minutes before the start");
  EXPECT_TRUE(open.ok());
  EXPECT_FALSE(late.ok());
}

TEST(VisitStateMachineTest, NoShowOnlyOnceTheStartHasPassed) {
  const Appointment appointment = booked();

  EXPECT_FALSE(check_timing(appointment, A::kNoShow, kStart - 1, 30).ok());
  EXPECT_TRUE(check_timing(appointment, A::kNoShow, kStart, 30).ok());
}

TEST(VisitStateMachineTest, ApplyingAMoveStampsItsTime) {
  Appointment appointment = booked();

  apply_action(appointment, A::kCheckIn, S::kCheckedIn, kStart - 5, "u1");
  apply_action(appointment, A::kStart, S::kInProgress, kStart + 1, "u2");
  apply_action(appointment, A::kCancel, S::kCancelled, kStart + 2, "u3");

  EXPECT_EQ(appointment.checked_in_at, kStart - 5);
  EXPECT_EQ(appointment.started_at, kStart + 1);
  EXPECT_EQ(appointment.cancelled_at, kStart + 2);
  EXPECT_EQ(appointment.cancelled_by, "u3");
  EXPECT_EQ(appointment.updated_by, "u3");
  EXPECT_EQ(appointment.status, S::kCancelled);
}

TEST(AppointmentStatusTest, NamesRoundTrip) {
  for (const S status :
       {S::kScheduled, S::kCheckedIn, S::kInProgress, S::kCompleted, S::kCancelled, S::kNoShow}) {
    EXPECT_EQ(*parse_appointment_status(appointment_status_name(status)), status);
  }
  EXPECT_FALSE(parse_appointment_status("done").ok());
}

}  // namespace
}  // namespace th::scheduling
