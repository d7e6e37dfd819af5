#include "access/session_store.h"

#include <iterator>

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "sessions";
constexpr const char* kColumns =
    "id, token_hash, user_id, kind, name, role, created_at, last_seen_at, idle_timeout_seconds, "
    "expires_at, mfa_verified, source_address, revoked_at, revoked_reason, version, integrity_tag";
constexpr std::size_t kVersionColumn = 14;
constexpr std::size_t kTagColumn = 15;

// The columns the tag covers, by type: every column but id, version, the
// tag itself and last_seen_at.
constexpr const char* kTaggedText[] = {"token_hash", "user_id",        "kind",          "name",
                                       "role",       "source_address", "revoked_reason"};
constexpr const char* kTaggedIntegers[] = {"created_at", "idle_timeout_seconds", "expires_at",
                                           "mfa_verified", "revoked_at"};

// A revocation racing another tagged change of the same row tries again
// this many times before it revokes without a tag.
constexpr int kRevokeAttempts = 3;

Error tampered(const std::string& id) {
  return Error(ErrorCode::kDataLoss, "session " + id + " failed its integrity check");
}

// Field names are the column names, as the checker of layout() reads them;
// the tagger sorts them, so order is free.
storage::StoredFields tagged_fields(const SessionRecord& record) {
  return {
      {"token_hash", record.token_hash},
      {"user_id", record.user_id},
      {"kind", std::string(credential_kind_name(record.kind))},
      {"name", record.name},
      {"role", record.role},
      {"source_address", record.source_address},
      {"revoked_reason", record.revoked_reason},
      {"created_at", std::to_string(record.created_at)},
      {"idle_timeout_seconds", std::to_string(record.idle_timeout_seconds)},
      {"expires_at", std::to_string(record.expires_at)},
      {"mfa_verified", record.mfa_verified ? "1" : "0"},
      {"revoked_at", std::to_string(record.revoked_at)},
  };
}

// The row's values, or nullopt when a column holds what the store never
// writes (a kind other than the two, a flag other than 0 or 1): such a row
// was not written by the daemon, whatever its tag says.
std::optional<SessionRecord> decode(const soci::row& row) {
  SessionRecord record;
  record.id = row.get<std::string>(0);
  record.token_hash = row.get<std::string>(1);
  record.user_id = row.get<std::string>(2);
  const std::string kind = row.get<std::string>(3);
  if (kind != "token" && kind != "session") {
    return std::nullopt;
  }
  record.kind = kind == "token" ? CredentialKind::kToken : CredentialKind::kSession;
  record.name = row.get<std::string>(4);
  record.role = row.get<std::string>(5);
  record.created_at = storage::column_int64(row, 6);
  record.last_seen_at = storage::column_int64(row, 7);
  record.idle_timeout_seconds = static_cast<int>(storage::column_int64(row, 8));
  record.expires_at = storage::column_int64(row, 9);
  const long long mfa = storage::column_int64(row, 10);
  if (mfa != 0 && mfa != 1) {
    return std::nullopt;
  }
  record.mfa_verified = mfa == 1;
  record.source_address = row.get<std::string>(11);
  record.revoked_at = storage::column_int64(row, 12);
  record.revoked_reason = row.get<std::string>(13);
  record.version = storage::column_int64(row, kVersionColumn);
  return record;
}

}  // namespace

std::string_view credential_kind_name(CredentialKind kind) {
  return kind == CredentialKind::kToken ? "token" : "session";
}

const storage::SealedTableLayout& SessionStore::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    built.tagged_plain.assign(std::begin(kTaggedText), std::end(kTaggedText));
    built.tagged_integers.assign(std::begin(kTaggedIntegers), std::end(kTaggedIntegers));
    built.tagged = true;
    return built;
  }();
  return layout;
}

std::string SessionStore::tag(const SessionRecord& record) const {
  return protection_.integrity_tag(kTable, record.id, record.version, tagged_fields(record));
}

bool SessionStore::verifies(const SessionRecord& record, const std::string& tag) const {
  return protection_.verify_integrity(kTable, record.id, record.version, tagged_fields(record),
                                      tag);
}

void SessionStore::insert(soci::session& session, const SessionRecord& record) {
  SessionRecord stored = record;
  stored.version = 1;
  const std::string kind(credential_kind_name(stored.kind));
  const int mfa = stored.mfa_verified ? 1 : 0;
  const long long version = stored.version;
  const std::string integrity = tag(stored);
  session << "INSERT INTO sessions (id, token_hash, user_id, kind, name, role, created_at, "
             "last_seen_at, idle_timeout_seconds, expires_at, mfa_verified, source_address, "
             "revoked_at, revoked_reason, version, integrity_tag) VALUES (:id, :hash, :user, "
             ":kind, :name, :role, :created, :seen, :idle, :expires, :mfa, :source, :revoked, "
             ":reason, :version, :tag)",
      soci::use(stored.id), soci::use(stored.token_hash), soci::use(stored.user_id),
      soci::use(kind), soci::use(stored.name), soci::use(stored.role), soci::use(stored.created_at),
      soci::use(stored.last_seen_at), soci::use(stored.idle_timeout_seconds),
      soci::use(stored.expires_at), soci::use(mfa), soci::use(stored.source_address),
      soci::use(stored.revoked_at), soci::use(stored.revoked_reason), soci::use(version),
      soci::use(integrity);
}

