// Versioned schema migrations.
//
// The schema is a numbered list of migrations (schema.cc). migrate() applies
// the ones a database lacks, in order, inside one transaction, recording each
// in the schema_migrations table. Several daemons starting at once on one
// PostgreSQL serialise on an advisory lock, so a migration never runs twice;
// on SQLite the write lock of BEGIN IMMEDIATE does the same.
//
// A database whose recorded version is newer than the newest migration this
// binary knows is refused (kFailedPrecondition): an older binary must not
// write to a schema it does not understand.
#pragma once

#include <string_view>
#include <vector>

#include "storage/database.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::storage {

struct Migration {
  int version;
  std::string_view description;
  // Statements run in order. SQLite executes one statement per call, so each
  // entry holds exactly one.
  std::vector<std::string_view> sqlite_statements;
  std::vector<std::string_view> postgresql_statements;
};

// The project's schema, oldest first, versions 1, 2, 3, ...
const std::vector<Migration>& schema_migrations();

inline int latest_schema_version() {
  return static_cast<int>(schema_migrations().size());
}

// Applies what is missing. Returns the version the database is at afterwards.
Result<int> migrate(Database& database, const std::vector<Migration>& migrations,
                    const Clock& clock);

// The highest applied version, 0 for an empty database.
Result<int> current_schema_version(Database& database);

}  // namespace th::storage
