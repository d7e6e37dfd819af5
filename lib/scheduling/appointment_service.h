// AppointmentService: booking, rescheduling and cancelling appointments,
// and reading them: one appointment, a filtered listing, a practitioner's
// day. Each operation checks the caller's right (AppointmentAccess), runs in
// one transaction, and is audited with the patient's id after the commit;
// results carrying appointments are returned only once their event is
// recorded (fail closed).
//
// Booking rules: the practitioner must hold a license in the patient's
// state (kPermissionDenied "not_licensed", naming the states); the visit
// must start on the practitioner's slot grid inside their availability
// (kFailedPrecondition "outside_availability"), in the future and within the
// booking horizon; and the time must be free. Of racing bookings for
// overlapping times exactly one commits, whichever daemon serves it; the
// others fail with kConflict "slot_taken" (see AppointmentStore).
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "access/patient_store.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_store.h"
#include "scheduling/appointment_updater.h"
#include "scheduling/appointment_view.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/schedule_calendar.h"
#include "scheduling/scheduling_settings.h"
#include "scheduling/visit_type_store.h"
#include "storage/database.h"

namespace th::scheduling {

struct BookingRequest {
  std::string practitioner_id;
  std::string patient_id;  // may be empty for a patient booking for themselves
  std::string visit_type;
  UnixMicros starts_at = 0;
  std::string reason;  // reason for the visit, optional, at most 1000 bytes
};

struct AppointmentQuery {
  std::string practitioner_id;  // empty for any
  std::string patient_id;       // empty for any (forced to their own for patients)
  TimeWindow span;              // start times within; end 0 for no end
  std::string status;           // empty for any
};

struct AppointmentServiceDeps {
  storage::Database& database;
  AppointmentStore& appointments;
  PractitionerStore& practitioners;
  VisitTypeStore& visit_types;
  ScheduleCalendar& calendar;
  access::PatientStore& patients;
  AppointmentAccess& access;
  AppointmentUpdater& updater;
  const SchedulingObservers& observers;
  audit::AuditSink& audit;
  const Clock& clock;
  const SchedulingSettings& settings;
};

class AppointmentService {
 public:
  explicit AppointmentService(AppointmentServiceDeps deps) : deps_(deps) {}

  Result<AppointmentView> book(const BookingRequest& request, const access::Caller& caller);
  // A new start for the same visit type and practitioner.
  Result<AppointmentView> reschedule(const std::string& id, UnixMicros starts_at,
                                     const access::Caller& caller);
  // `reason` is required (1 to 500 bytes) and kept sealed.
  Result<AppointmentView> cancel(const std::string& id, const std::string& reason,
                                 const access::Caller& caller);

  // kNotFound for a missing appointment and for one the caller may not see.
  Result<AppointmentView> find(const std::string& id, const access::Caller& caller);
  // The appointments the caller may see among those matching, by start.
  Result<std::vector<AppointmentView>> list(const AppointmentQuery& query,
                                            const access::Caller& caller);
  // A practitioner's appointments starting within `day` (one local day in
  // the viewer's zone), cancelled ones included. For staff:
  // kPermissionDenied for patients.
  Result<std::vector<AppointmentView>> day_schedule(const std::string& practitioner_id,
                                                    const TimeWindow& day,
                                                    const access::Caller& caller);

 private:
  Result<AppointmentView> insert_booking(soci::session& session, const BookingRequest& request,
                                         const access::Caller& caller, audit::AuditEvent& event,
                                         AppointmentChange& change);
  Status check_start(UnixMicros starts_at) const;
  Result<std::vector<AppointmentView>> visible(soci::session& session,
                                               std::vector<Appointment> appointments,
                                               const access::Caller& caller, bool& emergency);
  // The visible appointments matching `filter`, once `event` (completed
  // with their patients) is recorded.
  Result<std::vector<AppointmentView>> listing(const AppointmentFilter& filter,
                                               const access::Caller& caller,
                                               audit::AuditEvent event);

  AppointmentServiceDeps deps_;
};

}  // namespace th::scheduling
