#include "access/authentication_service.h"

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/password_hasher.h"
#include "crypto/password_policy.h"
#include "crypto/random.h"
#include "crypto/totp.h"
#include "crypto/uuid.h"

namespace th::access {
namespace {

constexpr int kRecoveryCodeCount = 10;
constexpr const char* kTotpIssuer = "telehealthd";

Error invalid_credentials() {
  return Error(ErrorCode::kUnauthenticated,
               std::string(kReasonInvalidCredentials) +
                   ": the username or password is wrong, or the account cannot sign in");
}

Error unauthenticated(std::string_view reason, std::string_view detail) {
  return Error(ErrorCode::kUnauthenticated, std::string(reason) + ": " + std::string(detail));
}

std::string sha256_hex(std::string_view text) {
  return crypto::hex_encode(crypto::sha256(text));
}

// "ABCDE-FGHIJ": 50 bits from base32, grouped for reading aloud.
std::string new_recovery_code() {
  const std::string text = crypto::base32_encode(crypto::random_bytes(10)).substr(0, 10);
  return text.substr(0, 5) + "-" + text.substr(5, 5);
}

std::string normalize_code(std::string_view code) {
  std::string out;
  for (const char c : code) {
    if (c != '-' && c != ' ') {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace

AuthenticationService::AuthenticationService(storage::Database& database, UserStore& users,
                                             SessionStore& sessions, RoleStore& roles,
                                             SecurityEventLog& events, CredentialCache& cache,
                                             audit::AuditSink& audit, const Clock& clock,
                                             AuthSettings settings)
    : database_(database),
      users_(users),
      sessions_(sessions),
      roles_(roles),
      events_(events),
      cache_(cache),
      audit_(audit),
      clock_(clock),
      settings_(std::move(settings)) {
  // Verified against when there is no real hash, so that an unknown user
  // costs the same time as a known one.
  auto dummy = crypto::hash_password(crypto::random_token(), settings_.password_hash);
  dummy_hash_ = dummy.ok() ? *dummy : std::string();
}

std::pair<std::string, std::string> AuthenticationService::new_enrolment_code() {
  const std::string code = crypto::base32_encode(crypto::random_bytes(15));  // 24 characters
  const std::string grouped = code.substr(0, 6) + "-" + code.substr(6, 6) + "-" +
                              code.substr(12, 6) + "-" + code.substr(18, 6);
  return {grouped, sha256_hex(normalize_code(grouped))};
}

void AuthenticationService::audit(audit::AuditEvent event, audit::AuditOutcome outcome,
                                  std::string reason) {
  event.outcome = outcome;
  event.reason = std::move(reason);
  // Security events are recorded best effort: a failure to record one must
  // not let a sign-in succeed silently, so login() checks its own result.
  (void)audit_.record(std::move(event));
}

bool AuthenticationService::throttled(const std::string& source) {
  const UnixMicros now = clock_.now_micros();
  const UnixMicros window_start = now - 60'000'000;
  std::lock_guard lock(throttle_mutex_);
  auto& attempts = attempts_by_source_[source];
  while (!attempts.empty() && attempts.front() < window_start) {
    attempts.pop_front();
  }
  if (static_cast<int>(attempts.size()) >= settings_.login_attempts_per_minute) {
    return true;
  }
  attempts.push_back(now);
  if (attempts_by_source_.size() > 100'000) {
    attempts_by_source_.clear();  // bound the memory a scan of many addresses can take
  }
  return false;
}

Status AuthenticationService::record_failure(User& user, const Caller& caller,
                                             std::string_view reason) {
  const UnixMicros now = clock_.now_micros();
  bool locked_now = false;
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) -> Status {
    auto fresh = users_.find_by_id(session, user.id);
    if (!fresh.ok() || !fresh->has_value()) {
      return ok_status();
    }
    User current = std::move(**fresh);
    current.failed_logins += 1;
    current.last_failed_login_at = now;
    if (current.status == UserStatus::kActive &&
        current.failed_logins >= settings_.lockout_threshold) {
      current.status = UserStatus::kLocked;
      locked_now = true;
      // A lockout ends every session of the account, so that whoever holds
      // one cannot go on after the unlock either.
      for (const std::string& id :
           sessions_.revoke_all_for_user(session, current.id, "account locked", now)) {
        events_.append(session, SecurityEventKind::kSessionRevoked, id, now);
      }
      events_.append(session, SecurityEventKind::kUserChanged, current.id, now);
    }
    TH_RETURN_IF_ERROR(users_.update(session, current, now));
    user = std::move(current);
    return ok_status();
  }));
  auto event = caller.event("login", "user", user.id);
  event.actor_user_id = user.id;
  audit(event, audit::AuditOutcome::kDenied, std::string(reason));
  if (locked_now) {
    cache_.forget_user(user.id);
    audit(caller.event("lockout", "user", user.id), audit::AuditOutcome::kSuccess,
          "consecutive failed sign-ins reached the lockout threshold");
  }
  return ok_status();
}

// A sign-in to an account whose row failed its integrity check: the trail
// names the account (by id, read without opening the row) and says why it
// could not be used. The caller gets kDataLoss, never a session.
void AuthenticationService::audit_unreadable_account(const Caller& caller,
                                                     const std::string& username) {
  auto stored = database_.run(
      [&](soci::session& session) { return users_.stored_id_by_username(session, username); });
  const std::string id = stored.ok() ? *stored : std::string();
  auto event = caller.event("login", "user", id);
  event.actor_user_id = id;
  audit(event, audit::AuditOutcome::kError, "the stored account failed its integrity check");
}

Result<IssuedSession> AuthenticationService::login(const LoginRequest& request,
                                                   const Caller& caller) {
  if (throttled(caller.source_address)) {
    audit(caller.event("login", "user"), audit::AuditOutcome::kDenied, "rate_limited");
    return Error(ErrorCode::kResourceExhausted,
                 "too many sign-in attempts from this address; wait a minute");
  }
  auto found = database_.run(
      [&](soci::session& session) { return users_.find_by_username(session, request.username); });
  if (!found.ok()) {
    if (found.error().code() == ErrorCode::kDataLoss) {
      audit_unreadable_account(caller, request.username);
    }
    return found.error();
  }
  std::optional<User> user = std::move(*found);

  // The same work whatever the outcome: one hash verification.
  const bool has_hash = user && !user->password_hash.empty();
  const auto matches =
      crypto::verify_password(request.password, has_hash ? user->password_hash : dummy_hash_);
  const bool password_ok = has_hash && matches.ok() && *matches;
  if (!user || !password_ok || user->status != UserStatus::kActive) {
    if (user && user->status == UserStatus::kActive && has_hash) {
      TH_RETURN_IF_ERROR(record_failure(*user, caller, "wrong password"));
    } else {
      auto event = caller.event("login", "user", user ? user->id : "");
      audit(event, audit::AuditOutcome::kDenied,
            user ? "account not active or not enrolled" : "unknown username");
    }
    return invalid_credentials();
  }

  auto issued =
      database_.run_write_transaction([&](soci::session& session) -> Result<IssuedSession> {
        auto found_role = roles_.find(session, user->role);
        if (!found_role.ok()) {
          return found_role.error();
        }
        const std::optional<Role>& role = *found_role;
        if (!role) {
          return Error(ErrorCode::kInternal, "user " + user->id + " has an unknown role");
        }
        auto second = check_second_factor(session, *user, request);
        if (!second.ok()) {
          return second.error();
        }
        if (crypto::password_hash_needs_upgrade(user->password_hash, settings_.password_hash)) {
          auto upgraded = crypto::hash_password(request.password, settings_.password_hash);
          if (upgraded.ok()) {
            user->password_hash = *upgraded;
          }
        }
        user->failed_logins = 0;
        TH_RETURN_IF_ERROR(users_.update(session, *user, clock_.now_micros()));
        return open_session(session, *user, *role, user->mfa_enabled, caller);
      });
  if (!issued.ok()) {
    const std::string message = issued.error().message();
    if (message.starts_with(kReasonMfaInvalid)) {
      TH_RETURN_IF_ERROR(record_failure(*user, caller, "wrong second factor"));
    } else if (message.starts_with(kReasonMfaRequired)) {
      auto event = caller.event("login", "user", user->id);
      event.actor_user_id = user->id;
      audit(event, audit::AuditOutcome::kDenied, std::string(kReasonMfaRequired));
    }
    return issued.error();
  }

  auto event = caller.event("login", "session", issued->record.id);
  event.actor_user_id = user->id;
  event.actor_role = user->role;
  event.session_id = issued->record.id;
  event.outcome = audit::AuditOutcome::kSuccess;
  TH_RETURN_IF_ERROR(audit_.record(std::move(event)));
  return issued;
}

Result<bool> AuthenticationService::check_second_factor(soci::session& session, User& user,
                                                        const LoginRequest& request) {
  if (!user.mfa_enabled) {
    return false;
  }
  if (request.otp_code.empty() && request.recovery_code.empty()) {
    return unauthenticated(kReasonMfaRequired, "enter the code from your authenticator app");
  }
  if (!request.otp_code.empty()) {
    const auto step =
        crypto::totp_match_step(user.mfa_secret, request.otp_code, clock_.now_seconds(), 1);
    if (!step || *step <= user.mfa_last_step) {
      return unauthenticated(kReasonMfaInvalid, "the code is wrong, expired or already used");
    }
    user.mfa_last_step = *step;
    return true;
  }
  const std::string hash = sha256_hex(normalize_code(request.recovery_code));
  const long long now = clock_.now_micros();
  soci::statement use_code =
      (session.prepare << "UPDATE recovery_codes SET used_at = :now WHERE user_id = :user "
                          "AND code_hash = :hash AND used_at = 0",
       soci::use(now), soci::use(user.id), soci::use(hash));
  use_code.execute(true);
  if (use_code.get_affected_rows() != 1) {
    return unauthenticated(kReasonMfaInvalid, "the recovery code is wrong or already used");
  }
  return true;
}

Result<IssuedSession> AuthenticationService::open_session(soci::session& session, const User& user,
                                                          const Role& role, bool mfa_verified,
                                                          const Caller& caller) {
  const UnixMicros now = clock_.now_micros();
  int idle = role.idle_timeout_seconds;
  if (user.kind == UserKind::kPatient && settings_.patient_idle_timeout_seconds > 0) {
    idle = settings_.patient_idle_timeout_seconds;
  } else if (user.kind != UserKind::kPatient && settings_.staff_idle_timeout_seconds > 0) {
    idle = settings_.staff_idle_timeout_seconds;
  }
  IssuedSession issued;
  issued.secret = "thu_" + crypto::random_token();
  issued.user = user;
  SessionRecord& record = issued.record;
  record.id = crypto::new_uuid_v4();
  record.token_hash = hash_bearer_secret(issued.secret);
  record.user_id = user.id;
  record.kind = CredentialKind::kSession;
  record.role = role.name;
  record.created_at = now;
  record.last_seen_at = now;
  record.idle_timeout_seconds = idle;
  record.expires_at = now + static_cast<UnixMicros>(settings_.session_lifetime_seconds) * 1'000'000;
  record.mfa_verified = mfa_verified;
  record.source_address = caller.source_address;
  sessions_.insert(session, record);
  issued.mfa_enrolment_required = role.mfa_required && !mfa_verified;
  return issued;
}

Status AuthenticationService::logout(const Caller& caller) {
  const std::string id = caller.principal.session_id;
  const UnixMicros now = clock_.now_micros();
  TH_RETURN_IF_ERROR(database_.run_write_transaction([&](soci::session& session) {
    if (sessions_.revoke(session, id, "logout", now)) {
      events_.append(session, SecurityEventKind::kSessionRevoked, id, now);
    }
  }));
  cache_.forget_session(id);
  audit(caller.event("logout", "session", id), audit::AuditOutcome::kSuccess);
  return ok_status();
}

Status AuthenticationService::redeem_enrolment(const std::string& username, const std::string& code,
                                               const std::string& new_password,
                                               const Caller& caller) {
  const Error invalid(ErrorCode::kUnauthenticated,
                      "invalid_enrolment: the enrolment code is wrong or has expired");
  if (throttled(caller.source_address)) {
    return Error(ErrorCode::kResourceExhausted,
                 "too many attempts from this address; wait a minute");
  }
  const UnixMicros now = clock_.now_micros();
  std::string user_id;
  Status result = database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = users_.find_by_username(session, username);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return invalid;
    }
    User user = std::move(**found);
    user_id = user.id;
    const std::string presented = sha256_hex(normalize_code(code));
    if (user.enrolment_code_hash.empty() || user.status != UserStatus::kActive ||
        !crypto::constant_time_equal(presented, user.enrolment_code_hash) ||
        now > user.enrolment_expires_at) {
      return invalid;
    }
    TH_RETURN_IF_ERROR(crypto::check_password_policy(
        new_password, username, static_cast<std::size_t>(settings_.password_min_length)));
    auto hash = crypto::hash_password(new_password, settings_.password_hash);
    if (!hash.ok()) {
      return hash.error();
    }
    user.password_hash = *hash;
    user.password_changed_at = now;
    user.enrolment_code_hash.clear();
    user.enrolment_expires_at = 0;
    return users_.update(session, user, now);
  });
  auto event = caller.event("enrol", "user", user_id);
  event.actor_user_id = user_id;
  audit(event, result.ok() ? audit::AuditOutcome::kSuccess : audit::AuditOutcome::kDenied,
        result.ok() ? "" : "enrolment refused");
  return result;
}

