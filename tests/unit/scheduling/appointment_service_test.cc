// Booking, rescheduling, cancelling and the visit steps against a real
// SQLite database: licensure, availability, double booking (including by
// racing threads and by visits of different lengths), the care-team scope
// an appointment gives, the queue, audit events and the observer hooks.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "scheduling_fixture.h"

namespace th::scheduling {
namespace {

class AppointmentServiceTest : public SchedulingFixture {
 protected:
  // Books the patients at 09:00, 09:20, ... on Monday 9 March and checks
  // them in at 09:10 (when check-in is open for the first three), the last
  // booked first; returns the appointment ids.
  std::vector<std::string> waiting_room(const std::string& practitioner,
                                        const std::vector<std::string>& patients) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < patients.size(); ++i) {
      BookingRequest request = booking(practitioner, patients[i], "2026-03-09T09:00:00Z");
      request.starts_at += static_cast<UnixMicros>(i) * 20 * kMicrosPerMinute;
      auto booked = services_->bookings.book(request, front_desk());
      EXPECT_TRUE(booked.ok());
      ids.push_back(booked.ok() ? booked->appointment.id : "");
    }
    clock_.set_micros(at("2026-03-09T09:10:00Z"));
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
      EXPECT_TRUE(services_->visits.check_in(*id, front_desk()).ok());
    }
    return ids;
  }
};

TEST_F(AppointmentServiceTest, FrontDeskBooksAVisitInsideAvailability) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");

  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:20:00Z"),
                                         front_desk());

  ASSERT_TRUE(booked.ok()) << booked.error().message();
  EXPECT_EQ(booked->appointment.status, AppointmentStatus::kScheduled);
  EXPECT_EQ(booked->appointment.ends_at, at("2026-03-09T09:40:00Z"));
  EXPECT_EQ(booked->appointment.booked_by, front_desk_id_);
  EXPECT_FALSE(booked->reason_visible);  // front desk holds no clinical scope
  const auto events = audit_.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "book");
  EXPECT_EQ(events.back().patient_id, patient);
  EXPECT_EQ(events.back().resource_id, booked->appointment.id);
}

TEST_F(AppointmentServiceTest, PatientBooksOnlyForThemselves) {
  const std::string practitioner = add_practitioner();
  const std::string own = add_patient("OR");
  const std::string other = add_patient("OR");
  const access::Caller patient = caller_as("patient", add_user("patient", own), own);

  auto mine = services_->bookings.book(booking(practitioner, "", "2026-03-09T10:00:00Z"), patient);
  auto theirs =
      services_->bookings.book(booking(practitioner, other, "2026-03-09T11:00:00Z"), patient);

  ASSERT_TRUE(mine.ok()) << mine.error().message();
  EXPECT_EQ(mine->appointment.patient_id, own);
  EXPECT_TRUE(mine->reason_visible);
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_.events().back().outcome, audit::AuditOutcome::kDenied);
}

TEST_F(AppointmentServiceTest, RefusesAPractitionerUnlicensedInThePatientsState) {
  const std::string practitioner = add_practitioner("OR,WA");
  const std::string patient = add_patient("TX");

  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());

  ASSERT_FALSE(booked.ok());
  EXPECT_EQ(booked.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(booked.error().message().starts_with("not_licensed:"));
  EXPECT_NE(booked.error().message().find("TX"), std::string::npos);
  EXPECT_EQ(audit_.events().back().outcome, audit::AuditOutcome::kDenied);
}

TEST_F(AppointmentServiceTest, NextBookingSeesALicenseAddedOrRemoved) {
  const std::string practitioner = add_practitioner("OR,WA");
  const std::string patient = add_patient("TX");

  auto added = services_->schedule.change_licenses(practitioner, {"TX"}, {}, operator_caller());
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  auto removed = services_->schedule.change_licenses(practitioner, {}, {"TX"}, operator_caller());
  auto refused = services_->bookings.book(booking(practitioner, patient, "2026-03-09T10:00:00Z"),
                                          front_desk());

  ASSERT_TRUE(added.ok()) << added.error().message();
  EXPECT_EQ(added->license_states, (std::vector<std::string>{"OR", "TX", "WA"}));
  EXPECT_TRUE(booked.ok()) << booked.error().message();
  ASSERT_TRUE(removed.ok()) << removed.error().message();
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().message().starts_with("not_licensed:"));
}

TEST_F(AppointmentServiceTest, LicenseChangesAreAuditedWithTheirStates) {
  const std::string practitioner = add_practitioner("OR,WA");

  ASSERT_TRUE(
      services_->schedule.change_licenses(practitioner, {"CA", "NV"}, {"WA"}, operator_caller())
          .ok());

  const auto events = audit_.events();
  ASSERT_GE(events.size(), 2U);
  EXPECT_EQ(events[events.size() - 2].action, "license_add");
  EXPECT_EQ(events[events.size() - 2].reason, "states CA,NV");
  EXPECT_EQ(events.back().action, "license_remove");
  EXPECT_EQ(events.back().reason, "states WA");
  EXPECT_EQ(events.back().resource_id, practitioner);
}

