// AppointmentSummary: what reminders and calendar feeds need to know about
// one change of an appointment, as the scheduling code hands it over. It
// carries ids, times, the practitioner's display name and the patient's
// contact details, and never the reason for the visit. A plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace th::notify {

enum class AppointmentEventKind { kBooked, kRescheduled, kCancelled };

// "booked", "rescheduled", "cancelled": the kind of message it causes.
std::string_view appointment_event_kind_name(AppointmentEventKind kind);

struct PatientContact {
  std::string patient_id;
  std::string email;      // empty when the patient gave none
  std::string phone;      // as entered; normalised to E.164 before use
  std::string time_zone;  // IANA name; empty for reminders.default_time_zone
  std::string initials;   // "J. D.", shown in feeds when calendar.attendee = "initials"
};

struct AppointmentSummary {
  AppointmentEventKind kind = AppointmentEventKind::kBooked;
  std::string appointment_id;
  // The appointment's version after the change: it numbers the messages
  // planned for it and is the iCalendar SEQUENCE. Every change must raise it.
  std::int64_t sequence = 1;
  UnixMicros starts_at = 0;  // UTC
  UnixMicros ends_at = 0;
  std::string practitioner_id;    // the practitioner's user id
  std::string practitioner_name;  // as patients should read it: "Dr. Lee"
  PatientContact patient;
  UnixMicros changed_at = 0;  // when the change was made
};

}  // namespace th::notify
