#include "notify/calendar_feed.h"

#include <gtest/gtest.h>

#include "notify/calendar_event.h"

namespace th::notify {
namespace {

constexpr UnixMicros kStart = 1'773'064'800'000'000;  // 2026-03-09T14:00:00Z

CalendarEntry entry(std::string id, bool cancelled = false) {
  CalendarEntry entry;
  entry.appointment_id = std::move(id);
  entry.practitioner_id = "prac-1";
  entry.patient_id = "pat-1";
  entry.starts_at = kStart;
  entry.ends_at = kStart + 20 * 60'000'000LL;
  entry.sequence = 3;
  entry.cancelled = cancelled;
  entry.attendee_label = "J. D.";
  entry.updated_at = kStart - 86'400'000'000LL;
  return entry;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST(CalendarFeedTest, OneEventPerAppointmentWithStableUidAndUtcTimes) {
  const std::string feed = render_practitioner_feed({entry("a1"), entry("a2")}, {});

  EXPECT_TRUE(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
  EXPECT_TRUE(feed.ends_with("END:VCALENDAR\r\n"));
  EXPECT_EQ(occurrences(feed, "BEGIN:VEVENT\r\n"), 2u);
  EXPECT_NE(feed.find("UID:a1@telehealthd.invalid\r\n"), std::string::npos);
  EXPECT_NE(feed.find("DTSTART:20260309T140000Z\r\nDTEND:20260309T142000Z\r\n"), std::string::npos);
  EXPECT_NE(feed.find("DTSTAMP:20260308T140000Z\r\n"), std::string::npos);
  EXPECT_NE(feed.find("SEQUENCE:3\r\n"), std::string::npos);
  EXPECT_EQ(feed.find("METHOD:"), std::string::npos);
}

TEST(CalendarFeedTest, CancelledAppointmentsStayAsCancelledEvents) {
  const std::string feed = render_practitioner_feed({entry("a1", true)}, {});

  EXPECT_NE(feed.find("STATUS:CANCELLED\r\n"), std::string::npos);
  EXPECT_EQ(feed.find("STATUS:CONFIRMED"), std::string::npos);
}

TEST(CalendarFeedTest, NamesNoPatientByDefault) {
  const std::string feed = render_practitioner_feed({entry("a1")}, {});

  EXPECT_NE(feed.find("SUMMARY:Telehealth visit\r\n"), std::string::npos);
  EXPECT_EQ(feed.find("J. D."), std::string::npos);
}

TEST(CalendarFeedTest, ShowsInitialsWhenConfigured) {
  CalendarFeedSettings settings;
  settings.attendee = FeedAttendee::kInitials;

  const std::string feed = render_practitioner_feed({entry("a1")}, settings);

  EXPECT_NE(feed.find("SUMMARY:Telehealth visit (J. D.)\r\n"), std::string::npos);
}

TEST(CalendarFeedTest, InvitationCarriesTheItipMethod) {
  CalendarEvent event;
  event.uid = "a1@x";
  event.starts_at = kStart;
  event.ends_at = kStart + 1;
  event.organizer = "clinic@example.org";
  event.attendee = "pat@example.org";

  const std::string request = render_invitation(event);
  event.cancelled = true;
  const std::string cancel = render_invitation(event);

  EXPECT_NE(request.find("METHOD:REQUEST\r\n"), std::string::npos);
  EXPECT_NE(request.find("ORGANIZER:mailto:clinic@example.org\r\n"), std::string::npos);
  EXPECT_NE(cancel.find("METHOD:CANCEL\r\n"), std::string::npos);
  EXPECT_NE(cancel.find("STATUS:CANCELLED\r\n"), std::string::npos);
}

TEST(CalendarFeedTest, InitialsTakeTheFirstLetterOfEachName) {
  EXPECT_EQ(patient_initials("jane", "Doe"), "J. D.");
  EXPECT_EQ(patient_initials(" \xC3\x89mile", "Zola"), "\xC3\x89. Z.");
  EXPECT_EQ(patient_initials("", "Doe"), "D.");
}

TEST(CalendarFeedTest, AttendeeSettingParses) {
  EXPECT_EQ(*parse_feed_attendee("initials"), FeedAttendee::kInitials);
  EXPECT_FALSE(parse_feed_attendee("full_name").ok());
}

}  // namespace
}  // namespace th::notify
