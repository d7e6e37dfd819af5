// VisitService: the visit itself and the waiting room. Check-in (from the
// configured time before the start until the end), start, completion,
// no-show, urgency, return to the waiting room and transfer, each a validated move of the visit
// state machine, timestamped on the appointment and audited (see AppointmentUpdater); and each
// practitioner's queue of checked-in patients with positions and estimated waits. Queue changes go
// to the registered QueueEvents publishers after the commit. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "access/caller.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_access.h"
#include "scheduling/appointment_store.h"
#include "scheduling/appointment_updater.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/scheduling_settings.h"
#include "scheduling/visit_state_machine.h"
#include "scheduling/waiting_queue.h"
#include "storage/database.h"

namespace th::scheduling {

// One place in a queue as a caller may see it: patients see their own
// places only (with their positions among everyone's).
struct QueueView {
  std::vector<QueuePlace> places;
  std::vector<bool> reason_visible;        // per place
  std::optional<Appointment> in_progress;  // for staff; empty for patients
};

struct VisitServiceDeps {
  storage::Database& database;
  AppointmentStore& appointments;
  PractitionerStore& practitioners;
  AppointmentAccess& access;
  AppointmentUpdater& updater;
  audit::AuditSink& audit;
  const Clock& clock;
  const SchedulingSettings& settings;
};

class VisitService {
 public:
  explicit VisitService(VisitServiceDeps deps) : deps_(deps) {}

  Result<AppointmentView> check_in(const std::string& id, const access::Caller& caller);
  Result<AppointmentView> start(const std::string& id, const access::Caller& caller);
  Result<AppointmentView> complete(const std::string& id, const access::Caller& caller);
  // Sends a visit in progress back to the waiting room (the host returned
  // the patient): in_progress -> checked_in, with the run right.
  Result<AppointmentView> return_to_waiting(const std::string& id, const access::Caller& caller);
  // Moves a checked-in visit to another practitioner's queue, with the run
  // right. kNotFound for an unknown practitioner, kFailedPrecondition for a
  // visit not checked in, already with that practitioner, or starting when
  // another of theirs does.
  Result<AppointmentView> transfer(const std::string& id, const std::string& practitioner_id,
                                   const access::Caller& caller);
  Result<AppointmentView> no_show(const std::string& id, const access::Caller& caller);
  // Urgent patients are seen first. Only while scheduled or checked in.
  Result<AppointmentView> set_urgent(const std::string& id, bool urgent,
                                     const access::Caller& caller);

  Result<QueueView> queue(const std::string& practitioner_id, const access::Caller& caller);
  // The practitioner's queue as it stands, unfiltered and not audited: for
  // telling the waiting their own position, which shows nothing of anyone
  // else.
  Result<std::vector<QueuePlace>> places(const std::string& practitioner_id);

 private:
  Result<AppointmentView> step(const std::string& id, VisitAction action, AppointmentRight right,
                               const access::Caller& caller);

  struct LoadedQueue {
    std::vector<QueuePlace> places;
    std::optional<Appointment> in_progress;
  };
  Result<LoadedQueue> load_queue(soci::session& session, const std::string& practitioner_id);

  VisitServiceDeps deps_;
};

}  // namespace th::scheduling
