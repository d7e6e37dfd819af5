#include "access/user_store.h"

#include <algorithm>
#include <cctype>

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "users";
constexpr const char* kColumns =
    "id, username_enc, email_enc, kind, status, role, patient_id, password_hash, "
    "password_changed_at, failed_logins, last_failed_login_at, mfa_secret_enc, mfa_enabled, "
    "mfa_last_step, enrolment_code_hash, enrolment_expires_at, created_at, updated_at, version";

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

const storage::SealedTableLayout& UserStore::layout() {
  static const storage::SealedTableLayout layout{
      std::string(kTable),
      "id",
      {{"username", "username_enc"}, {"email", "email_enc"}, {"mfa_secret", "mfa_secret_enc"}},
      {},
      false};
  return layout;
}

std::string UserStore::username_index(std::string_view username) const {
  return protection_.blind_index("username", lower(username));
}

Status UserStore::insert(soci::session& session, const User& user) {
  TH_RETURN_IF_ERROR(validate_username(user.username));
  if (auto existing = find_by_username(session, user.username); !existing.ok()) {
    return existing.error();
  } else if (existing->has_value()) {
    return Error(ErrorCode::kAlreadyExists, "username '" + user.username + "' is taken");
  }
  auto username = protection_.seal(user.username, {kTable, "username", user.id});
  auto email = protection_.seal(user.email, {kTable, "email", user.id});
  auto mfa_secret = protection_.seal(user.mfa_secret, {kTable, "mfa_secret", user.id});
  if (!username.ok() || !email.ok() || !mfa_secret.ok()) {
    return Error(ErrorCode::kInternal, "seal user fields");
  }
  const std::string username_bidx = username_index(user.username);
  std::string email_bidx = protection_.blind_index("email", lower(user.email));
  soci::indicator email_indicator = user.email.empty() ? soci::i_null : soci::i_ok;
  soci::indicator patient_indicator = user.patient_id.empty() ? soci::i_null : soci::i_ok;
  const std::string kind(user_kind_name(user.kind));
  const std::string status(user_status_name(user.status));
  const int mfa_enabled = user.mfa_enabled ? 1 : 0;
  const long long version = user.version;
  session << "INSERT INTO users (id, username_bidx, username_enc, email_bidx, email_enc, kind, "
             "status, role, patient_id, password_hash, password_changed_at, failed_logins, "
             "last_failed_login_at, mfa_secret_enc, mfa_enabled, mfa_last_step, "
             "enrolment_code_hash, enrolment_expires_at, created_at, updated_at, version) "
             "VALUES (:id, :ubidx, :uenc, :ebidx, :eenc, :kind, :status, :role, :patient, :pw, "
             ":pwat, :failed, :failedat, :mfa, :mfaon, :mfastep, :enrol, :enrolexp, :created, "
             ":updated, :version)",
      soci::use(user.id), soci::use(username_bidx), soci::use(*username),
      soci::use(email_bidx, email_indicator), soci::use(*email), soci::use(kind), soci::use(status),
      soci::use(user.role), soci::use(user.patient_id, patient_indicator),
      soci::use(user.password_hash), soci::use(user.password_changed_at),
      soci::use(user.failed_logins), soci::use(user.last_failed_login_at), soci::use(*mfa_secret),
      soci::use(mfa_enabled), soci::use(user.mfa_last_step), soci::use(user.enrolment_code_hash),
      soci::use(user.enrolment_expires_at), soci::use(user.created_at), soci::use(user.updated_at),
      soci::use(version);
  return ok_status();
}

Result<std::optional<User>> UserStore::find_by_username(soci::session& session,
                                                        std::string_view username) {
  return find_where(session, "username_bidx", username_index(username));
}

Result<std::optional<User>> UserStore::find_by_id(soci::session& session, const std::string& id) {
  return find_where(session, "id", id);
}

Result<std::optional<User>> UserStore::find_by_patient(soci::session& session,
                                                       const std::string& patient_id) {
  return find_where(session, "patient_id", patient_id);
}

Result<std::optional<User>> UserStore::find_where(soci::session& session, const char* column,
                                                  const std::string& value) {
  // column is one of the fixed names above, never caller input.
  soci::row row;
  session << std::string("SELECT ") + kColumns + " FROM users WHERE " + column + " = :value",
      soci::use(value), soci::into(row);
  if (!session.got_data()) {
    return std::optional<User>();
  }
  auto user = decode(row);
  if (!user.ok()) {
    return user.error();
  }
  return std::optional<User>(std::move(*user));
}