Status AuthenticationService::change_password(const std::string& current_password,
                                              const std::string& new_password,
                                              const Caller& caller) {
  const std::string& user_id = caller.principal.user_id;
  const UnixMicros now = clock_.now_micros();
  Status result = database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = users_.find_by_id(session, user_id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return Error(ErrorCode::kNotFound, "no such user");
    }
    User user = std::move(**found);
    const auto matches = crypto::verify_password(current_password, user.password_hash);
    if (!matches.ok() || !*matches) {
      return Error(ErrorCode::kPermissionDenied, "the current password is wrong");
    }
    TH_RETURN_IF_ERROR(crypto::check_password_policy(
        new_password, user.username, static_cast<std::size_t>(settings_.password_min_length)));
    auto hash = crypto::hash_password(new_password, settings_.password_hash);
    if (!hash.ok()) {
      return hash.error();
    }
    user.password_hash = *hash;
    user.password_changed_at = now;
    TH_RETURN_IF_ERROR(users_.update(session, user, now));
    for (const std::string& revoked : sessions_.revoke_all_for_user(
             session, user.id, "password changed", now, caller.principal.session_id)) {
      events_.append(session, SecurityEventKind::kSessionRevoked, revoked, now);
    }
    return ok_status();
  });
  if (result.ok()) {
    cache_.forget_user(user_id);
  }
  audit(caller.event("password_change", "user", user_id),
        result.ok() ? audit::AuditOutcome::kSuccess : audit::AuditOutcome::kDenied);
  return result;
}