TEST_F(AppointmentServiceTest, LicenseChangeOfAUserWithoutAProfileIsNotFound) {
  const std::string nurse = add_user("nurse");

  auto changed = services_->schedule.change_licenses(nurse, {"CA"}, {}, operator_caller());

  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code(), ErrorCode::kNotFound);
}

TEST_F(AppointmentServiceTest, RefusesTimesOutsideAvailabilityOrOffTheGrid) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");

  for (const char* start : {"2026-03-09T08:40:00Z", "2026-03-09T16:50:00Z", "2026-03-09T09:10:00Z",
                            "2026-03-07T10:00:00Z"}) {
    auto booked = services_->bookings.book(booking(practitioner, patient, start), front_desk());
    ASSERT_FALSE(booked.ok()) << start;
    EXPECT_TRUE(booked.error().message().starts_with("outside_availability")) << start;
  }
}

TEST_F(AppointmentServiceTest, RefusesThePastAndBeyondTheHorizon) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  clock_.set_micros(at("2026-03-09T10:05:00Z"));

  auto past = services_->bookings.book(booking(practitioner, patient, "2026-03-09T10:00:00Z"),
                                       front_desk());
  auto far = services_->bookings.book(booking(practitioner, patient, "2027-03-09T10:00:00Z"),
                                      front_desk());

  EXPECT_TRUE(past.error().message().starts_with("in_the_past"));
  EXPECT_TRUE(far.error().message().starts_with("beyond_horizon"));
}

TEST_F(AppointmentServiceTest, VisitsOfDifferentLengthsCannotOverlap) {
  const std::string practitioner = add_practitioner();
  const std::string first = add_patient("OR");
  const std::string second = add_patient("OR");

  auto long_visit = services_->bookings.book(
      booking(practitioner, first, "2026-03-09T09:00:00Z", "new_patient"), front_desk());
  auto inside =
      services_->bookings.book(booking(practitioner, second, "2026-03-09T09:20:00Z"), front_desk());
  auto after =
      services_->bookings.book(booking(practitioner, second, "2026-03-09T09:40:00Z"), front_desk());

  ASSERT_TRUE(long_visit.ok()) << long_visit.error().message();
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(inside.error().message().starts_with("slot_taken"));
  EXPECT_TRUE(after.ok());
}

TEST_F(AppointmentServiceTest, ExactlyOneOfRacingBookingsWins) {
  const std::string practitioner = add_practitioner();
  std::vector<std::string> patients;
  for (int i = 0; i < 12; ++i) {
    patients.push_back(add_patient("OR"));
  }
  std::atomic<int> won{0};
  std::atomic<int> taken{0};
  std::atomic<bool> go{false};

  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < patients.size(); ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      // Alternate lengths: both must collide on the shared cells.
      auto booked =
          services_->bookings.book(booking(practitioner, patients[i], "2026-03-09T13:00:00Z",
                                           i % 2 == 0 ? "follow_up" : "new_patient"),
                                   front_desk());
      if (booked.ok()) {
        ++won;
      } else if (booked.error().message().starts_with("slot_taken")) {
        ++taken;
      }
    });
  }
  go = true;
  for (std::thread& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(taken.load(), static_cast<int>(patients.size()) - 1);
}

TEST_F(AppointmentServiceTest, CancellationRecordsWhoAndWhyAndFreesTheTime) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());

  auto cancelled =
      services_->bookings.cancel(booked->appointment.id, "patient called to cancel", front_desk());
  auto again = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                        front_desk());

  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message();
  EXPECT_EQ(cancelled->appointment.status, AppointmentStatus::kCancelled);
  EXPECT_EQ(cancelled->appointment.cancelled_by, front_desk_id_);
  EXPECT_EQ(cancelled->appointment.cancel_reason, "patient called to cancel");
  EXPECT_EQ(cancelled->appointment.version, 2);
  EXPECT_TRUE(again.ok()) << again.error().message();
}

