#include "notify/appointment_notifier.h"

#include <gtest/gtest.h>

#include "notify_test_database.h"
#include "planner_fixture.h"

namespace th::notify {
namespace {

constexpr UnixMicros kNow = kVisitStart - 72 * 3'600'000'000LL;

class AppointmentNotifierTest : public ::testing::Test {
 protected:
  AppointmentNotifierTest()
      : clock_(kNow),
        db_(clock_),
        planner_(planner_settings()),
        outbox_(db_.protection(), clock_),
        entries_(db_.protection()) {
    db_.add_patient("pat-1");
  }

  NotifyOutcome change(const AppointmentSummary& summary, FeedAttendee attendee) {
    AppointmentNotifier notifier(planner_, outbox_, opt_outs_, entries_, attendee, clock_);
    auto outcome = db_.database().run_write_transaction(
        [&](soci::session& session) { return notifier.on_appointment_change(session, summary); });
    EXPECT_TRUE(outcome.ok()) << outcome.error().message();
    return outcome.ok() ? *outcome : NotifyOutcome{};
  }

  NotifyOutcome change(const AppointmentSummary& summary) {
    return change(summary, FeedAttendee::kNone);
  }

  std::vector<CalendarEntry> feed_entries() {
    auto listed = db_.database().run([&](soci::session& session) {
      return entries_.list(session, "prac-1", 0, kVisitStart * 2, 100);
    });
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? *listed : std::vector<CalendarEntry>{};
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  ReminderPlanner planner_;
  Outbox outbox_;
  ContactOptOutStore opt_outs_;
  CalendarEntryStore entries_;
};

TEST_F(AppointmentNotifierTest, BookingQueuesItsMessagesAndWritesTheFeedEntry) {
  const NotifyOutcome outcome = change(visit_change(AppointmentEventKind::kBooked));

  EXPECT_EQ(outcome.queued, 6);
  EXPECT_EQ(db_.count("outbox_messages WHERE status = 'pending'"), 6);
  const auto entries = feed_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].sequence, 1);
  EXPECT_FALSE(entries[0].cancelled);
  EXPECT_TRUE(entries[0].attendee_label.empty());
}

TEST_F(AppointmentNotifierTest, TheSameChangeTwiceQueuesNothingMore) {
  change(visit_change(AppointmentEventKind::kBooked));

  const NotifyOutcome again = change(visit_change(AppointmentEventKind::kBooked));

  EXPECT_EQ(again.queued, 0);
  EXPECT_EQ(db_.count("outbox_messages"), 6);
}

TEST_F(AppointmentNotifierTest, RescheduleCancelsTheOldRemindersAndPlansNewOnes) {
  change(visit_change(AppointmentEventKind::kBooked, 1));
  AppointmentSummary moved = visit_change(AppointmentEventKind::kRescheduled, 2);
  moved.starts_at += 24 * 3'600'000'000LL;
  moved.ends_at += 24 * 3'600'000'000LL;

  const NotifyOutcome outcome = change(moved);

  EXPECT_EQ(outcome.superseded, 6);
  EXPECT_EQ(outcome.queued, 6);
  EXPECT_EQ(db_.count("outbox_messages WHERE status = 'cancelled' AND revision = 1"), 6);
  EXPECT_EQ(db_.count("outbox_messages WHERE status = 'pending' AND revision = 2"), 6);
  EXPECT_EQ(feed_entries().at(0).starts_at, moved.starts_at);
}

TEST_F(AppointmentNotifierTest, CancellationLeavesOnlyTheNoticeAndACancelledEntry) {
  change(visit_change(AppointmentEventKind::kBooked, 1));

  const NotifyOutcome outcome = change(visit_change(AppointmentEventKind::kCancelled, 2));

  EXPECT_EQ(outcome.superseded, 6);
  EXPECT_EQ(outcome.queued, 2);
  EXPECT_EQ(db_.count("outbox_messages WHERE status = 'pending' AND kind = 'cancelled'"), 2);
  EXPECT_TRUE(feed_entries().at(0).cancelled);
}

TEST_F(AppointmentNotifierTest, OptOutStoredForThePatientIsHonoured) {
  ASSERT_TRUE(db_.database()
                  .run_write_transaction([&](soci::session& session) {
                    opt_outs_.set(session, "pat-1", Channel::kEmail, true, "pat-user", kNow);
                  })
                  .ok());

  change(visit_change(AppointmentEventKind::kBooked));

  EXPECT_EQ(db_.count("outbox_messages WHERE channel = 'email'"), 0);
  EXPECT_EQ(db_.count("outbox_messages WHERE channel = 'sms'"), 3);
}

TEST_F(AppointmentNotifierTest, LateChangeDoesNotUndoANewerFeedEntry) {
  change(visit_change(AppointmentEventKind::kCancelled, 3));

  change(visit_change(AppointmentEventKind::kBooked, 1));

  const auto entries = feed_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].sequence, 3);
  EXPECT_TRUE(entries[0].cancelled);
}

TEST_F(AppointmentNotifierTest, InitialsAreKeptSealedOnlyWhenFeedsShowThem) {
  change(visit_change(AppointmentEventKind::kBooked), FeedAttendee::kInitials);

  const auto entries = feed_entries();

  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].attendee_label, "J. D.");
  EXPECT_EQ(db_.text("SELECT attendee_label_enc FROM calendar_entries").find("J. D."),
            std::string::npos);
}

TEST_F(AppointmentNotifierTest, AfterCommitWakesTheDispatcher) {
  AppointmentNotifier notifier(planner_, outbox_, opt_outs_, entries_, FeedAttendee::kNone, clock_);
  int wakes = 0;
  notifier.set_wake([&] { ++wakes; });

  notifier.after_commit();

  EXPECT_EQ(wakes, 1);
}

}  // namespace
}  // namespace th::notify
