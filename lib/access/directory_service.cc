#include "access/directory_service.h"

#include <map>
#include <set>

#include "access/builtin_roles.h"
#include "crypto/random.h"
#include "crypto/uuid.h"
#include "util/csv_reader.h"

namespace th::access {
namespace {

UserKind kind_for_role(const std::string& role) {
  return role == kPatientRole ? UserKind::kPatient : UserKind::kStaff;
}

Error not_found(const std::string& what, const std::string& name) {
  return Error(ErrorCode::kNotFound, "no " + what + " '" + name + "'");
}

// The outcome of an import transaction: a refusal, which rolls every row
// back, when any row had a problem.
Status refuse_on_problems(const std::vector<ImportProblem>& problems) {
  if (problems.empty()) {
    return ok_status();
  }
  return Error(ErrorCode::kInvalidArgument,
               std::to_string(problems.size()) + " row(s) are invalid; nothing was imported");
}

bool looks_like_uuid(const std::string& text) {
  return text.size() == 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' &&
         text[23] == '-';
}

}  // namespace

DirectoryService::DirectoryService(storage::Database& database, UserStore& users,
                                   PatientStore& patients, RoleStore& roles,
                                   CareTeamStore& care_teams, SessionStore& sessions,
                                   EmergencyStore& emergencies, SecurityEventLog& events,
                                   CredentialCache& cache, AuthenticationService& authentication,
                                   audit::AuditSink& audit, const Clock& clock,
                                   const AuthSettings& settings)
    : database_(database),
      users_(users),
      patients_(patients),
      roles_(roles),
      care_teams_(care_teams),
      sessions_(sessions),
      emergencies_(emergencies),
      events_(events),
      cache_(cache),
      authentication_(authentication),
      audit_(audit),
      clock_(clock),
      settings_(settings) {}

void DirectoryService::audit(audit::AuditEvent event, audit::AuditOutcome outcome,
                             std::string reason) {
  event.outcome = outcome;
  event.reason = std::move(reason);
  (void)audit_.record(std::move(event));
}

void DirectoryService::record_all(std::vector<audit::AuditEvent> events) {
  for (audit::AuditEvent& event : events) {
    (void)audit_.record(std::move(event));
  }
}

Result<User> DirectoryService::resolve_user(soci::session& session,
                                            const std::string& id_or_username) {
  auto found = looks_like_uuid(id_or_username) ? users_.find_by_id(session, id_or_username)
                                               : users_.find_by_username(session, id_or_username);
  if (!found.ok()) {
    return found.error();
  }
  if (!found->has_value()) {
    return not_found("user", id_or_username);
  }
  return std::move(**found);
}

Result<Patient> DirectoryService::resolve_patient(soci::session& session,
                                                  const std::string& id_or_mrn) {
  auto found = looks_like_uuid(id_or_mrn) ? patients_.find_by_id(session, id_or_mrn)
                                          : patients_.find_by_mrn(session, id_or_mrn);
  if (!found.ok()) {
    return found.error();
  }
  if (!found->has_value()) {
    return Error(ErrorCode::kNotFound, "no patient with that id or MRN");
  }
  return std::move(**found);
}

// ---- users ----

Result<CreatedUser> DirectoryService::insert_user(soci::session& session, const NewUser& request,
                                                  const Caller& caller,
                                                  std::vector<audit::AuditEvent>& events) {
  TH_RETURN_IF_ERROR(validate_username(request.username));
  auto role = roles_.find(session, request.role);
  if (!role.ok()) {
    return role.error();
  }
  if (!*role) {
    return not_found("role", request.role);
  }
  User user;
  user.id = crypto::new_uuid_v4();
  user.username = request.username;
  user.email = request.email;
  user.role = request.role;
  if (request.kind.empty()) {
    user.kind = kind_for_role(request.role);
  } else {
    auto kind = parse_user_kind(request.kind);
    if (!kind.ok()) {
      return kind.error();
    }
    user.kind = *kind;
  }
  if ((user.kind == UserKind::kPatient) != (request.role == kPatientRole)) {
    return Error(ErrorCode::kInvalidArgument,
                 "the patient role is for patient users, and patient users hold only it");
  }
  if (user.kind == UserKind::kPatient) {
    if (request.patient_mrn.empty()) {
      return Error(ErrorCode::kInvalidArgument, "a patient user needs --patient MRN");
    }
    auto patient = resolve_patient(session, request.patient_mrn);
    if (!patient.ok()) {
      return patient.error();
    }
    auto linked = users_.find_by_patient(session, patient->id);
    if (!linked.ok()) {
      return linked.error();
    }
    if (linked->has_value()) {
      return Error(ErrorCode::kAlreadyExists, "that patient record already has a user");
    }
    user.patient_id = patient->id;
  } else if (!request.patient_mrn.empty()) {
    return Error(ErrorCode::kInvalidArgument, "only patient users are linked to a patient");
  }

  const UnixMicros now = clock_.now_micros();
  CreatedUser created;
  if (user.kind != UserKind::kService) {
    auto [code, hash] = AuthenticationService::new_enrolment_code();
    created.enrolment_code = code;
    user.enrolment_code_hash = hash;
    user.enrolment_expires_at =
        now + static_cast<UnixMicros>(settings_.enrolment_code_lifetime_seconds) * 1'000'000;
  }
  user.created_at = now;
  user.updated_at = now;
  TH_RETURN_IF_ERROR(users_.insert(session, user));
  created.user = user;
  auto event = caller.event("create", "user", user.id);
  event.patient_id = user.patient_id;
  event.outcome = audit::AuditOutcome::kSuccess;
  events.push_back(std::move(event));
  return created;
}

Result<CreatedUser> DirectoryService::create_user(const NewUser& request, const Caller& caller) {
  std::vector<audit::AuditEvent> events;
  auto created = database_.run_write_transaction(
      [&](soci::session& session) { return insert_user(session, request, caller, events); });
  if (created.ok()) {
    record_all(std::move(events));
  }
  return created;
}

Result<std::vector<CreatedUser>> DirectoryService::import_users(
    std::string_view csv, std::vector<ImportProblem>& problems, const Caller& caller) {
  auto rows = parse_csv_with_header(csv, {"username", "role"}, {"email", "kind", "patient_mrn"});
  if (!rows.ok()) {
    problems.push_back({0, rows.error().message()});
    return Error(ErrorCode::kInvalidArgument, "the CSV file is malformed; nothing was imported");
  }
  std::vector<CreatedUser> created;
  std::vector<audit::AuditEvent> events;
  const std::size_t problems_before = problems.size();
  auto result = database_.run_write_transaction([&](soci::session& session) -> Status {
    events.clear();  // a retried transaction starts over, reporting each row once
    created.clear();
    problems.resize(problems_before);
    std::set<std::string> seen;
    for (const CsvKeyedRow& row : *rows) {
      NewUser request;
      auto value = [&](const char* name) {
        const auto found = row.values.find(name);
        return found == row.values.end() ? std::string() : found->second;
      };
      request.username = value("username");
      request.role = value("role");
      request.email = value("email");
      request.kind = value("kind");
      request.patient_mrn = value("patient_mrn");
      if (!seen.insert(request.username).second) {
        problems.push_back({row.line, "username '" + request.username + "' appears twice"});
        continue;
      }
      auto user = insert_user(session, request, caller, events);
      if (!user.ok()) {
        problems.push_back({row.line, user.error().message()});
        continue;
      }
      created.push_back(std::move(*user));
    }
    return refuse_on_problems(problems);
  });
  if (!result.ok()) {
    return result.error();
  }
  record_all(std::move(events));
  return created;
}

Result<std::vector<User>> DirectoryService::list_users(const Caller& caller) {
  auto users = database_.run([&](soci::session& session) { return users_.list(session); });
  if (users.ok()) {
    audit(caller.event("search", "user"));
  } else if (users.error().code() == ErrorCode::kDataLoss) {
    // The message names the altered row by id, never its values.
    audit(caller.event("search", "user"), audit::AuditOutcome::kError, users.error().message());
  }
  return users;
}

Result<User> DirectoryService::find_user(const std::string& id_or_username, const Caller& caller) {
  auto user =
      database_.run([&](soci::session& session) { return resolve_user(session, id_or_username); });
  if (user.ok()) {
    auto event = caller.event("read", "user", user->id);
    event.patient_id = user->patient_id;
    audit(event);
  } else if (user.error().code() == ErrorCode::kDataLoss) {
    // The account exists but was altered: name it, so the trail shows whose
    // account could not be read.
    auto stored = database_.run([&](soci::session& session) {
      return looks_like_uuid(id_or_username)
                 ? users_.stored_id(session, id_or_username)
                 : users_.stored_id_by_username(session, id_or_username);
    });
    audit(caller.event("read", "user", stored.ok() ? *stored : std::string()),
          audit::AuditOutcome::kError, "the stored account failed its integrity check");
  }
  return user;
}

Status DirectoryService::set_user_status(const std::string& id_or_username, UserStatus status,
                                         const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  std::string user_id;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto user = resolve_user(session, id_or_username);
    if (!user.ok()) {
      return user.error();
    }
    user_id = user->id;
    user->status = status;
    if (status == UserStatus::kActive) {
      user->failed_logins = 0;
    }
    TH_RETURN_IF_ERROR(users_.update(session, *user, now));
    if (status != UserStatus::kActive) {
      for (const std::string& id :
           sessions_.revoke_all_for_user(session, user->id, "account disabled", now)) {
        events_.append(session, SecurityEventKind::kSessionRevoked, id, now);
      }
    }
    events_.append(session, SecurityEventKind::kUserChanged, user->id, now);
    return ok_status();
  }));
  cache_.forget_user(user_id);
  audit(caller.event(status == UserStatus::kActive ? "enable" : "disable", "user", user_id));
  return ok_status();
}

