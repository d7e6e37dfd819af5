// DirectoryService: provisioning of people and their access, the operations
// behind `thctl user|role|careteam|session|token|access` and the matching
// API routes. Each operation checks its inputs, runs in one transaction,
// announces credential-invalidating changes through the security event log,
// and is audited. Permission checks are the router's; this layer trusts the
// caller's principal only for the audit trail and self-service rules.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/auth_settings.h"
#include "access/authentication_service.h"
#include "access/caller.h"
#include "access/care_team_store.h"
#include "access/credential_cache.h"
#include "access/emergency_store.h"
#include "access/patient_store.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "storage/database.h"

namespace th::access {

struct NewUser {
  std::string username;
  std::string role;
  std::string email;
  std::string kind;         // staff, patient or service; derived from the role when empty
  std::string patient_mrn;  // patient users: the record they are linked to
};

struct CreatedUser {
  User user;
  std::string enrolment_code;  // shown once; empty for service users
};

struct ImportProblem {
  std::size_t line = 0;
  std::string message;
};

struct NewToken {
  std::string username;  // the user the token acts as
  std::string name;
  std::string role;                   // defaults to the user's role
  std::int64_t lifetime_seconds = 0;  // 0 = the configured default
};

struct CreatedToken {
  std::string secret;  // shown once
  SessionRecord record;
};

class DirectoryService {
 public:
  DirectoryService(storage::Database& database, UserStore& users, PatientStore& patients,
                   RoleStore& roles, CareTeamStore& care_teams, SessionStore& sessions,
                   EmergencyStore& emergencies, SecurityEventLog& events, CredentialCache& cache,
                   AuthenticationService& authentication, audit::AuditSink& audit,
                   const Clock& clock, const AuthSettings& settings);

  // -- users --
  Result<CreatedUser> create_user(const NewUser& request, const Caller& caller);
  // All rows or none: on any bad row nothing is created and every problem is
  // returned with its line number.
  Result<std::vector<CreatedUser>> import_users(std::string_view csv,
                                                std::vector<ImportProblem>& problems,
                                                const Caller& caller);
  Result<std::vector<User>> list_users(const Caller& caller);
  Result<User> find_user(const std::string& id_or_username, const Caller& caller);
  Status set_user_status(const std::string& id_or_username, UserStatus status,
                         const Caller& caller);
  Status reset_mfa(const std::string& id_or_username, const Caller& caller);
  // A new enrolment code (for a user who never enrolled or lost access).
  Result<std::string> reissue_enrolment(const std::string& id_or_username, const Caller& caller);

  // -- patients --
  Result<Patient> create_patient(Patient patient, const Caller& caller);
  // Registers the patients of a CSV file with a header (columns: mrn,
  // given_name, family_name, birth_date, sex, state, and optionally phone,
  // email, address), all or none, as import_users does. An MRN stored
  // already, or repeated within the file, is a problem of its line. One
  // audit event per patient is recorded after the commit; kUnavailable when
  // the audit log refuses one, and then no record is returned (the patients
  // exist; the audit log's own alarms say why their events are missing).
  Result<std::vector<Patient>> import_patients(std::string_view csv,
                                               std::vector<ImportProblem>& problems,
                                               const Caller& caller);
  Result<Patient> find_patient(const std::string& id_or_mrn);
  // The id of the stored row an id or MRN names, without opening or checking
  // it (empty when none): for auditing a read that failed with kDataLoss.
  Result<std::string> stored_patient_id(const std::string& id_or_mrn);

  // -- roles --
  Result<std::vector<Role>> list_roles();
  Result<Role> find_role(const std::string& name);
  Status create_role(const Role& role, const Caller& caller);
  Status change_role_permission(const std::string& role, const std::string& permission, bool grant,
                                const Caller& caller);

  // -- care teams --
  Status add_care_team_member(const std::string& patient, const std::string& user,
                              const Caller& caller);
  Status remove_care_team_member(const std::string& patient, const std::string& user,
                                 const Caller& caller);
  Result<std::vector<CareTeamMember>> care_team(const std::string& patient);

  // -- sessions and tokens --
  Result<std::vector<SessionRecord>> list_sessions(const std::string& user_id_or_empty,
                                                   std::optional<CredentialKind> kind);
  // Users may revoke their own; session.manage may revoke anyone's.
  Status revoke_session(const std::string& session_id, const Caller& caller);
  Result<CreatedToken> create_token(const NewToken& request, const Caller& caller);

  // -- emergency access --
  Result<EmergencyGrant> open_emergency_access(const std::string& patient,
                                               const std::string& reason,
                                               const std::string& mfa_code, const Caller& caller);
  Result<std::vector<EmergencyGrant>> list_emergency_grants(bool pending_only);
  Status review_emergency_grant(const std::string& id, const std::string& outcome,
                                const std::string& comment, const Caller& caller);

 private:
  // Inserts one user inside the caller's transaction. Its audit event is
  // not recorded here but appended to `events`, to be recorded once the
  // transaction has committed: the audit log writes in its own transaction,
  // which on SQLite would wait for this one's write lock, and an event for a
  // user whose creation rolled back would be false.
  Result<CreatedUser> insert_user(soci::session& session, const NewUser& request,
                                  const Caller& caller, std::vector<audit::AuditEvent>& events);
  Result<User> resolve_user(soci::session& session, const std::string& id_or_username);
  Result<Patient> resolve_patient(soci::session& session, const std::string& id_or_mrn);
  void audit(audit::AuditEvent event, audit::AuditOutcome outcome = audit::AuditOutcome::kSuccess,
             std::string reason = "");
  void record_all(std::vector<audit::AuditEvent> events);

  storage::Database& database_;
  UserStore& users_;
  PatientStore& patients_;
  RoleStore& roles_;
  CareTeamStore& care_teams_;
  SessionStore& sessions_;
  EmergencyStore& emergencies_;
  SecurityEventLog& events_;
  CredentialCache& cache_;
  AuthenticationService& authentication_;
  audit::AuditSink& audit_;
  const Clock& clock_;
  const AuthSettings& settings_;
};

}  // namespace th::access
