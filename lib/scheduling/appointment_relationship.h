// AppointmentRelationship: booking an appointment makes its practitioner
// one of the patient's carers, as if on the care team, for as long as the
// appointment is not cancelled (completed and missed visits keep it: the
// practitioner may need the record to follow up). Registered with the
// patient scope at start-up. Thread-safe (no state of its own).
#pragma once

#include "access/care_relationship.h"
#include "scheduling/appointment_store.h"

namespace th::scheduling {

class AppointmentRelationship final : public access::CareRelationship {
 public:
  explicit AppointmentRelationship(AppointmentStore& appointments) : appointments_(appointments) {}

  bool relates(soci::session& session, const std::string& patient_id,
               const std::string& user_id) override {
    return appointments_.is_practitioner_of(session, patient_id, user_id);
  }
  std::string_view name() const override { return "appointment"; }

 private:
  AppointmentStore& appointments_;
};

}  // namespace th::scheduling