TEST_F(AppointmentServiceTest, CancellationNeedsAReasonAndScheduleManage) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());

  auto without_reason = services_->bookings.cancel(booked->appointment.id, "", front_desk());
  auto by_nurse = services_->bookings.cancel(booked->appointment.id, "no longer needed",
                                             caller_as("nurse", add_user("nurse")));

  EXPECT_EQ(without_reason.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(by_nurse.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(AppointmentServiceTest, RescheduleMovesTheClaimedTime) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  const std::string other = add_patient("OR");
  auto booked = services_->bookings.book(
      booking(practitioner, patient, "2026-03-09T09:00:00Z", "new_patient"), front_desk());
  ASSERT_TRUE(booked.ok());

  // Moving by half its length overlaps its own old time: allowed.
  auto moved = services_->bookings.reschedule(booked->appointment.id, at("2026-03-09T09:20:00Z"),
                                              front_desk());
  auto freed =
      services_->bookings.book(booking(practitioner, other, "2026-03-09T09:00:00Z"), front_desk());
  auto blocked =
      services_->bookings.book(booking(practitioner, other, "2026-03-09T09:40:00Z"), front_desk());

  ASSERT_TRUE(moved.ok()) << moved.error().message();
  EXPECT_EQ(moved->appointment.starts_at, at("2026-03-09T09:20:00Z"));
  EXPECT_EQ(moved->appointment.ends_at, at("2026-03-09T10:00:00Z"));
  EXPECT_TRUE(freed.ok());
  EXPECT_FALSE(blocked.ok());
}

TEST_F(AppointmentServiceTest, AnAppointmentGivesItsPractitionerClinicalScope) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  const access::Caller clinician = caller_as("clinician", practitioner);
  auto decide = [&] {
    return database_->run([&](soci::session& session) {
      return scope_.decide(session, clinician.principal, patient,
                           access::PatientDataKind::kClinical);
    });
  };
  ASSERT_FALSE(decide()->allowed);

  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());
  const auto while_booked = decide();
  ASSERT_TRUE(
      services_->bookings.cancel(booked->appointment.id, "clinic closed", front_desk()).ok());
  const auto after_cancel = decide();

  EXPECT_TRUE(while_booked->allowed);
  EXPECT_EQ(while_booked->relationship, "appointment");
  EXPECT_FALSE(after_cancel->allowed);
}

TEST_F(AppointmentServiceTest, VisitMovesThroughCheckInStartAndCompletion) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  const access::Caller self = caller_as("patient", add_user("patient", patient), patient);
  const access::Caller clinician = caller_as("clinician", practitioner);
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());
  const std::string id = booked->appointment.id;

  clock_.set_micros(at("2026-03-09T08:20:00Z"));
  auto too_early = services_->visits.check_in(id, self);
  clock_.set_micros(at("2026-03-09T08:45:00Z"));
  auto checked_in = services_->visits.check_in(id, self);
  auto patient_starts = services_->visits.start(id, self);
  auto started = services_->visits.start(id, clinician);
  auto completed = services_->visits.complete(id, clinician);

  EXPECT_TRUE(too_early.error().message().starts_with("check_in_not_open"));
  ASSERT_TRUE(checked_in.ok()) << checked_in.error().message();
  EXPECT_EQ(checked_in->appointment.checked_in_at, at("2026-03-09T08:45:00Z"));
  EXPECT_EQ(patient_starts.error().code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(started.ok()) << started.error().message();
  ASSERT_TRUE(completed.ok()) << completed.error().message();
  EXPECT_EQ(completed->appointment.status, AppointmentStatus::kCompleted);
  EXPECT_EQ(completed->appointment.version, 4);
}

TEST_F(AppointmentServiceTest, QueueShowsPositionsAndPatientsSeeOnlyTheirOwn) {
  const std::string practitioner = add_practitioner();
  const std::string first = add_patient("OR");
  const std::string second = add_patient("OR");
  const access::Caller second_self = caller_as("patient", add_user("patient", second), second);
  const std::vector<std::string> ids = waiting_room(practitioner, {first, second});

  auto staff_view = services_->visits.queue(practitioner, front_desk());
  auto patient_view = services_->visits.queue(practitioner, second_self);

  ASSERT_TRUE(staff_view.ok());
  ASSERT_EQ(staff_view->places.size(), 2u);
  EXPECT_EQ(staff_view->places[0].appointment.id, ids[0]);
  EXPECT_EQ(staff_view->places[0].estimated_wait_seconds, 0);        // due since 09:00
  EXPECT_EQ(staff_view->places[1].estimated_wait_seconds, 20 * 60);  // after the first
  ASSERT_TRUE(patient_view.ok());
  ASSERT_EQ(patient_view->places.size(), 1u);
  EXPECT_EQ(patient_view->places[0].position, 2);
  EXPECT_EQ(audit_.events().back().patient_ids, std::vector<std::string>{second});
}

TEST_F(AppointmentServiceTest, UrgentFlagMovesAPatientToTheFront) {
  const std::string practitioner = add_practitioner();
  const std::vector<std::string> ids =
      waiting_room(practitioner, {add_patient("OR"), add_patient("OR"), add_patient("OR")});

  ASSERT_TRUE(services_->visits.set_urgent(ids[2], true, front_desk()).ok());
  auto queue = services_->visits.queue(practitioner, front_desk());

  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->places.size(), 3u);
  EXPECT_EQ(queue->places[0].appointment.id, ids[2]);
  EXPECT_TRUE(queue->places[0].appointment.urgent);
  EXPECT_EQ(queue->places[1].appointment.id, ids[0]);
}

