// AppointmentUpdater: the one way an existing appointment changes, shared by
// rescheduling, cancellation and the visit steps. In one write transaction
// it reads the appointment, checks that the caller may see it (else
// kNotFound, as if it did not exist) and may take the step (else
// kPermissionDenied saying why), applies the step, writes the new version
// and lets the observers add to the transaction. After the commit it
// records the audit event (the response, which carries the appointment,
// waits for it: fail closed), then tells the observers, and the queue
// publishers when the waiting room changed (see queue_change_between()). Every attempt is audited,
// refusals included. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "access/caller.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_store.h"
#include "scheduling/appointment_view.h"
#include "scheduling/scheduling_audit.h"
#include "scheduling/scheduling_observers.h"
#include "storage/database.h"

namespace th::scheduling {

struct AppointmentUpdate {
  std::string action;  // for the audit trail: "reschedule", "cancel", "check_in", ...
  AppointmentRight right = AppointmentRight::kManage;
  AppointmentChangeKind kind = AppointmentChangeKind::kStatusChanged;
  // Applies the step to the appointment as read, inside the transaction; an
  // error leaves everything as it was. The updater bumps the version and
  // sets updated_at and updated_by.
  std::function<Status(soci::session& session, Appointment& appointment)> change;
};

class AppointmentUpdater {
 public:
  AppointmentUpdater(storage::Database& database, AppointmentStore& appointments,
                     AppointmentAccess& access, const SchedulingObservers& observers,
                     audit::AuditSink& audit, const Clock& clock)
      : database_(database),
        appointments_(appointments),
        access_(access),
        observers_(observers),
        audit_(audit),
        clock_(clock) {}

  Result<AppointmentView> apply(const std::string& appointment_id, const access::Caller& caller,
                                const AppointmentUpdate& update);

 private:
  storage::Database& database_;
  AppointmentStore& appointments_;
  AppointmentAccess& access_;
  const SchedulingObservers& observers_;
  audit::AuditSink& audit_;
  const Clock& clock_;
};

// How the waiting room changed from `before` to `after` of one
// appointment, if it did: joined on check-in, left when the patient is no
// longer waiting, finished when the visit in progress ends, reordered when a
// waiting patient's urgency changes.
std::optional<QueueChangeKind> queue_change_between(const Appointment& before,
                                                    const Appointment& after);

}  // namespace th::scheduling