Status DirectoryService::reset_mfa(const std::string& id_or_username, const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  std::string user_id;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto user = resolve_user(session, id_or_username);
    if (!user.ok()) {
      return user.error();
    }
    user_id = user->id;
    user->mfa_enabled = false;
    user->mfa_secret.clear();
    user->mfa_last_step = 0;
    TH_RETURN_IF_ERROR(users_.update(session, *user, now));
    session << "DELETE FROM recovery_codes WHERE user_id = :user", soci::use(user_id);
    for (const std::string& id :
         sessions_.revoke_all_for_user(session, user_id, "MFA reset", now)) {
      events_.append(session, SecurityEventKind::kSessionRevoked, id, now);
    }
    events_.append(session, SecurityEventKind::kUserChanged, user_id, now);
    return ok_status();
  }));
  cache_.forget_user(user_id);
  audit(caller.event("mfa_reset", "user", user_id));
  return ok_status();
}

Result<std::string> DirectoryService::reissue_enrolment(const std::string& id_or_username,
                                                        const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  auto [code, hash] = AuthenticationService::new_enrolment_code();
  std::string user_id;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto user = resolve_user(session, id_or_username);
    if (!user.ok()) {
      return user.error();
    }
    user_id = user->id;
    user->enrolment_code_hash = hash;
    user->enrolment_expires_at =
        now + static_cast<UnixMicros>(settings_.enrolment_code_lifetime_seconds) * 1'000'000;
    return users_.update(session, *user, now);
  }));
  audit(caller.event("enrolment_reissue", "user", user_id));
  return code;
}

