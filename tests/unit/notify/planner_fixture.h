// Shared by the planner and notifier tests: settings as the daemon builds
// them from the default configuration, and an appointment change.
#pragma once

#include <gtest/gtest.h>

#include "notify/appointment_summary.h"
#include "notify/reminder_planner.h"

namespace th::notify {

inline TextTemplate parsed_template(std::string_view text) {
  constexpr std::string_view kLink[] = {"appointment_id"};
  const bool link = text.find("{appointment_id}") != std::string_view::npos;
  auto parsed =
      link ? TextTemplate::parse(text, kLink) : TextTemplate::parse(text, kReminderPlaceholders);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message();
  return parsed.ok() ? *parsed : TextTemplate();
}

inline MessageTexts texts(std::string_view what) {
  const std::string name(what);
  return MessageTexts{
      parsed_template(name + " subject on {date}"),
      parsed_template(name + " body: {practitioner} on {date} at {time}. {link} {clinic}"),
      parsed_template(name + " sms: {practitioner} {date} {time} {link}")};
}

inline ReminderSettings planner_settings() {
  ReminderSettings settings;
  settings.booked = texts("booked");
  settings.rescheduled = texts("rescheduled");
  settings.cancelled = texts("cancelled");
  settings.reminder = texts("reminder");
  settings.email_enabled = true;
  settings.sms_enabled = true;
  settings.clinic_name = "Bay Clinic";
  settings.link_base = "https://clinic.example";
  settings.link_path = parsed_template("/visits/{appointment_id}");
  settings.date_format = "%A, %B %-d, %Y";
  settings.time_format = "%-I:%M %p %Z";
  settings.organizer_email = "reminders@clinic.example";
  settings.uid_domain = "clinic.example";
  return settings;
}

// 2026-03-09T14:00:00Z, 10:00 in New York (EDT), twenty minutes long.
inline constexpr UnixMicros kVisitStart = 1'773'064'800'000'000;

inline AppointmentSummary visit_change(AppointmentEventKind kind, std::int64_t sequence = 1) {
  AppointmentSummary change;
  change.kind = kind;
  change.appointment_id = "appt-1";
  change.sequence = sequence;
  change.starts_at = kVisitStart;
  change.ends_at = kVisitStart + 20 * 60'000'000LL;
  change.practitioner_id = "prac-1";
  change.practitioner_name = "Dr. Lee";
  change.patient.patient_id = "pat-1";
  change.patient.email = "pat@example.org";
  change.patient.phone = "(415) 555-0123";
  change.patient.time_zone = "America/New_York";
  change.patient.initials = "J. D.";
  return change;
}

}  // namespace th::notify
