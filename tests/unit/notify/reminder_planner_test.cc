#include "notify/reminder_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "planner_fixture.h"

namespace th::notify {
namespace {

constexpr UnixMicros kHour = 3'600'000'000LL;
constexpr UnixMicros kThreeDaysBefore = kVisitStart - 72 * kHour;

std::set<std::string> keys_of(const std::vector<NewMessage>& messages) {
  std::set<std::string> keys;
  for (const NewMessage& message : messages) {
    keys.insert(message.dedupe_key);
  }
  return keys;
}

TEST(ReminderPlannerTest, BookingQueuesANoticeAndTwoRemindersOnEachChannel) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kThreeDaysBefore);

  EXPECT_EQ(keys_of(messages), (std::set<std::string>{
                                   "appointment:appt-1:1:booked:email",
                                   "appointment:appt-1:1:booked:sms",
                                   "appointment:appt-1:1:reminder:24h:email",
                                   "appointment:appt-1:1:reminder:24h:sms",
                                   "appointment:appt-1:1:reminder:1h:email",
                                   "appointment:appt-1:1:reminder:1h:sms",
                               }));
}

TEST(ReminderPlannerTest, RemindersAreDueAtTheirOffsetsAndExpireAtTheStart) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kThreeDaysBefore);

  for (const NewMessage& message : messages) {
    if (message.kind == "booked") {
      EXPECT_EQ(message.due_at, kThreeDaysBefore);
      EXPECT_EQ(message.expires_at, kVisitStart + 20 * 60'000'000LL);
    } else if (message.dedupe_key.find(":24h:") != std::string::npos) {
      EXPECT_EQ(message.due_at, kVisitStart - 24 * kHour);
      EXPECT_EQ(message.expires_at, kVisitStart);
    } else {
      EXPECT_EQ(message.due_at, kVisitStart - kHour);
    }
    EXPECT_EQ(message.reference, "appointment:appt-1");
    EXPECT_EQ(message.revision, 1);
    EXPECT_EQ(message.patient_id, "pat-1");
  }
}

TEST(ReminderPlannerTest, TextsGiveTheTimeInThePatientsZoneAndTheLink) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kThreeDaysBefore);

  const auto email = std::find_if(messages.begin(), messages.end(), [](const NewMessage& m) {
    return m.dedupe_key == "appointment:appt-1:1:booked:email";
  });
  ASSERT_NE(email, messages.end());
  EXPECT_EQ(email->recipient, "pat@example.org");
  EXPECT_EQ(email->subject, "booked subject on Monday, March 9, 2026");
  EXPECT_EQ(email->body,
            "booked body: Dr. Lee on Monday, March 9, 2026 at 10:00 AM EDT. "
            "https://clinic.example/visits/appt-1 Bay Clinic");
  EXPECT_NE(email->attachment.find("UID:appt-1@clinic.example\r\n"), std::string::npos);
  EXPECT_NE(email->attachment.find("METHOD:REQUEST\r\n"), std::string::npos);
  EXPECT_NE(
      email->attachment.find("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:pat@example.org"),
      std::string::npos);
}

TEST(ReminderPlannerTest, SmsGoesToTheE164NumberWithoutSubjectOrAttachment) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kThreeDaysBefore);

  for (const NewMessage& message : messages) {
    if (message.channel == Channel::kSms) {
      EXPECT_EQ(message.recipient, "+14155550123");
      EXPECT_TRUE(message.subject.empty());
      EXPECT_TRUE(message.attachment.empty());
    }
  }
}

TEST(ReminderPlannerTest, OptedOutChannelGetsNothing) {
  const ReminderPlanner planner(planner_settings());
  ContactOptOuts opt_outs;
  opt_outs.sms = true;

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), opt_outs, kThreeDaysBefore);

  EXPECT_EQ(messages.size(), 3u);
  EXPECT_TRUE(std::all_of(messages.begin(), messages.end(),
                          [](const NewMessage& m) { return m.channel == Channel::kEmail; }));
}

