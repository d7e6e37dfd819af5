#include "access/user_store.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "users";
constexpr const char* kColumns =
    "id, username_enc, email_enc, kind, status, role, patient_id, password_hash, "
    "password_changed_at, failed_logins, last_failed_login_at, mfa_secret_enc, mfa_enabled, "
    "mfa_last_step, enrolment_code_hash, enrolment_expires_at, created_at, updated_at, version, "
    "username_bidx, email_bidx, integrity_tag";

// The clear columns the tag covers, by type; with the three sealed ones
// that is every column but id, version and integrity_tag.
constexpr const char* kTaggedText[] = {
    "username_bidx", "email_bidx", "kind",          "status",
    "role",          "patient_id", "password_hash", "enrolment_code_hash"};
constexpr const char* kTaggedIntegers[] = {
    "password_changed_at", "failed_logins",        "last_failed_login_at", "mfa_enabled",
    "mfa_last_step",       "enrolment_expires_at", "created_at",           "updated_at"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Error tampered(const std::string& id) {
  return Error(ErrorCode::kDataLoss, "user " + id + " failed its integrity check");
}

}  // namespace

// A row's columns as stored where they differ from the User's values: the
// ciphertexts and the blind indexes (email_bidx empty for NULL, no email).
struct UserStore::Sealed {
  std::string username;
  std::string email;
  std::string mfa_secret;
  std::string username_bidx;
  std::string email_bidx;
};

const storage::SealedTableLayout& UserStore::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    built.sealed = {
        {"username", "username_enc"}, {"email", "email_enc"}, {"mfa_secret", "mfa_secret_enc"}};
    built.tagged_plain.assign(std::begin(kTaggedText), std::end(kTaggedText));
    built.tagged_integers.assign(std::begin(kTaggedIntegers), std::end(kTaggedIntegers));
    built.tagged = true;
    return built;
  }();
  return layout;
}

std::string UserStore::username_index(std::string_view username) const {
  return protection_.blind_index("username", lower(username));
}

Result<UserStore::Sealed> UserStore::seal(const User& user) {
  auto username = protection_.seal(user.username, {kTable, "username", user.id});
  auto email = protection_.seal(user.email, {kTable, "email", user.id});
  auto mfa_secret = protection_.seal(user.mfa_secret, {kTable, "mfa_secret", user.id});
  if (!username.ok() || !email.ok() || !mfa_secret.ok()) {
    return Error(ErrorCode::kInternal, "seal user fields");
  }
  return Sealed{
      std::move(*username), std::move(*email), std::move(*mfa_secret),
      username_index(user.username),
      user.email.empty() ? std::string() : protection_.blind_index("email", lower(user.email))};
}

// Field names are the column names (sealed ones without _enc), as the
// checker of layout() names them; the tagger sorts them, so order is free.
storage::StoredFields UserStore::tagged_fields(const User& user, const Sealed& sealed) {
  return {
      {"username", sealed.username},
      {"email", sealed.email},
      {"mfa_secret", sealed.mfa_secret},
      {"username_bidx", sealed.username_bidx},
      {"email_bidx", sealed.email_bidx},
      {"kind", std::string(user_kind_name(user.kind))},
      {"status", std::string(user_status_name(user.status))},
      {"role", user.role},
      {"patient_id", user.patient_id},
      {"password_hash", user.password_hash},
      {"enrolment_code_hash", user.enrolment_code_hash},
      {"password_changed_at", std::to_string(user.password_changed_at)},
      {"failed_logins", std::to_string(user.failed_logins)},
      {"last_failed_login_at", std::to_string(user.last_failed_login_at)},
      {"mfa_enabled", user.mfa_enabled ? "1" : "0"},
      {"mfa_last_step", std::to_string(user.mfa_last_step)},
      {"enrolment_expires_at", std::to_string(user.enrolment_expires_at)},
      {"created_at", std::to_string(user.created_at)},
      {"updated_at", std::to_string(user.updated_at)},
  };
}