// ---- patients ----

Result<Patient> DirectoryService::create_patient(Patient patient, const Caller& caller) {
  patient.id = crypto::new_uuid_v4();
  patient.created_at = clock_.now_micros();
  patient.updated_at = patient.created_at;
  TH_RETURN_IF_ERROR(database_.run_write_transaction(
      [&](soci::session& session) { return patients_.insert(session, patient); }));
  auto event = caller.event("create", "patient", patient.id);
  event.patient_id = patient.id;
  audit(event);
  return patient;
}

namespace {

std::string csv_value(const CsvKeyedRow& row, std::string_view column) {
  const auto found = row.values.find(column);
  return found == row.values.end() ? std::string() : found->second;
}

Patient patient_from_row(const CsvKeyedRow& row) {
  Patient patient;
  patient.mrn = csv_value(row, "mrn");
  patient.given_name = csv_value(row, "given_name");
  patient.family_name = csv_value(row, "family_name");
  patient.birth_date = csv_value(row, "birth_date");
  patient.sex = csv_value(row, "sex");
  patient.state = csv_value(row, "state");
  patient.phone = csv_value(row, "phone");
  patient.email = csv_value(row, "email");
  patient.address = csv_value(row, "address");
  return patient;
}

}  // namespace

Result<std::vector<Patient>> DirectoryService::import_patients(std::string_view csv,
                                                               std::vector<ImportProblem>& problems,
                                                               const Caller& caller) {
  auto rows =
      parse_csv_with_header(csv, {"mrn", "given_name", "family_name", "birth_date", "sex", "state"},
                            {"phone", "email", "address"});
  if (!rows.ok()) {
    problems.push_back({0, rows.error().message()});
    return Error(ErrorCode::kInvalidArgument, "the CSV file is malformed; nothing was imported");
  }
  std::vector<Patient> created;
  auto result = database_.run_write_transaction([&](soci::session& session) -> Status {
    problems.clear();  // a retried transaction starts over
    created.clear();
    // MRNs are personal data: a repeat is reported by the line it repeats,
    // never by its value.
    std::map<std::string, std::size_t> first_line_of_mrn;
    for (const CsvKeyedRow& row : *rows) {
      Patient patient = patient_from_row(row);
      const auto [first, fresh] = first_line_of_mrn.emplace(patient.mrn, row.line);
      if (!fresh) {
        problems.push_back(
            {row.line, "the MRN of line " + std::to_string(first->second) + " appears again"});
        continue;
      }
      patient.id = crypto::new_uuid_v4();
      patient.created_at = clock_.now_micros();
      patient.updated_at = patient.created_at;
      if (Status inserted = patients_.insert(session, patient); !inserted.ok()) {
        problems.push_back({row.line, inserted.error().message()});
        continue;
      }
      created.push_back(std::move(patient));
    }
    return refuse_on_problems(problems);
  });
  if (!result.ok()) {
    return result.error();
  }

  // After the commit, and before any record leaves: fail closed.
  for (const Patient& patient : created) {
    auto event = caller.event("create", "patient", patient.id);
    event.patient_id = patient.id;
    event.outcome = audit::AuditOutcome::kSuccess;
    if (Status recorded = audit_.record(std::move(event)); !recorded.ok()) {
      return Error(ErrorCode::kUnavailable,
                   "the patients were registered but their audit events could not all be "
                   "recorded");
    }
  }
  return created;
}