Result<MfaEnrolment> AuthenticationService::begin_mfa_enrolment(const Caller& caller) {
  const std::string& user_id = caller.principal.user_id;
  MfaEnrolment enrolment;
  Status result = database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = users_.find_by_id(session, user_id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return Error(ErrorCode::kNotFound, "no such user");
    }
    User user = std::move(**found);
    if (user.mfa_enabled) {
      return Error(ErrorCode::kFailedPrecondition,
                   "MFA is already enrolled; an administrator can reset it");
    }
    user.mfa_secret = crypto::random_bytes(20);
    enrolment.secret_base32 = crypto::base32_encode(user.mfa_secret);
    enrolment.otpauth_uri = crypto::otpauth_uri(kTotpIssuer, user.username, user.mfa_secret);
    return users_.update(session, user, clock_.now_micros());
  });
  if (!result.ok()) {
    return result.error();
  }
  audit(caller.event("mfa_enrolment_start", "user", user_id), audit::AuditOutcome::kSuccess);
  return enrolment;
}

Result<std::vector<std::string>> AuthenticationService::confirm_mfa_enrolment(
    const std::string& code, const Caller& caller) {
  const std::string& user_id = caller.principal.user_id;
  const UnixMicros now = clock_.now_micros();
  std::vector<std::string> recovery_codes;
  Status result = database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = users_.find_by_id(session, user_id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return Error(ErrorCode::kNotFound, "no such user");
    }
    User user = std::move(**found);
    if (user.mfa_enabled || user.mfa_secret.empty()) {
      return Error(ErrorCode::kFailedPrecondition, "no MFA enrolment is in progress");
    }
    const auto step = crypto::totp_match_step(user.mfa_secret, code, clock_.now_seconds(), 1);
    if (!step) {
      return unauthenticated(kReasonMfaInvalid, "the code does not match; check the device clock");
    }
    user.mfa_enabled = true;
    user.mfa_last_step = *step;
    TH_RETURN_IF_ERROR(users_.update(session, user, now));
    session << "DELETE FROM recovery_codes WHERE user_id = :user", soci::use(user.id);
    for (int i = 0; i < kRecoveryCodeCount; ++i) {
      const std::string recovery = new_recovery_code();
      const std::string hash = sha256_hex(normalize_code(recovery));
      const long long unused = 0;
      session << "INSERT INTO recovery_codes (user_id, code_hash, used_at) "
                 "VALUES (:user, :hash, :used)",
          soci::use(user.id), soci::use(hash), soci::use(unused);
      recovery_codes.push_back(recovery);
    }
    // The session that enrolled has now passed MFA.
    return sessions_.mark_mfa_verified(session, caller.principal.session_id);
  });
  if (!result.ok()) {
    audit(caller.event("mfa_enrolment", "user", user_id), audit::AuditOutcome::kDenied);
    return result.error();
  }
  cache_.forget_session(caller.principal.session_id);
  audit(caller.event("mfa_enrolment", "user", user_id), audit::AuditOutcome::kSuccess);
  return recovery_codes;
}

Status AuthenticationService::verify_step_up(const std::string& code, const Caller& caller) {
  const std::string& user_id = caller.principal.user_id;
  return database_.run_write_transaction([&](soci::session& session) -> Status {
    auto found = users_.find_by_id(session, user_id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value() || !(*found)->mfa_enabled) {
      return Error(ErrorCode::kFailedPrecondition, "step-up needs an enrolled MFA device");
    }
    User user = std::move(**found);
    LoginRequest request;
    if (code.find('-') != std::string::npos) {
      request.recovery_code = code;
    } else {
      request.otp_code = code;
    }
    auto second = check_second_factor(session, user, request);
    if (!second.ok()) {
      return second.error();
    }
    return users_.update(session, user, clock_.now_micros());
  });
}

}  // namespace th::access
