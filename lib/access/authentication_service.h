// AuthenticationService: signing in and out, enrolment, passwords and MFA.
//
// Enumeration resistance: an unknown username, a wrong password, a disabled
// and a locked account all fail with the same error ("invalid_credentials")
// after the same work (a password hash is verified in every case, against a
// fixed dummy hash when there is no user). Lockout: after
// AuthSettings::lockout_threshold consecutive failures the account is
// locked until an administrator unlocks it. Throttling: a source address
// making more than login_attempts_per_minute attempts gets kResourceExhausted.
//
// Every outcome is audited through the AuditSink. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/auth_settings.h"
#include "access/caller.h"
#include "access/credential_cache.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::access {

struct LoginRequest {
  std::string username;
  std::string password;
  std::string otp_code;       // TOTP code, when the account has MFA
  std::string recovery_code;  // instead of otp_code
};

struct IssuedSession {
  std::string secret;  // the bearer token; shown once, never stored
  SessionRecord record;
  User user;
  bool mfa_enrolment_required = false;
};

struct MfaEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;
};

// Login error reason codes (the first word of the message).
inline constexpr std::string_view kReasonInvalidCredentials = "invalid_credentials";
inline constexpr std::string_view kReasonMfaRequired = "mfa_required";
inline constexpr std::string_view kReasonMfaInvalid = "mfa_invalid";

class AuthenticationService {
 public:
  AuthenticationService(storage::Database& database, UserStore& users, SessionStore& sessions,
                        RoleStore& roles, SecurityEventLog& events, CredentialCache& cache,
                        audit::AuditSink& audit, const Clock& clock, AuthSettings settings);

  Result<IssuedSession> login(const LoginRequest& request, const Caller& caller);
  Status logout(const Caller& caller);

  // Sets the first password with the one-time enrolment code.
  Status redeem_enrolment(const std::string& username, const std::string& code,
                          const std::string& new_password, const Caller& caller);
  // Changes the caller's password and signs out their other sessions.
  Status change_password(const std::string& current_password, const std::string& new_password,
                         const Caller& caller);

  // Starts TOTP enrolment (a new secret replaces any unfinished one).
  Result<MfaEnrolment> begin_mfa_enrolment(const Caller& caller);
  // Confirms it with a first code; returns ten single-use recovery codes.
  Result<std::vector<std::string>> confirm_mfa_enrolment(const std::string& code,
                                                         const Caller& caller);
  // A fresh TOTP or recovery code from the caller, for step-up (emergency
  // access). Consumes the code.
  Status verify_step_up(const std::string& code, const Caller& caller);

  // A new random enrolment code and its hash, for provisioning.
  static std::pair<std::string, std::string> new_enrolment_code();

  const AuthSettings& settings() const { return settings_; }

 private:
  bool throttled(const std::string& source);
  Status record_failure(User& user, const Caller& caller, std::string_view reason);
  Result<bool> check_second_factor(soci::session& session, User& user, const LoginRequest& request);
  Result<IssuedSession> open_session(soci::session& session, const User& user, const Role& role,
                                     bool mfa_verified, const Caller& caller);
  void audit(audit::AuditEvent event, audit::AuditOutcome outcome, std::string reason = "");
  void audit_unreadable_account(const Caller& caller, const std::string& username);

  storage::Database& database_;
  UserStore& users_;
  SessionStore& sessions_;
  RoleStore& roles_;
  SecurityEventLog& events_;
  CredentialCache& cache_;
  audit::AuditSink& audit_;
  const Clock& clock_;
  AuthSettings settings_;
  std::string dummy_hash_;

  std::mutex throttle_mutex_;
  std::unordered_map<std::string, std::deque<UnixMicros>> attempts_by_source_;
};

}  // namespace th::access