Result<std::vector<User>> UserStore::list(soci::session& session) {
  std::vector<User> users;
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM users ORDER BY created_at, id");
  for (soci::row& row : rows) {
    auto user = decode(row);
    if (!user.ok()) {
      return user.error();
    }
    users.push_back(std::move(*user));
  }
  return users;
}

Result<User> UserStore::decode(soci::row& row) {
  User user;
  user.id = row.get<std::string>(0);
  auto username = protection_.open(row.get<std::string>(1), {kTable, "username", user.id});
  auto email = protection_.open(row.get<std::string>(2), {kTable, "email", user.id});
  auto mfa_secret = protection_.open(row.get<std::string>(11), {kTable, "mfa_secret", user.id});
  for (const auto* opened : {&username, &email, &mfa_secret}) {
    if (!opened->ok()) {
      return opened->error().with_context("read user " + user.id);
    }
  }
  auto kind = parse_user_kind(row.get<std::string>(3));
  auto status = parse_user_status(row.get<std::string>(4));
  if (!kind.ok() || !status.ok()) {
    return Error(ErrorCode::kDataLoss, "user " + user.id + " has an unknown kind or status");
  }
  user.username = std::move(*username);
  user.email = std::move(*email);
  user.kind = *kind;
  user.status = *status;
  user.role = row.get<std::string>(5);
  user.patient_id = storage::column_text(row, 6);
  user.password_hash = row.get<std::string>(7);
  user.password_changed_at = storage::column_int64(row, 8);
  user.failed_logins = static_cast<int>(storage::column_int64(row, 9));
  user.last_failed_login_at = storage::column_int64(row, 10);
  user.mfa_secret = std::move(*mfa_secret);
  user.mfa_enabled = storage::column_int64(row, 12) != 0;
  user.mfa_last_step = storage::column_int64(row, 13);
  user.enrolment_code_hash = row.get<std::string>(14);
  user.enrolment_expires_at = storage::column_int64(row, 15);
  user.created_at = storage::column_int64(row, 16);
  user.updated_at = storage::column_int64(row, 17);
  user.version = storage::column_int64(row, 18);
  return user;
}

Status UserStore::update(soci::session& session, User& user, UnixMicros now) {
  auto email = protection_.seal(user.email, {kTable, "email", user.id});
  auto mfa_secret = protection_.seal(user.mfa_secret, {kTable, "mfa_secret", user.id});
  if (!email.ok() || !mfa_secret.ok()) {
    return Error(ErrorCode::kInternal, "seal user fields");
  }
  std::string email_bidx = protection_.blind_index("email", lower(user.email));
  soci::indicator email_indicator = user.email.empty() ? soci::i_null : soci::i_ok;
  soci::indicator patient_indicator = user.patient_id.empty() ? soci::i_null : soci::i_ok;
  const std::string status(user_status_name(user.status));
  const int mfa_enabled = user.mfa_enabled ? 1 : 0;
  const long long old_version = user.version;
  const long long new_version = user.version + 1;
  soci::statement statement =
      (session.prepare << "UPDATE users SET email_bidx = :ebidx, email_enc = :eenc, "
                          "status = :status, role = :role, patient_id = :patient, "
                          "password_hash = :pw, password_changed_at = :pwat, "
                          "failed_logins = :failed, last_failed_login_at = :failedat, "
                          "mfa_secret_enc = :mfa, mfa_enabled = :mfaon, mfa_last_step = :step, "
                          "enrolment_code_hash = :enrol, enrolment_expires_at = :enrolexp, "
                          "updated_at = :updated, version = :newv "
                          "WHERE id = :id AND version = :oldv",
       soci::use(email_bidx, email_indicator), soci::use(*email), soci::use(status),
       soci::use(user.role), soci::use(user.patient_id, patient_indicator),
       soci::use(user.password_hash), soci::use(user.password_changed_at),
       soci::use(user.failed_logins), soci::use(user.last_failed_login_at), soci::use(*mfa_secret),
       soci::use(mfa_enabled), soci::use(user.mfa_last_step), soci::use(user.enrolment_code_hash),
       soci::use(user.enrolment_expires_at), soci::use(now), soci::use(new_version),
       soci::use(user.id), soci::use(old_version));
  statement.execute(true);
  if (statement.get_affected_rows() != 1) {
    return Error(ErrorCode::kConflict, "user " + user.id + " changed concurrently; retry");
  }
  user.version = new_version;
  user.updated_at = now;
  return ok_status();
}

}  // namespace th::access