Result<Patient> DirectoryService::find_patient(const std::string& id_or_mrn) {
  return database_.run([&](soci::session& session) { return resolve_patient(session, id_or_mrn); });
}

Result<std::string> DirectoryService::stored_patient_id(const std::string& id_or_mrn) {
  return database_.run([&](soci::session& session) {
    return looks_like_uuid(id_or_mrn) ? patients_.stored_id(session, id_or_mrn)
                                      : patients_.stored_id_by_mrn(session, id_or_mrn);
  });
}

// ---- roles ----

Result<std::vector<Role>> DirectoryService::list_roles() {
  return database_.run([&](soci::session& session) { return roles_.list(session); });
}

Result<Role> DirectoryService::find_role(const std::string& name) {
  return database_.run([&](soci::session& session) -> Result<Role> {
    auto role = roles_.find(session, name);
    if (!role.ok()) {
      return role.error();
    }
    if (!*role) {
      return not_found("role", name);
    }
    return **role;
  });
}

Status DirectoryService::create_role(const Role& role, const Caller& caller) {
  TH_RETURN_IF_ERROR(database_.run_write_transaction(
      [&](soci::session& session) { return roles_.create(session, role, clock_.now_micros()); }));
  audit(caller.event("create", "role", role.name));
  return ok_status();
}

Status DirectoryService::change_role_permission(const std::string& role,
                                                const std::string& permission, bool grant,
                                                const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(grant ? roles_.grant(session, role, permission)
                             : roles_.revoke(session, role, permission));
    events_.append(session, SecurityEventKind::kRoleChanged, role, now);
    return ok_status();
  }));
  cache_.forget_everything();
  auto event = caller.event(grant ? "grant" : "revoke", "role", role);
  event.reason = permission;
  audit(event);
  return ok_status();
}

// ---- care teams ----

Status DirectoryService::add_care_team_member(const std::string& patient, const std::string& user,
                                              const Caller& caller) {
  std::string patient_id;
  std::string user_id;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found_patient = resolve_patient(session, patient);
    if (!found_patient.ok()) {
      return found_patient.error();
    }
    auto member = resolve_user(session, user);
    if (!member.ok()) {
      return member.error();
    }
    if (member->kind != UserKind::kStaff) {
      return Error(ErrorCode::kInvalidArgument, "only staff can be on a care team");
    }
    patient_id = found_patient->id;
    user_id = member->id;
    care_teams_.add(session,
                    CareTeamMember{patient_id, user_id,
                                   caller.principal.user_id.empty()
                                       ? std::string(principal_kind_name(caller.principal.kind))
                                       : caller.principal.user_id,
                                   clock_.now_micros()});
    return ok_status();
  }));
  auto event = caller.event("create", "care_team_member", user_id);
  event.patient_id = patient_id;
  audit(event);
  return ok_status();
}

