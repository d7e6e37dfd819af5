#include "access/session_store.h"

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr const char* kColumns =
    "id, token_hash, user_id, kind, name, role, created_at, last_seen_at, idle_timeout_seconds, "
    "expires_at, mfa_verified, source_address, revoked_at, revoked_reason";

SessionRecord decode(const soci::row& row) {
  SessionRecord record;
  record.id = row.get<std::string>(0);
  record.token_hash = row.get<std::string>(1);
  record.user_id = row.get<std::string>(2);
  record.kind =
      row.get<std::string>(3) == "token" ? CredentialKind::kToken : CredentialKind::kSession;
  record.name = row.get<std::string>(4);
  record.role = row.get<std::string>(5);
  record.created_at = storage::column_int64(row, 6);
  record.last_seen_at = storage::column_int64(row, 7);
  record.idle_timeout_seconds = static_cast<int>(storage::column_int64(row, 8));
  record.expires_at = storage::column_int64(row, 9);
  record.mfa_verified = storage::column_int64(row, 10) != 0;
  record.source_address = row.get<std::string>(11);
  record.revoked_at = storage::column_int64(row, 12);
  record.revoked_reason = row.get<std::string>(13);
  return record;
}

std::optional<SessionRecord> find_one(soci::session& session, const std::string& sql,
                                      const std::string& value) {
  soci::row row;
  session << sql, soci::use(value), soci::into(row);
  if (!session.got_data()) {
    return std::nullopt;
  }
  return decode(row);
}

}  // namespace

std::string_view credential_kind_name(CredentialKind kind) {
  return kind == CredentialKind::kToken ? "token" : "session";
}

void SessionStore::insert(soci::session& session, const SessionRecord& record) {
  const std::string kind(credential_kind_name(record.kind));
  const int mfa = record.mfa_verified ? 1 : 0;
  session << "INSERT INTO sessions (id, token_hash, user_id, kind, name, role, created_at, "
             "last_seen_at, idle_timeout_seconds, expires_at, mfa_verified, source_address, "
             "revoked_at, revoked_reason) VALUES (:id, :hash, :user, :kind, :name, :role, "
             ":created, :seen, :idle, :expires, :mfa, :source, :revoked, :reason)",
      soci::use(record.id), soci::use(record.token_hash), soci::use(record.user_id),
      soci::use(kind), soci::use(record.name), soci::use(record.role), soci::use(record.created_at),
      soci::use(record.last_seen_at), soci::use(record.idle_timeout_seconds),
      soci::use(record.expires_at), soci::use(mfa), soci::use(record.source_address),
      soci::use(record.revoked_at), soci::use(record.revoked_reason);
}

std::optional<SessionRecord> SessionStore::find_by_token_hash(soci::session& session,
                                                              const std::string& token_hash) {
  return find_one(session,
                  std::string("SELECT ") + kColumns + " FROM sessions WHERE token_hash = :v",
                  token_hash);
}

std::optional<SessionRecord> SessionStore::find_by_id(soci::session& session,
                                                      const std::string& id) {
  return find_one(session, std::string("SELECT ") + kColumns + " FROM sessions WHERE id = :v", id);
}

std::vector<SessionRecord> SessionStore::list(soci::session& session, const std::string& user_id,
                                              std::optional<CredentialKind> kind,
                                              bool include_revoked) {
  const std::string kind_name = kind ? std::string(credential_kind_name(*kind)) : "";
  const int all_kinds = kind ? 0 : 1;
  const int with_revoked = include_revoked ? 1 : 0;
  std::vector<SessionRecord> records;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM sessions WHERE (user_id = :user OR :user2 = '') "
                              "AND (kind = :kind OR :all_kinds = 1) "
                              "AND (revoked_at = 0 OR :with_revoked = 1) "
                              "ORDER BY created_at DESC, id",
       soci::use(user_id), soci::use(user_id), soci::use(kind_name), soci::use(all_kinds),
       soci::use(with_revoked));
  for (const soci::row& row : rows) {
    records.push_back(decode(row));
  }
  return records;
}

bool SessionStore::revoke(soci::session& session, const std::string& id, const std::string& reason,
                          UnixMicros now) {
  soci::statement statement =
      (session.prepare << "UPDATE sessions SET revoked_at = :now, revoked_reason = :reason "
                          "WHERE id = :id AND revoked_at = 0",
       soci::use(now), soci::use(reason), soci::use(id));
  statement.execute(true);
  return statement.get_affected_rows() == 1;
}

std::vector<std::string> SessionStore::revoke_all_for_user(soci::session& session,
                                                           const std::string& user_id,
                                                           const std::string& reason,
                                                           UnixMicros now,
                                                           const std::string& keep_id) {
  std::vector<std::string> ids;
  soci::rowset<std::string> rows =
      (session.prepare << "SELECT id FROM sessions WHERE user_id = :user AND revoked_at = 0 "
                          "AND id <> :keep",
       soci::use(user_id), soci::use(keep_id));
  for (const std::string& id : rows) {
    ids.push_back(id);
  }
  for (const std::string& id : ids) {
    revoke(session, id, reason, now);
  }
  return ids;
}

void SessionStore::record_activity(soci::session& session, const std::string& id,
                                   UnixMicros last_seen_at) {
  session << "UPDATE sessions SET last_seen_at = :seen WHERE id = :id AND last_seen_at < :seen2",
      soci::use(last_seen_at), soci::use(id), soci::use(last_seen_at);
}

}  // namespace th::access
