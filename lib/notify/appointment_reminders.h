// AppointmentReminders: the observer through which booking, rescheduling and
// cancellation reach reminders and calendar feeds. Registered with the
// scheduling services at start-up (SchedulingObservers::add), it turns each
// AppointmentChange into the AppointmentSummary that AppointmentNotifier
// plans from, inside the change's own transaction, so that the notices and
// reminders of a booking are queued exactly when the booking commits.
//
// The summary is read on that transaction's session: the practitioner's
// display name from their profile (or "your clinician" when they have none)
// and the patient's email, phone and initials from the sealed patient
// record. The reason for the visit is never read. Status changes (check-in,
// start, completion, no-show, urgency) send nothing.
//
// Thread-safe: it holds references to thread-safe services only.
#pragma once

#include "access/patient_store.h"
#include "notify/appointment_notifier.h"
#include "notify/appointment_summary.h"
#include "scheduling/appointment_events.h"
#include "scheduling/practitioner_store.h"

namespace th::notify {

// What messages call a practitioner whose profile has no display name.
inline constexpr std::string_view kUnnamedPractitioner = "your clinician";

class AppointmentReminders final : public scheduling::AppointmentEvents {
 public:
  AppointmentReminders(AppointmentNotifier& notifier, access::PatientStore& patients,
                       scheduling::PractitionerStore& practitioners)
      : notifier_(notifier), patients_(patients), practitioners_(practitioners) {}

  // Fails, rolling the change back, when the patient record cannot be read
  // or the outbox cannot be written.
  Status on_change_pending(soci::session& session,
                           const scheduling::AppointmentChange& change) override;
  void on_change_committed(const scheduling::AppointmentChange& change) override;

 private:
  Result<AppointmentSummary> summarize(soci::session& session,
                                       const scheduling::AppointmentChange& change,
                                       AppointmentEventKind kind);

  AppointmentNotifier& notifier_;
  access::PatientStore& patients_;
  scheduling::PractitionerStore& practitioners_;
};

// "J. D." from a given and a family name: the first letter of each, upper
// case (ASCII letters only; others are kept as they are). Empty names give
// nothing for their part.
std::string initials_of(std::string_view given_name, std::string_view family_name);

}  // namespace th::notify