Status DirectoryService::remove_care_team_member(const std::string& patient,
                                                 const std::string& user, const Caller& caller) {
  std::string patient_id;
  std::string user_id;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found_patient = resolve_patient(session, patient);
    if (!found_patient.ok()) {
      return found_patient.error();
    }
    auto member = resolve_user(session, user);
    if (!member.ok()) {
      return member.error();
    }
    patient_id = found_patient->id;
    user_id = member->id;
    if (!care_teams_.remove(session, patient_id, user_id)) {
      return Error(ErrorCode::kNotFound, "that user is not on this patient's care team");
    }
    return ok_status();
  }));
  auto event = caller.event("delete", "care_team_member", user_id);
  event.patient_id = patient_id;
  audit(event);
  return ok_status();
}

Result<std::vector<CareTeamMember>> DirectoryService::care_team(const std::string& patient) {
  return database_.run([&](soci::session& session) -> Result<std::vector<CareTeamMember>> {
    auto found = resolve_patient(session, patient);
    if (!found.ok()) {
      return found.error();
    }
    return care_teams_.for_patient(session, found->id);
  });
}

// ---- sessions and tokens ----

Result<std::vector<SessionRecord>> DirectoryService::list_sessions(
    const std::string& user_id_or_empty, std::optional<CredentialKind> kind) {
  return database_.run([&](soci::session& session) -> Result<std::vector<SessionRecord>> {
    std::string user_id;
    if (!user_id_or_empty.empty()) {
      auto user = resolve_user(session, user_id_or_empty);
      if (!user.ok()) {
        return user.error();
      }
      user_id = user->id;
    }
    return sessions_.list(session, user_id, kind, false);
  });
}

Status DirectoryService::revoke_session(const std::string& session_id, const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = sessions_.find_by_id(session, session_id);
    const bool manager = caller.principal.has_permission("session.manage");
    // Whose a row that failed its integrity check is cannot be trusted, so
    // only a session manager may revoke one (it stays refused either way).
    if (!found.ok() && !manager) {
      return found.error();
    }
    if (found.ok()) {
      const std::optional<SessionRecord>& record = *found;
      const bool own = record && record->user_id == caller.principal.user_id &&
                       !caller.principal.user_id.empty();
      const bool token_manager = record && record->kind == CredentialKind::kToken &&
                                 caller.principal.has_permission("token.manage");
      if (!record || (!own && !manager && !token_manager)) {
        return Error(ErrorCode::kNotFound, "no session or token '" + session_id + "'");
      }
    }
    if (!sessions_.revoke(session, session_id, "revoked", now)) {
      return Error(ErrorCode::kFailedPrecondition, "it was already revoked");
    }
    events_.append(session, SecurityEventKind::kSessionRevoked, session_id, now);
    return ok_status();
  }));
  cache_.forget_session(session_id);
  audit(caller.event("revoke", "session", session_id));
  return ok_status();
}

