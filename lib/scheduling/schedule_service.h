// ScheduleService: what can be booked. Practitioners' profiles (NPI,
// license states, time zone, slot length), the clinic's visit types, weekly
// availability and its exceptions, and the search for free slots.
//
// Profiles and availability hold no patient data; their changes are audited
// without a patient. A slot search for a patient (a patient searching, or
// staff naming one) keeps to practitioners licensed in the patient's state
// and is audited with the patient's id.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "access/patient_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "scheduling/appointment_store.h"
#include "scheduling/availability_store.h"
#include "scheduling/practitioner_store.h"
#include "scheduling/schedule_calendar.h"
#include "scheduling/scheduling_settings.h"
#include "scheduling/visit_type_store.h"
#include "storage/database.h"

namespace th::scheduling {

struct Availability {
  Practitioner practitioner;
  std::vector<WeeklyRule> rules;
  std::vector<AvailabilityException> exceptions;  // in the span asked for
};

struct SlotSearch {
  std::string practitioner_id;  // empty for every practitioner
  std::string visit_type;
  std::string patient_id;  // optional for staff; a patient's own always applies
  TimeWindow span;         // slots starting within
};

struct Slot {
  std::string practitioner_id;
  TimeWindow window;
};

struct ScheduleServiceDeps {
  storage::Database& database;
  PractitionerStore& practitioners;
  VisitTypeStore& visit_types;
  AvailabilityStore& availability;
  AppointmentStore& appointments;
  ScheduleCalendar& calendar;
  access::UserStore& users;
  access::PatientStore& patients;
  audit::AuditSink& audit;
  const Clock& clock;
  const SchedulingSettings& settings;
};

class ScheduleService {
 public:
  explicit ScheduleService(ScheduleServiceDeps deps) : deps_(deps) {}

  // -- practitioners --
  // Creates or replaces the profile of a staff user (by id or username).
  // kNotFound for no such user; kInvalidArgument for one who is not active
  // staff, or invalid fields.
  Result<Practitioner> put_practitioner(const std::string& user, Practitioner profile,
                                        const access::Caller& caller);
  // Adds and removes license states of an existing practitioner (by user id
  // or username) in one transaction, as change_license_states describes;
  // kNotFound when the user has no profile. Booking reads the profile in
  // its own transaction, so the next booking sees the change. Audited as
  // license_add and license_remove, naming the states.
  Result<Practitioner> change_licenses(const std::string& user,
                                       const std::vector<std::string>& added,
                                       const std::vector<std::string>& removed,
                                       const access::Caller& caller);
  Result<std::vector<Practitioner>> list_practitioners();
  Result<Practitioner> find_practitioner(const std::string& user_id);

  // -- visit types --
  Status put_visit_type(VisitType type, const access::Caller& caller);
  Result<std::vector<VisitType>> list_visit_types();

  // -- availability --
  // Rules and the exceptions dated within `dates` (local, inclusive).
  Result<Availability> availability(const std::string& practitioner_id, const LocalDate& first,
                                    const LocalDate& last);
  // Replaces the weekly rules, and the slot length when given.
  Status set_weekly_rules(const std::string& practitioner_id, const std::vector<WeeklyRule>& rules,
                          std::optional<int> slot_minutes, const access::Caller& caller);
  Result<AvailabilityException> add_exception(const std::string& practitioner_id,
                                              AvailabilityException exception,
                                              const access::Caller& caller);
  Status remove_exception(const std::string& practitioner_id, const std::string& exception_id,
                          const access::Caller& caller);

  // -- slots --
  // kInvalidArgument for an unknown visit type or a span longer than
  // kMaxSearchDays; for a named practitioner not licensed in the patient's
  // state, their kPermissionDenied "not_licensed".
  Result<std::vector<Slot>> search_slots(const SlotSearch& search, const access::Caller& caller);

 private:
  Result<std::vector<Slot>> slots_of(soci::session& session, const Practitioner& practitioner,
                                     const VisitType& type, const TimeWindow& span);
  // The user an id or username names; kNotFound when none.
  Result<access::User> resolve_user(soci::session& session, const std::string& user);
  void audit_change(audit::AuditEvent event);

  ScheduleServiceDeps deps_;
};

}  // namespace th::scheduling
