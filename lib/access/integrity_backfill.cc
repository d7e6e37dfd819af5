#include "access/integrity_backfill.h"

#include "access/emergency_store.h"
#include "access/role_store.h"
#include "access/session_store.h"
#include "access/user_store.h"

namespace th::access {
namespace {

constexpr const char* kAccountsMarker = "users and emergency grants";
constexpr const char* kCredentialsMarker = "sessions and roles";

// Claims a pending marker; false when another daemon (or an earlier start)
// already did. On PostgreSQL a second claimant blocks on the row until the
// first commits, then finds done_at set and updates nothing.
bool claim_marker(soci::session& session, const std::string& name, UnixMicros now) {
  const long long done_at = now;
  soci::statement claim = (session.prepare << "UPDATE integrity_backfills SET done_at = :now "
                                              "WHERE name = :name AND done_at = 0",
                           soci::use(done_at), soci::use(name));
  claim.execute(true);
  return claim.get_affected_rows() == 1;
}

long long count(soci::session& session, const char* count_query) {
  long long rows = 0;
  session << count_query, soci::into(rows);
  return rows;
}

void record_count(soci::session& session, const std::string& name, std::uint64_t rows) {
  const long long tagged = static_cast<long long>(rows);
  session << "UPDATE integrity_backfills SET rows_tagged = :tagged WHERE name = :name",
      soci::use(tagged), soci::use(name);
}

Status backfill_accounts(soci::session& session, storage::DataProtection& protection,
                         IntegrityBackfill& result) {
  if (count(session, "SELECT COUNT(*) FROM users WHERE integrity_tag <> ''") +
          count(session, "SELECT COUNT(*) FROM emergency_grants WHERE integrity_tag <> ''") >
      0) {
    result.refused = true;
    return ok_status();
  }
  auto users = UserStore(protection).tag_untagged_rows(session);
  if (!users.ok()) {
    return users.error();
  }
  auto grants = EmergencyStore(protection).tag_untagged_rows(session);
  if (!grants.ok()) {
    return grants.error();
  }
  result.users_tagged = *users;
  result.grants_tagged = *grants;
  record_count(session, kAccountsMarker, *users + *grants);
  return ok_status();
}

// Built-in roles do not count as evidence of an earlier run: every start
// rewrites them with fresh tags from the binary's definitions.
void backfill_credentials(soci::session& session, storage::DataProtection& protection,
                          IntegrityBackfill& result) {
  if (count(session, "SELECT COUNT(*) FROM sessions WHERE integrity_tag <> ''") +
          count(session, "SELECT COUNT(*) FROM roles WHERE builtin = 0 AND integrity_tag <> ''") >
      0) {
    result.refused = true;
    return;
  }
  result.sessions_tagged = SessionStore(protection).tag_untagged_rows(session);
  result.roles_tagged = RoleStore(protection).tag_untagged_rows(session);
  record_count(session, kCredentialsMarker, result.sessions_tagged + result.roles_tagged);
}

}  // namespace

Result<IntegrityBackfill> backfill_integrity_tags(storage::Database& database,
                                                  storage::DataProtection& protection,
                                                  UnixMicros now) {
  return database.run_write_transaction([&](soci::session& session) -> Result<IntegrityBackfill> {
    IntegrityBackfill result;
    if (claim_marker(session, kAccountsMarker, now)) {
      result.ran = true;
      TH_RETURN_IF_ERROR(backfill_accounts(session, protection, result));
    }
    if (claim_marker(session, kCredentialsMarker, now)) {
      result.ran = true;
      backfill_credentials(session, protection, result);
    }
    return result;
  });
}

}  // namespace th::access
