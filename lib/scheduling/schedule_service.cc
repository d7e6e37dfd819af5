#include "scheduling/schedule_service.h"

#include <algorithm>

#include "crypto/uuid.h"
#include "scheduling/scheduling_audit.h"
#include "scheduling/slot_finder.h"
#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

// The longest span of dates an availability listing covers.
constexpr long long kMaxListingDays = 366;

Error no_practitioner(const std::string& id) {
  return Error(ErrorCode::kNotFound, "no practitioner '" + id + "'");
}

}  // namespace

void ScheduleService::audit_change(audit::AuditEvent event) {
  // The change has committed and carries no patient data back; a failure
  // to record it is the audit log's to report.
  (void)deps_.audit.record(std::move(event));
}

// ---- practitioners ----

Result<Practitioner> ScheduleService::put_practitioner(const std::string& user,
                                                       Practitioner profile,
                                                       const access::Caller& caller) {
  profile.updated_at = deps_.clock.now_micros();
  auto stored =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<Practitioner> {
        auto found = resolve_user(session, user);
        if (!found.ok()) {
          return found.error();
        }
        const access::User& account = *found;
        if (account.kind != access::UserKind::kStaff ||
            account.status != access::UserStatus::kActive) {
          return Error(ErrorCode::kInvalidArgument, "practitioners are active staff users");
        }
        profile.user_id = account.id;
        TH_RETURN_IF_ERROR(deps_.practitioners.put(session, profile));
        return profile;
      });
  if (stored.ok()) {
    audit_change(caller.event("update", "practitioner", stored->user_id));
  }
  return stored;
}

Result<Practitioner> ScheduleService::change_licenses(const std::string& user,
                                                      const std::vector<std::string>& added,
                                                      const std::vector<std::string>& removed,
                                                      const access::Caller& caller) {
  const UnixMicros now = deps_.clock.now_micros();
  auto changed =
      deps_.database.run_write_transaction([&](soci::session& session) -> Result<Practitioner> {
        auto account = resolve_user(session, user);
        if (!account.ok()) {
          return account.error();
        }
        auto practitioner = deps_.practitioners.find(session, account->id);
        if (!practitioner) {
          return no_practitioner(account->id);
        }
        TH_RETURN_IF_ERROR(change_license_states(*practitioner, added, removed));
        practitioner->updated_at = now;
        TH_RETURN_IF_ERROR(deps_.practitioners.put(session, *practitioner));
        return *practitioner;
      });
  if (!changed.ok()) {
    return changed;
  }
  // States are no personal data: the trail names them.
  const std::pair<const char*, const std::vector<std::string>*> changes[] = {
      {"license_add", &added}, {"license_remove", &removed}};
  for (const auto& [action, states] : changes) {
    if (!states->empty()) {
      auto event = caller.event(action, "practitioner", changed->user_id);
      event.reason = "states " + join_license_states(*states);
      audit_change(std::move(event));
    }
  }
  return changed;
}

Result<access::User> ScheduleService::resolve_user(soci::session& session,
                                                   const std::string& user) {
  auto found = deps_.users.find_by_id(session, user);
  if (found.ok() && !found->has_value()) {
    found = deps_.users.find_by_username(session, user);
  }
  if (!found.ok()) {
    return found.error();
  }
  if (!found->has_value()) {
    return Error(ErrorCode::kNotFound, "no user '" + user + "'");
  }
  return std::move(**found);
}

Result<std::vector<Practitioner>> ScheduleService::list_practitioners() {
  return deps_.database.run(
      [&](soci::session& session) { return deps_.practitioners.list(session); });
}

Result<Practitioner> ScheduleService::find_practitioner(const std::string& user_id) {
  return deps_.database.run([&](soci::session& session) -> Result<Practitioner> {
    auto found = deps_.practitioners.find(session, user_id);
    if (!found) {
      return no_practitioner(user_id);
    }
    return *found;
  });
}

// ---- visit types ----

Status ScheduleService::put_visit_type(VisitType type, const access::Caller& caller) {
  type.updated_at = deps_.clock.now_micros();
  TH_RETURN_IF_ERROR(deps_.database.run_write_transaction(
      [&](soci::session& session) { return deps_.visit_types.put(session, type); }));
  audit_change(caller.event("update", "visit_type", type.code));
  return ok_status();
}

Result<std::vector<VisitType>> ScheduleService::list_visit_types() {
  return deps_.database.run(
      [&](soci::session& session) { return deps_.visit_types.list(session); });
}

// ---- availability ----

Result<Availability> ScheduleService::availability(const std::string& practitioner_id,
                                                   const LocalDate& first, const LocalDate& last) {
  if (days_between(first, last) < 0 || days_between(first, last) >= kMaxListingDays) {
    return Error(ErrorCode::kInvalidArgument, "the date range must run forward, at most a year");
  }
  return deps_.database.run([&](soci::session& session) -> Result<Availability> {
    auto practitioner = deps_.practitioners.find(session, practitioner_id);
    if (!practitioner) {
      return no_practitioner(practitioner_id);
    }
    auto exceptions = deps_.availability.exceptions(session, practitioner_id, first, last);
    if (!exceptions.ok()) {
      return exceptions.error();
    }
    return Availability{*practitioner, deps_.availability.rules(session, practitioner_id),
                        std::move(*exceptions)};
  });
}