Status UserStore::insert(soci::session& session, const User& user) {
  TH_RETURN_IF_ERROR(validate_username(user.username));
  if (auto existing = find_by_username(session, user.username); !existing.ok()) {
    return existing.error();
  } else if (existing->has_value()) {
    return Error(ErrorCode::kAlreadyExists, "username '" + user.username + "' is taken");
  }
  auto sealed = seal(user);
  if (!sealed.ok()) {
    return sealed.error();
  }
  soci::indicator email_indicator = user.email.empty() ? soci::i_null : soci::i_ok;
  soci::indicator patient_indicator = user.patient_id.empty() ? soci::i_null : soci::i_ok;
  const std::string kind(user_kind_name(user.kind));
  const std::string status(user_status_name(user.status));
  const int mfa_enabled = user.mfa_enabled ? 1 : 0;
  const long long version = user.version;
  const std::string integrity =
      protection_.integrity_tag(kTable, user.id, version, tagged_fields(user, *sealed));
  session << "INSERT INTO users (id, username_bidx, username_enc, email_bidx, email_enc, kind, "
             "status, role, patient_id, password_hash, password_changed_at, failed_logins, "
             "last_failed_login_at, mfa_secret_enc, mfa_enabled, mfa_last_step, "
             "enrolment_code_hash, enrolment_expires_at, created_at, updated_at, version, "
             "integrity_tag) "
             "VALUES (:id, :ubidx, :uenc, :ebidx, :eenc, :kind, :status, :role, :patient, :pw, "
             ":pwat, :failed, :failedat, :mfa, :mfaon, :mfastep, :enrol, :enrolexp, :created, "
             ":updated, :version, :tag)",
      soci::use(user.id), soci::use(sealed->username_bidx), soci::use(sealed->username),
      soci::use(sealed->email_bidx, email_indicator), soci::use(sealed->email), soci::use(kind),
      soci::use(status), soci::use(user.role), soci::use(user.patient_id, patient_indicator),
      soci::use(user.password_hash), soci::use(user.password_changed_at),
      soci::use(user.failed_logins), soci::use(user.last_failed_login_at),
      soci::use(sealed->mfa_secret), soci::use(mfa_enabled), soci::use(user.mfa_last_step),
      soci::use(user.enrolment_code_hash), soci::use(user.enrolment_expires_at),
      soci::use(user.created_at), soci::use(user.updated_at), soci::use(version),
      soci::use(integrity);
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

std::string UserStore::stored_id_where(soci::session& session, const char* column,
                                       const std::string& value) {
  // column is one of the fixed names used below, never caller input.
  std::string id;
  soci::indicator indicator = soci::i_null;
  session << std::string("SELECT id FROM users WHERE ") + column + " = :value", soci::use(value),
      soci::into(id, indicator);
  return session.got_data() && indicator == soci::i_ok ? id : std::string();
}

std::string UserStore::stored_id_by_username(soci::session& session, std::string_view username) {
  return stored_id_where(session, "username_bidx", username_index(username));
}

std::string UserStore::stored_id(soci::session& session, const std::string& id) {
  return stored_id_where(session, "id", id);
}

Result<std::vector<User>> UserStore::list(soci::session& session) {
  std::vector<User> users;
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM users ORDER BY created_at, id");
  for (const soci::row& row : rows) {
    auto user = decode(row);
    if (!user.ok()) {
      return user.error();
    }
    users.push_back(std::move(*user));
  }
  return users;
}

namespace {

// The clear columns of a row (kColumns order) into `user`; false when the
// kind or status is not one this binary knows.
bool read_clear_columns(const soci::row& row, User& user) {
  auto kind = parse_user_kind(row.get<std::string>(3));
  auto status = parse_user_status(row.get<std::string>(4));
  if (!kind.ok() || !status.ok()) {
    return false;
  }
  user.id = row.get<std::string>(0);
  user.kind = *kind;
  user.status = *status;
  user.role = row.get<std::string>(5);
  user.patient_id = storage::column_text(row, 6);
  user.password_hash = row.get<std::string>(7);
  user.password_changed_at = storage::column_int64(row, 8);
  user.failed_logins = static_cast<int>(storage::column_int64(row, 9));
  user.last_failed_login_at = storage::column_int64(row, 10);
  user.mfa_enabled = storage::column_int64(row, 12) != 0;
  user.mfa_last_step = storage::column_int64(row, 13);
  user.enrolment_code_hash = row.get<std::string>(14);
  user.enrolment_expires_at = storage::column_int64(row, 15);
  user.created_at = storage::column_int64(row, 16);
  user.updated_at = storage::column_int64(row, 17);
  user.version = storage::column_int64(row, 18);
  return true;
}

}  // namespace

// The sealed and indexed columns of a row (kColumns order), as stored.
UserStore::Sealed UserStore::stored_sealed(const soci::row& row) {
  return Sealed{row.get<std::string>(1), row.get<std::string>(2), row.get<std::string>(11),
                row.get<std::string>(19), storage::column_text(row, 20)};
}

Result<User> UserStore::decode(const soci::row& row) {
  User user;
  if (!read_clear_columns(row, user)) {
    return tampered(row.get<std::string>(0));
  }
  Sealed sealed = stored_sealed(row);

  // Integrity first: a tampered row is refused before any field is opened.
  if (!protection_.verify_integrity(kTable, user.id, user.version, tagged_fields(user, sealed),
                                    row.get<std::string>(21))) {
    return tampered(user.id);
  }
  auto username = protection_.open(sealed.username, {kTable, "username", user.id});
  auto email = protection_.open(sealed.email, {kTable, "email", user.id});
  auto mfa_secret = protection_.open(sealed.mfa_secret, {kTable, "mfa_secret", user.id});
  for (const auto* opened : {&username, &email, &mfa_secret}) {
    if (!opened->ok()) {
      return opened->error().with_context("read user " + user.id);
    }
  }
  user.username = std::move(*username);
  user.email = std::move(*email);
  user.mfa_secret = std::move(*mfa_secret);
  return user;
}

Result<std::uint64_t> UserStore::tag_untagged_rows(soci::session& session) {
  struct Untagged {
    User user;
    Sealed sealed;
  };
  // Read first, write after: the rowset is finished before the updates run.
  std::vector<Untagged> untagged;
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM users WHERE integrity_tag = ''");
  for (const soci::row& row : rows) {
    Untagged entry;
    if (read_clear_columns(row, entry.user)) {
      entry.sealed = stored_sealed(row);
      untagged.push_back(std::move(entry));
    }
  }
  for (const Untagged& entry : untagged) {
    const User& user = entry.user;
    const long long version = user.version;
    const std::string integrity =
        protection_.integrity_tag(kTable, user.id, version, tagged_fields(user, entry.sealed));
    session << "UPDATE users SET integrity_tag = :tag WHERE id = :id AND version = :version "
               "AND integrity_tag = ''",
        soci::use(integrity), soci::use(user.id), soci::use(version);
  }
  return static_cast<std::uint64_t>(untagged.size());
}

Status UserStore::update(soci::session& session, User& user, UnixMicros now) {
  auto sealed = seal(user);
  if (!sealed.ok()) {
    return sealed.error();
  }
  soci::indicator email_indicator = user.email.empty() ? soci::i_null : soci::i_ok;
  soci::indicator patient_indicator = user.patient_id.empty() ? soci::i_null : soci::i_ok;
  const std::string kind(user_kind_name(user.kind));
  const std::string status(user_status_name(user.status));
  const int mfa_enabled = user.mfa_enabled ? 1 : 0;
  const long long old_version = user.version;
  const long long new_version = user.version + 1;
  User written = user;
  written.updated_at = now;
  const std::string integrity =
      protection_.integrity_tag(kTable, user.id, new_version, tagged_fields(written, *sealed));
  soci::statement statement =
      (session.prepare << "UPDATE users SET username_bidx = :ubidx, username_enc = :uenc, "
                          "email_bidx = :ebidx, email_enc = :eenc, kind = :kind, "
                          "status = :status, role = :role, patient_id = :patient, "
                          "password_hash = :pw, password_changed_at = :pwat, "
                          "failed_logins = :failed, last_failed_login_at = :failedat, "
                          "mfa_secret_enc = :mfa, mfa_enabled = :mfaon, mfa_last_step = :step, "
                          "enrolment_code_hash = :enrol, enrolment_expires_at = :enrolexp, "
                          "created_at = :created, updated_at = :updated, version = :newv, "
                          "integrity_tag = :tag WHERE id = :id AND version = :oldv",
       soci::use(sealed->username_bidx), soci::use(sealed->username),
       soci::use(sealed->email_bidx, email_indicator), soci::use(sealed->email), soci::use(kind),
       soci::use(status), soci::use(user.role), soci::use(user.patient_id, patient_indicator),
       soci::use(user.password_hash), soci::use(user.password_changed_at),
       soci::use(user.failed_logins), soci::use(user.last_failed_login_at),
       soci::use(sealed->mfa_secret), soci::use(mfa_enabled), soci::use(user.mfa_last_step),
       soci::use(user.enrolment_code_hash), soci::use(user.enrolment_expires_at),
       soci::use(user.created_at), soci::use(now), soci::use(new_version), soci::use(integrity),
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
