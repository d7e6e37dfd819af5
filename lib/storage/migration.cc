#include "storage/migration.h"

#include <string>

namespace th::storage {
namespace {

// Arbitrary constant identifying telehealthd's migration lock among other
// advisory locks that may be taken on a shared PostgreSQL server.
constexpr long long kMigrationLockKey = 0x7465'6c65'6865'616cLL;

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

int read_version(soci::session& session) {
  int version = 0;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, indicator);
  return indicator == soci::i_ok ? version : 0;
}

bool migrations_table_exists(soci::session& session, Backend backend) {
  int count = 0;
  if (backend == Backend::kSqlite) {
    session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
               "'schema_migrations'",
        soci::into(count);
  } else {
    session << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
               "current_schema() AND table_name = 'schema_migrations'",
        soci::into(count);
  }
  return count > 0;
}

Error newer_schema_error(int found, int known) {
  return Error(ErrorCode::kFailedPrecondition,
               "database schema version " + std::to_string(found) +
                   " is newer than this telehealthd supports (" + std::to_string(known) +
                   "); upgrade telehealthd before using this database");
}

void apply(soci::session& session, Backend backend, const Migration& migration, UnixMicros now) {
  const auto& statements =
      backend == Backend::kSqlite ? migration.sqlite_statements : migration.postgresql_statements;
  for (const std::string_view statement : statements) {
    session << std::string(statement);
  }
  const std::string description(migration.description);
  session << "INSERT INTO schema_migrations (version, description, applied_at) "
             "VALUES (:version, :description, :applied_at)",
      soci::use(migration.version), soci::use(description), soci::use(now);
}

}  // namespace

Result<int> migrate(Database& database, const std::vector<Migration>& migrations,
                    const Clock& clock) {
  const int known = static_cast<int>(migrations.size());
  const Backend backend = database.backend();
  return database.run_write_transaction([&](soci::session& session) -> Result<int> {
    if (backend == Backend::kPostgresql) {
      // Held until this transaction ends; a second daemon waits here and then
      // finds the work already done.
      session << "SELECT pg_advisory_xact_lock(:key)", soci::use(kMigrationLockKey);
    }
    // Created only when missing: the daemon's PostgreSQL role has no CREATE
    // on the schema (config/postgresql-roles.sql), and PostgreSQL checks
    // that right even for CREATE TABLE IF NOT EXISTS of a table that exists.
    if (!migrations_table_exists(session, backend)) {
      session << std::string(kCreateMigrationsTable);
    }
    const int found = read_version(session);
    if (found > known) {
      return newer_schema_error(found, known);
    }
    for (const Migration& migration : migrations) {
      if (migration.version > found) {
        apply(session, backend, migration, clock.now_micros());
      }
    }
    return known;
  });
}

Result<int> current_schema_version(Database& database) {
  const Backend backend = database.backend();
  return database.run([&](soci::session& session) {
    return migrations_table_exists(session, backend) ? read_version(session) : 0;
  });
}

}  // namespace th::storage