class RecordingObserver final : public AppointmentEvents, public QueueEvents {
 public:
  Status on_change_pending(soci::session& session, const AppointmentChange& change) override {
    int rows = 0;
    session << "SELECT COUNT(*) FROM appointments WHERE id = :id", soci::use(change.appointment.id),
        soci::into(rows);
    pending.push_back(std::string(appointment_change_kind_name(change.kind)) +
                      (rows == 1 ? " written" : " missing"));
    if (fail) {
      return Error(ErrorCode::kUnavailable, "outbox unavailable");
    }
    return ok_status();
  }
  void on_change_committed(const AppointmentChange& change) override {
    committed.push_back(std::string(appointment_change_kind_name(change.kind)));
  }
  void queue_changed(const QueueChange& change) override {
    queue.push_back(std::string(queue_change_kind_name(change.kind)));
  }

  bool fail = false;
  std::vector<std::string> pending;
  std::vector<std::string> committed;
  std::vector<std::string> queue;
};

class AppointmentObserverTest : public AppointmentServiceTest {
 protected:
  void SetUp() override {
    AppointmentServiceTest::SetUp();
    services_->observers.add(static_cast<AppointmentEvents&>(observer_));
    services_->observers.add(static_cast<QueueEvents&>(observer_));
  }
  RecordingObserver observer_;
};

TEST_F(AppointmentObserverTest, ObserversSeeEachChangeInsideAndAfterItsTransaction) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());
  ASSERT_TRUE(services_->bookings
                  .reschedule(booked->appointment.id, at("2026-03-09T10:00:00Z"), front_desk())
                  .ok());
  clock_.set_micros(at("2026-03-09T09:45:00Z"));
  ASSERT_TRUE(services_->visits.check_in(booked->appointment.id, front_desk()).ok());
  ASSERT_TRUE(
      services_->bookings.cancel(booked->appointment.id, "feeling better", front_desk()).ok());

  EXPECT_EQ(observer_.pending,
            (std::vector<std::string>{"booked written", "rescheduled written",
                                      "status_changed written", "cancelled written"}));
  EXPECT_EQ(observer_.committed,
            (std::vector<std::string>{"booked", "rescheduled", "status_changed", "cancelled"}));
  EXPECT_EQ(observer_.queue, (std::vector<std::string>{"joined", "left"}));
}

TEST_F(AppointmentObserverTest, AnObserverFailureRollsTheBookingBack) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  observer_.fail = true;

  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  observer_.fail = false;
  auto retried = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                          front_desk());

  EXPECT_EQ(booked.error().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(retried.ok());
  EXPECT_EQ(observer_.committed, std::vector<std::string>{"booked"});
}

TEST_F(AppointmentServiceTest, ReadsAreRefusedWhenTheAuditLogIsDown) {
  const std::string practitioner = add_practitioner();
  const std::string patient = add_patient("OR");
  auto booked = services_->bookings.book(booking(practitioner, patient, "2026-03-09T09:00:00Z"),
                                         front_desk());
  ASSERT_TRUE(booked.ok());
  audit_.set_failing(true);

  auto read = services_->bookings.find(booked->appointment.id, front_desk());

  EXPECT_FALSE(read.ok());
}

TEST_F(AppointmentServiceTest, SlotSearchKeepsToLicensedPractitionersAndFreeTimes) {
  const std::string licensed = add_practitioner("OR");
  const std::string unlicensed = add_practitioner("TX");
  const std::string patient = add_patient("OR");
  ASSERT_TRUE(
      services_->bookings
          .book(booking(licensed, patient, "2026-03-09T09:00:00Z", "new_patient"), front_desk())
          .ok());
  SlotSearch search;
  search.visit_type = "follow_up";
  search.patient_id = patient;
  search.span = TimeWindow{at("2026-03-09T00:00:00Z"), at("2026-03-10T00:00:00Z")};

  auto slots = services_->schedule.search_slots(search, front_desk());
  search.practitioner_id = unlicensed;
  auto refused = services_->schedule.search_slots(search, front_desk());

  ASSERT_TRUE(slots.ok()) << slots.error().message();
  ASSERT_EQ(slots->size(), 22u);  // 24 slots of the day, less the 40-minute visit
  EXPECT_EQ(slots->front().window.start, at("2026-03-09T09:40:00Z"));
  for (const Slot& slot : *slots) {
    EXPECT_EQ(slot.practitioner_id, licensed);
  }
  EXPECT_TRUE(refused.error().message().starts_with("not_licensed"));
}

}  // namespace
}  // namespace th::scheduling