Result<std::optional<SessionRecord>> SessionStore::find_one(soci::session& session,
                                                            const std::string& sql,
                                                            const std::string& value) {
  soci::row row;
  session << sql, soci::use(value), soci::into(row);
  if (!session.got_data()) {
    return std::optional<SessionRecord>();
  }
  auto record = decode(row);
  if (!record || !verifies(*record, storage::column_text(row, kTagColumn))) {
    return tampered(row.get<std::string>(0));
  }
  return record;
}

Result<std::optional<SessionRecord>> SessionStore::find_by_token_hash(
    soci::session& session, const std::string& token_hash) {
  return find_one(session,
                  std::string("SELECT ") + kColumns + " FROM sessions WHERE token_hash = :v",
                  token_hash);
}

Result<std::optional<SessionRecord>> SessionStore::find_by_id(soci::session& session,
                                                              const std::string& id) {
  return find_one(session, std::string("SELECT ") + kColumns + " FROM sessions WHERE id = :v", id);
}

Result<std::vector<SessionRecord>> SessionStore::list(soci::session& session,
                                                      const std::string& user_id,
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
    auto record = decode(row);
    if (!record || !verifies(*record, storage::column_text(row, kTagColumn))) {
      return tampered(row.get<std::string>(0));
    }
    records.push_back(std::move(*record));
  }
  return records;
}

bool SessionStore::revoke(soci::session& session, const std::string& id, const std::string& reason,
                          UnixMicros now) {
  for (int attempt = 0; attempt < kRevokeAttempts; ++attempt) {
    auto found = find_by_id(session, id);
    if (!found.ok()) {
      break;  // a row that fails its check is revoked below, untagged
    }
    if (!*found || (*found)->revoked()) {
      return false;
    }
    SessionRecord revoked = **found;
    revoked.revoked_at = now;
    revoked.revoked_reason = reason;
    if (write_change(session, revoked)) {
      return true;
    }
  }
  // Revocation wins over the tag: the row is refused from now on either way.
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

Status SessionStore::mark_mfa_verified(soci::session& session, const std::string& id) {
  auto found = find_by_id(session, id);
  if (!found.ok()) {
    return found.error();
  }
  if (!*found) {
    return Error(ErrorCode::kNotFound, "no session " + id);
  }
  SessionRecord verified = **found;
  verified.mfa_verified = true;
  if (!write_change(session, verified)) {
    return Error(ErrorCode::kConflict, "session " + id + " changed concurrently; try again");
  }
  return ok_status();
}

// Writes the columns a credential's life changes (MFA, revocation) at the
// next version with a fresh tag, if the stored row is still at `changed`'s
// version; false when another writer moved it first.
bool SessionStore::write_change(soci::session& session, const SessionRecord& changed) {
  SessionRecord next = changed;
  next.version = changed.version + 1;
  const int mfa = next.mfa_verified ? 1 : 0;
  const long long old_version = changed.version;
  const long long new_version = next.version;
  const std::string integrity = tag(next);
  soci::statement update =
      (session.prepare << "UPDATE sessions SET mfa_verified = :mfa, revoked_at = :revoked, "
                          "revoked_reason = :reason, version = :newv, integrity_tag = :tag "
                          "WHERE id = :id AND version = :oldv",
       soci::use(mfa), soci::use(next.revoked_at), soci::use(next.revoked_reason),
       soci::use(new_version), soci::use(integrity), soci::use(next.id), soci::use(old_version));
  update.execute(true);
  return update.get_affected_rows() == 1;
}

void SessionStore::record_activity(soci::session& session, const std::string& id,
                                   UnixMicros last_seen_at) {
  session << "UPDATE sessions SET last_seen_at = :seen WHERE id = :id AND last_seen_at < :seen2",
      soci::use(last_seen_at), soci::use(id), soci::use(last_seen_at);
}

std::uint64_t SessionStore::tag_untagged_rows(soci::session& session) {
  // Read first, write after: the rowset is finished before the updates run.
  std::vector<SessionRecord> untagged;
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM sessions WHERE integrity_tag = ''");
  for (const soci::row& row : rows) {
    if (auto record = decode(row)) {
      untagged.push_back(std::move(*record));
    }
  }
  for (const SessionRecord& record : untagged) {
    const long long version = record.version;
    const std::string integrity = tag(record);
    session << "UPDATE sessions SET integrity_tag = :tag WHERE id = :id AND version = :version "
               "AND integrity_tag = ''",
        soci::use(integrity), soci::use(record.id), soci::use(version);
  }
  return untagged.size();
}

}  // namespace th::access