Result<CreatedToken> DirectoryService::create_token(const NewToken& request, const Caller& caller) {
  if (request.name.empty() || request.name.size() > 64) {
    return Error(ErrorCode::kInvalidArgument, "token name must be 1 to 64 characters");
  }
  const UnixMicros now = clock_.now_micros();
  const std::int64_t lifetime = request.lifetime_seconds > 0
                                    ? request.lifetime_seconds
                                    : settings_.token_default_lifetime_seconds;
  CreatedToken created;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto user = resolve_user(session, request.username);
    if (!user.ok()) {
      return user.error();
    }
    if (user->kind == UserKind::kPatient) {
      return Error(ErrorCode::kInvalidArgument, "tokens are for staff and service users");
    }
    const std::string role_name = request.role.empty() ? user->role : request.role;
    auto found_role = roles_.find(session, role_name);
    auto found_user_role = roles_.find(session, user->role);
    for (const auto* found : {&found_role, &found_user_role}) {
      if (!found->ok()) {
        return found->error();
      }
    }
    const std::optional<Role>& role = *found_role;
    const std::optional<Role>& user_role = *found_user_role;
    if (!role || !user_role) {
      return not_found("role", role_name);
    }
    // A token may do no more than its user.
    for (const std::string& permission : role->permissions) {
      if (!user_role->permissions.contains(permission)) {
        return Error(ErrorCode::kInvalidArgument,
                     "role '" + role_name + "' grants more than the user's own role");
      }
    }
    created.secret = "ths_" + crypto::random_token();
    SessionRecord& record = created.record;
    record.id = crypto::new_uuid_v4();
    record.token_hash = hash_bearer_secret(created.secret);
    record.user_id = user->id;
    record.kind = CredentialKind::kToken;
    record.name = request.name;
    record.role = role_name;
    record.created_at = now;
    record.last_seen_at = now;
    record.idle_timeout_seconds = 0;
    record.expires_at = now + lifetime * 1'000'000;
    record.mfa_verified = true;  // tokens are issued by an administrator, not signed in
    record.source_address = caller.source_address;
    sessions_.insert(session, record);
    return ok_status();
  }));
  audit(caller.event("create", "token", created.record.id));
  return created;
}

// ---- emergency access ----

Result<EmergencyGrant> DirectoryService::open_emergency_access(const std::string& patient,
                                                               const std::string& reason,
                                                               const std::string& mfa_code,
                                                               const Caller& caller) {
  if (reason.size() < 10) {
    return Error(ErrorCode::kInvalidArgument,
                 "state the reason for emergency access (at least 10 characters)");
  }
  auto found = find_patient(patient);
  if (!found.ok()) {
    return found.error();
  }
  if (Status step_up = authentication_.verify_step_up(mfa_code, caller); !step_up.ok()) {
    auto event = caller.event("emergency_access", "patient", found->id);
    event.patient_id = found->id;
    event.emergency = true;
    audit(event, audit::AuditOutcome::kDenied, "step-up failed");
    return step_up.error();
  }
  EmergencyGrant grant;
  grant.id = crypto::new_uuid_v4();
  grant.user_id = caller.principal.user_id;
  grant.patient_id = found->id;
  grant.reason = reason;
  grant.granted_at = clock_.now_micros();
  grant.expires_at =
      grant.granted_at + static_cast<UnixMicros>(settings_.emergency_grant_seconds) * 1'000'000;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(emergencies_.insert(session, grant));
    // Compliance officers are told; the notice names the grant, not the patient.
    const std::string notice_id = crypto::new_uuid_v4();
    const long long zero = 0;
    session << "INSERT INTO notifications (id, kind, recipient_role, subject_id, created_at, "
               "delivered_at) VALUES (:id, 'emergency_access', 'compliance_officer', :grant, "
               ":now, :delivered)",
        soci::use(notice_id), soci::use(grant.id), soci::use(grant.granted_at), soci::use(zero);
    return ok_status();
  }));
  auto event = caller.event("emergency_access", "emergency_grant", grant.id);
  event.patient_id = grant.patient_id;
  event.emergency = true;
  // The reason is required for emergency access; it is the user's own
  // statement, kept in the event as the audit standard asks.
  audit(event, audit::AuditOutcome::kSuccess, "grant opened");
  return grant;
}

Result<std::vector<EmergencyGrant>> DirectoryService::list_emergency_grants(bool pending_only) {
  return database_.run(
      [&](soci::session& session) { return emergencies_.list(session, pending_only); });
}

Status DirectoryService::review_emergency_grant(const std::string& id, const std::string& outcome,
                                                const std::string& comment, const Caller& caller) {
  const std::string reviewer = caller.principal.user_id.empty()
                                   ? std::string(principal_kind_name(caller.principal.kind))
                                   : caller.principal.user_id;
  const Status reviewed = database_.run_write_transaction([&](soci::session& session) {
    return emergencies_.review(session, id, outcome, reviewer, comment, clock_.now_micros());
  });
  auto event = caller.event("review", "emergency_grant", id);
  if (!reviewed.ok()) {
    if (reviewed.error().code() == ErrorCode::kDataLoss) {
      audit(event, audit::AuditOutcome::kError, "the stored grant failed its integrity check");
    }
    return reviewed;
  }
  audit(event, audit::AuditOutcome::kSuccess, outcome);
  return ok_status();
}

}  // namespace th::access