TEST(ReminderPlannerTest, MissingOrMalformedAddressSkipsTheChannel) {
  const ReminderPlanner planner(planner_settings());
  AppointmentSummary change = visit_change(AppointmentEventKind::kBooked);
  change.patient.email = "not an address";
  change.patient.phone = "";

  EXPECT_TRUE(planner.plan(change, {}, kThreeDaysBefore).empty());
}

TEST(ReminderPlannerTest, UnconfiguredChannelGetsNothing) {
  ReminderSettings settings = planner_settings();
  settings.sms_enabled = false;
  const ReminderPlanner planner(settings);

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kThreeDaysBefore);

  EXPECT_EQ(messages.size(), 3u);
}

TEST(ReminderPlannerTest, RemindersWhoseTimeHasPassedAreNotPlanned) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kBooked), {}, kVisitStart - 2 * kHour);

  EXPECT_EQ(keys_of(messages), (std::set<std::string>{
                                   "appointment:appt-1:1:booked:email",
                                   "appointment:appt-1:1:booked:sms",
                                   "appointment:appt-1:1:reminder:1h:email",
                                   "appointment:appt-1:1:reminder:1h:sms",
                               }));
}

TEST(ReminderPlannerTest, CancellationSendsOnlyTheNoticeWithACancelInvitation) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kCancelled, 2), {}, kThreeDaysBefore);

  EXPECT_EQ(keys_of(messages), (std::set<std::string>{"appointment:appt-1:2:cancelled:email",
                                                      "appointment:appt-1:2:cancelled:sms"}));
  for (const NewMessage& message : messages) {
    if (message.channel == Channel::kEmail) {
      EXPECT_NE(message.attachment.find("METHOD:CANCEL\r\n"), std::string::npos);
      EXPECT_NE(message.attachment.find("SEQUENCE:2\r\n"), std::string::npos);
    }
  }
}

TEST(ReminderPlannerTest, RescheduleNumbersItsMessagesWithTheNewVersion) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kRescheduled, 4), {}, kThreeDaysBefore);

  EXPECT_EQ(messages.size(), 6u);
  EXPECT_TRUE(keys_of(messages).contains("appointment:appt-1:4:rescheduled:email"));
  EXPECT_TRUE(keys_of(messages).contains("appointment:appt-1:4:reminder:24h:sms"));
}

TEST(ReminderPlannerTest, NothingAfterTheVisitHasEnded) {
  const ReminderPlanner planner(planner_settings());

  const auto messages =
      planner.plan(visit_change(AppointmentEventKind::kCancelled), {}, kVisitStart + kHour);

  EXPECT_TRUE(messages.empty());
}

TEST(ReminderPlannerTest, LineBreaksInANameDoNotReachTheSubject) {
  ReminderSettings settings = planner_settings();
  settings.booked.email_subject = parsed_template("Visit with {practitioner}");
  const ReminderPlanner planner(settings);
  AppointmentSummary change = visit_change(AppointmentEventKind::kBooked);
  change.practitioner_name = "Dr. Lee\r\nBcc: x@y.z";

  const auto messages = planner.plan(change, {}, kThreeDaysBefore);

  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front().subject, "Visit with Dr. Lee  Bcc: x@y.z");
}

TEST(ReminderPlannerTest, UnknownPatientZoneFallsBackToTheDefault) {
  ReminderSettings settings = planner_settings();
  settings.default_time_zone = "America/Los_Angeles";
  const ReminderPlanner planner(settings);
  AppointmentSummary change = visit_change(AppointmentEventKind::kBooked);
  change.patient.time_zone = "Not/AZone";

  const auto messages = planner.plan(change, {}, kThreeDaysBefore);

  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.front().body.find("7:00 AM PDT"), std::string::npos);
}

TEST(ReminderPlannerTest, OffsetLabelsReadAsHoursOrMinutes) {
  EXPECT_EQ(ReminderPlanner::offset_label(1440), "24h");
  EXPECT_EQ(ReminderPlanner::offset_label(90), "90m");
}

}  // namespace
}  // namespace th::notify