Status ScheduleService::set_weekly_rules(const std::string& practitioner_id,
                                         const std::vector<WeeklyRule>& rules,
                                         std::optional<int> slot_minutes,
                                         const access::Caller& caller) {
  TH_RETURN_IF_ERROR(deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    auto practitioner = deps_.practitioners.find(session, practitioner_id);
    if (!practitioner) {
      return no_practitioner(practitioner_id);
    }
    if (slot_minutes && *slot_minutes != practitioner->slot_minutes) {
      practitioner->slot_minutes = *slot_minutes;
      practitioner->updated_at = deps_.clock.now_micros();
      TH_RETURN_IF_ERROR(deps_.practitioners.put(session, *practitioner));
    }
    return deps_.availability.replace_rules(session, practitioner_id, rules);
  }));
  audit_change(caller.event("update", "availability", practitioner_id));
  return ok_status();
}

Result<AvailabilityException> ScheduleService::add_exception(const std::string& practitioner_id,
                                                             AvailabilityException exception,
                                                             const access::Caller& caller) {
  exception.id = crypto::new_uuid_v4();
  TH_RETURN_IF_ERROR(deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    if (!deps_.practitioners.find(session, practitioner_id)) {
      return no_practitioner(practitioner_id);
    }
    return deps_.availability.add_exception(
        session,
        StoredException{exception, practitioner_id, actor_of(caller), deps_.clock.now_micros()});
  }));
  auto event = caller.event("create", "availability_exception", exception.id);
  event.reason = "practitioner " + practitioner_id;
  audit_change(std::move(event));
  return exception;
}

Status ScheduleService::remove_exception(const std::string& practitioner_id,
                                         const std::string& exception_id,
                                         const access::Caller& caller) {
  TH_RETURN_IF_ERROR(deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    if (!deps_.availability.remove_exception(session, practitioner_id, exception_id)) {
      return Error(ErrorCode::kNotFound,
                   "no exception '" + exception_id + "' for that practitioner");
    }
    return ok_status();
  }));
  auto event = caller.event("delete", "availability_exception", exception_id);
  event.reason = "practitioner " + practitioner_id;
  audit_change(std::move(event));
  return ok_status();
}

// ---- slots ----

Result<std::vector<Slot>> ScheduleService::slots_of(soci::session& session,
                                                    const Practitioner& practitioner,
                                                    const VisitType& type, const TimeWindow& span) {
  auto windows = deps_.calendar.windows(session, practitioner, span);
  if (!windows.ok()) {
    return windows.error();
  }
  const TimeWindow reach{windows->empty() ? span.start : windows->front().start,
                         windows->empty() ? span.end : windows->back().end};
  const UnixMicros now = deps_.clock.now_micros();
  SlotQuery query;
  query.slot_minutes = practitioner.slot_minutes;
  query.duration_minutes = type.duration_minutes;
  query.not_before = std::max(span.start, now + 1);
  query.not_after =
      std::min(span.end - 1, now + deps_.settings.booking_horizon_days * kMicrosPerDay);
  std::vector<Slot> slots;
  for (const TimeWindow& free :
       free_slots(*windows, deps_.appointments.busy(session, practitioner.user_id, reach), query)) {
    slots.push_back(Slot{practitioner.user_id, free});
  }
  return slots;
}

Result<std::vector<Slot>> ScheduleService::search_slots(const SlotSearch& search,
                                                        const access::Caller& caller) {
  if (search.span.empty() || search.span.end - search.span.start > kMaxSearchDays * kMicrosPerDay) {
    return Error(ErrorCode::kInvalidArgument,
                 "a slot search covers 1 to " + std::to_string(kMaxSearchDays) + " days");
  }
  const access::Principal& principal = caller.principal;
  const std::string patient_id =
      principal.patient_id.empty() ? search.patient_id : principal.patient_id;
  if (!principal.patient_id.empty() && !search.patient_id.empty() &&
      search.patient_id != principal.patient_id) {
    return Error(ErrorCode::kNotFound, "no patient with that id");
  }
  if (!patient_id.empty() && principal.patient_id.empty() &&
      !principal.has_permission("patient.demographics")) {
    return Error(ErrorCode::kPermissionDenied,
                 "not_permitted: naming a patient needs "
                 "patient.demographics");
  }
  auto event = caller.event("search", "slot", search.practitioner_id);
  event.patient_id = patient_id;
  auto slots = deps_.database.run([&](soci::session& session) -> Result<std::vector<Slot>> {
    const auto type = deps_.visit_types.find(session, search.visit_type);
    if (!type || !type->active) {
      return Error(ErrorCode::kInvalidArgument, "unknown visit type '" + search.visit_type + "'");
    }
    std::string state;
    if (!patient_id.empty()) {
      auto patient = deps_.patients.find_by_id(session, patient_id);
      if (!patient.ok()) {
        return patient.error();
      }
      if (!patient->has_value()) {
        return Error(ErrorCode::kNotFound, "no patient with that id");
      }
      state = (*patient)->state;
    }
    std::vector<Practitioner> candidates;
    if (search.practitioner_id.empty()) {
      candidates = deps_.practitioners.list(session);
    } else if (auto one = deps_.practitioners.find(session, search.practitioner_id)) {
      if (!state.empty()) {
        TH_RETURN_IF_ERROR(check_licensure(*one, state));
      }
      candidates.push_back(*one);
    } else {
      return no_practitioner(search.practitioner_id);
    }
    std::vector<Slot> found;
    for (const Practitioner& practitioner : candidates) {
      if (!state.empty() && !is_licensed_in(practitioner, state)) {
        continue;
      }
      auto own = slots_of(session, practitioner, *type, search.span);
      if (!own.ok()) {
        return own.error();
      }
      found.insert(found.end(), own->begin(), own->end());
    }
    std::ranges::stable_sort(found, {}, [](const Slot& slot) { return slot.window.start; });
    return found;
  });
  if (!slots.ok()) {
    mark_failure(event, slots.error(), false);
    (void)deps_.audit.record(std::move(event));
    return slots.error();
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return slots;
}

}  // namespace th::scheduling
