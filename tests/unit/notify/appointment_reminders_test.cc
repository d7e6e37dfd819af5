#include "notify/appointment_reminders.h"

#include <gtest/gtest.h>

#include "notify_test_database.h"
#include "planner_fixture.h"

namespace th::notify {
namespace {

constexpr UnixMicros kNow = kVisitStart - 72 * 3'600'000'000LL;

// The observer between the scheduling services and the notifier, over a real
// patient record (sealed by PatientStore) and practitioner row.
class AppointmentRemindersTest : public ::testing::Test {
 protected:
  AppointmentRemindersTest()
      : clock_(kNow),
        db_(clock_),
        planner_(planner_settings()),
        outbox_(db_.protection(), clock_),
        entries_(db_.protection()),
        notifier_(planner_, outbox_, opt_outs_, entries_, FeedAttendee::kInitials, clock_),
        patients_(db_.protection()),
        reminders_(notifier_, patients_, practitioners_) {
    db_.add_practitioner("prac-1");
    access::Patient patient;
    patient.id = "pat-1";
    patient.mrn = "MRN-77";
    patient.given_name = "jordan";
    patient.family_name = "Doe";
    patient.birth_date = "1980-02-03";
    patient.sex = "other";
    patient.email = "jordan@example.org";
    patient.state = "CA";
    const Status inserted = db_.database().run_write_transaction(
        [&](soci::session& session) { return patients_.insert(session, patient); });
    EXPECT_TRUE(inserted.ok()) << inserted.error().message();
  }

  scheduling::AppointmentChange change(scheduling::AppointmentChangeKind kind) {
    scheduling::AppointmentChange change;
    change.kind = kind;
    change.appointment.id = "appt-1";
    change.appointment.practitioner_id = "prac-1";
    change.appointment.patient_id = "pat-1";
    change.appointment.starts_at = kVisitStart;
    change.appointment.ends_at = kVisitStart + 20 * 60'000'000LL;
    change.appointment.reason = "chest pain since Tuesday";
    change.at = kNow;
    return change;
  }

  Status report(const scheduling::AppointmentChange& change) {
    return db_.database().run_write_transaction(
        [&](soci::session& session) { return reminders_.on_change_pending(session, change); });
  }

  std::vector<ClaimedMessage> claim_all() {
    ClaimOptions options;
    options.node = "node-a";
    options.limit = 100;
    auto claimed = outbox_.claim(db_.database(), options);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? *claimed : std::vector<ClaimedMessage>{};
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  ReminderPlanner planner_;
  Outbox outbox_;
  ContactOptOutStore opt_outs_;
  CalendarEntryStore entries_;
  AppointmentNotifier notifier_;
  access::PatientStore patients_;
  scheduling::PractitionerStore practitioners_;
  AppointmentReminders reminders_;
};

TEST_F(AppointmentRemindersTest, BookingIsAddressedFromThePatientRecordAndNamesThePractitioner) {
  db_.exec("UPDATE practitioners SET display_name = 'Dr. Rivera' WHERE user_id = 'prac-1'");

  ASSERT_TRUE(report(change(scheduling::AppointmentChangeKind::kBooked)).ok());

  const auto claimed = claim_all();
  ASSERT_EQ(claimed.size(), 1u);  // the notice now; the reminders are due later
  EXPECT_EQ(claimed[0].recipient, "jordan@example.org");
  EXPECT_NE(claimed[0].body.find("Dr. Rivera"), std::string::npos) << claimed[0].body;
  EXPECT_EQ(claimed[0].body.find("chest pain"), std::string::npos);
  EXPECT_EQ(claimed[0].attachment.find("chest pain"), std::string::npos);
  EXPECT_EQ(db_.count("outbox_messages WHERE status = 'pending'"), 2);
  const auto entries = db_.database().run([&](soci::session& session) {
    return entries_.list(session, "prac-1", 0, kVisitStart * 2, 10);
  });
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].attendee_label, "J. D.");
}

TEST_F(AppointmentRemindersTest, APractitionerWithoutADisplayNameIsYourClinician) {
  ASSERT_TRUE(report(change(scheduling::AppointmentChangeKind::kBooked)).ok());

  const auto claimed = claim_all();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_NE(claimed[0].body.find("your clinician"), std::string::npos) << claimed[0].body;
}

TEST_F(AppointmentRemindersTest, StatusChangesQueueNothing) {
  ASSERT_TRUE(report(change(scheduling::AppointmentChangeKind::kStatusChanged)).ok());

  EXPECT_EQ(db_.count("outbox_messages"), 0);
  EXPECT_EQ(db_.count("calendar_entries"), 0);
}

TEST_F(AppointmentRemindersTest, AnUnknownPatientQueuesNoMessageButKeepsTheFeedEntry) {
  scheduling::AppointmentChange booked = change(scheduling::AppointmentChangeKind::kBooked);
  booked.appointment.patient_id = "pat-unknown";

  ASSERT_TRUE(report(booked).ok());

  EXPECT_EQ(db_.count("outbox_messages"), 0);
  EXPECT_EQ(db_.count("calendar_entries"), 1);
}

TEST(InitialsTest, FirstLetterOfEachNameUpperCased) {
  EXPECT_EQ(initials_of("jordan", "doe"), "J. D.");
  EXPECT_EQ(initials_of("", "Doe"), "D.");
  EXPECT_EQ(initials_of("Ana", ""), "A.");
  EXPECT_EQ(initials_of("", ""), "");
  EXPECT_EQ(initials_of("\xc3\x89mile", "Zola"), "\xc3\x89. Z.");
}

}  // namespace
}  // namespace th::notify
