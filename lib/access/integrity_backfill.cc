#include "access/integrity_backfill.h"

#include "access/emergency_store.h"
#include "access/user_store.h"

namespace th::access {
namespace {

constexpr const char* kMarker = "users and emergency grants";

// Claims the pending marker; false when another daemon (or an earlier
// start) already did. On PostgreSQL a second claimant blocks on the row
// until the first commits, then finds done_at set and updates nothing.
bool claim_marker(soci::session& session, UnixMicros now) {
  const std::string name = kMarker;
  const long long done_at = now;
  soci::statement claim = (session.prepare << "UPDATE integrity_backfills SET done_at = :now "
                                              "WHERE name = :name AND done_at = 0",
                           soci::use(done_at), soci::use(name));
  claim.execute(true);
  return claim.get_affected_rows() == 1;
}

long long tagged_rows(soci::session& session) {
  long long users = 0;
  long long grants = 0;
  session << "SELECT COUNT(*) FROM users WHERE integrity_tag <> ''", soci::into(users);
  session << "SELECT COUNT(*) FROM emergency_grants WHERE integrity_tag <> ''", soci::into(grants);
  return users + grants;
}

}  // namespace

Result<IntegrityBackfill> backfill_integrity_tags(storage::Database& database,
                                                  storage::DataProtection& protection,
                                                  UnixMicros now) {
  return database.run_write_transaction([&](soci::session& session) -> Result<IntegrityBackfill> {
    IntegrityBackfill result;
    if (!claim_marker(session, now)) {
      return result;
    }
    result.ran = true;
    if (tagged_rows(session) > 0) {
      result.refused = true;
      return result;
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
    const std::string name = kMarker;
    const long long tagged = static_cast<long long>(*users + *grants);
    session << "UPDATE integrity_backfills SET rows_tagged = :tagged WHERE name = :name",
        soci::use(tagged), soci::use(name);
    return result;
  });
}

}  // namespace th::access
