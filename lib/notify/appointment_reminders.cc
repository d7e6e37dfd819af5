#include "notify/appointment_reminders.h"

#include <cctype>
#include <optional>

namespace th::notify {
namespace {

// The kind of message a change calls for; nothing for status changes.
std::optional<AppointmentEventKind> event_kind_of(scheduling::AppointmentChangeKind kind) {
  switch (kind) {
    case scheduling::AppointmentChangeKind::kBooked:
      return AppointmentEventKind::kBooked;
    case scheduling::AppointmentChangeKind::kRescheduled:
      return AppointmentEventKind::kRescheduled;
    case scheduling::AppointmentChangeKind::kCancelled:
      return AppointmentEventKind::kCancelled;
    case scheduling::AppointmentChangeKind::kStatusChanged:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string initial_of(std::string_view name) {
  if (name.empty()) {
    return "";
  }
  const unsigned char first = static_cast<unsigned char>(name.front());
  // A multi-byte UTF-8 letter is kept whole rather than cut in half.
  std::size_t length = 1;
  if (first >= 0xc0) {
    while (length < name.size() && (static_cast<unsigned char>(name[length]) & 0xc0) == 0x80) {
      ++length;
    }
  }
  std::string initial(name.substr(0, length));
  if (length == 1) {
    initial[0] = static_cast<char>(std::toupper(first));
  }
  return initial + ".";
}

}  // namespace

std::string initials_of(std::string_view given_name, std::string_view family_name) {
  const std::string given = initial_of(given_name);
  const std::string family = initial_of(family_name);
  if (given.empty() || family.empty()) {
    return given + family;
  }
  return given + " " + family;
}

Status AppointmentReminders::on_change_pending(soci::session& session,
                                               const scheduling::AppointmentChange& change) {
  const auto kind = event_kind_of(change.kind);
  if (!kind) {
    return ok_status();
  }
  auto summary = summarize(session, change, *kind);
  if (!summary.ok()) {
    return summary.error();
  }
  auto outcome = notifier_.on_appointment_change(session, *summary);
  if (!outcome.ok()) {
    return outcome.error().with_context("queue the appointment's reminders");
  }
  return ok_status();
}

void AppointmentReminders::on_change_committed(const scheduling::AppointmentChange& change) {
  if (event_kind_of(change.kind)) {
    notifier_.after_commit();
  }
}

Result<AppointmentSummary> AppointmentReminders::summarize(
    soci::session& session, const scheduling::AppointmentChange& change,
    AppointmentEventKind kind) {
  const scheduling::Appointment& appointment = change.appointment;
  AppointmentSummary summary;
  summary.kind = kind;
  summary.appointment_id = appointment.id;
  summary.sequence = appointment.version;
  summary.starts_at = appointment.starts_at;
  summary.ends_at = appointment.ends_at;
  summary.practitioner_id = appointment.practitioner_id;
  summary.changed_at = change.at;

  const auto practitioner = practitioners_.find(session, appointment.practitioner_id);
  summary.practitioner_name = practitioner && !practitioner->display_name.empty()
                                  ? practitioner->display_name
                                  : std::string(kUnnamedPractitioner);

  auto patient = patients_.find_by_id(session, appointment.patient_id);
  if (!patient.ok()) {
    return patient.error().with_context("read the patient's contact details");
  }
  summary.patient.patient_id = appointment.patient_id;
  if (*patient) {
    summary.patient.email = (*patient)->email;
    summary.patient.phone = (*patient)->phone;
    summary.patient.initials = initials_of((*patient)->given_name, (*patient)->family_name);
  }
  return summary;
}

}  // namespace th::notify
