// The schema, as an ordered list of migrations. Append new migrations at the
// end; never edit one that has shipped. Conventions shared by every table:
//   - identifiers are TEXT (UUIDs as text), timestamps BIGINT microseconds
//     since the Unix epoch in UTC;
//   - personal fields are stored as ciphertext TEXT produced by the field
//     cipher, never as plaintext;
//   - SQLite and PostgreSQL get the same tables; where the dialects differ the
//     two statement lists differ.
#include "storage/migration.h"

namespace th::storage {
namespace {

// 1: the daemons that have used this database, so operators can see which
// nodes share it and when each was last alive.
Migration nodes_migration() {
  static constexpr std::string_view kCreate =
      "CREATE TABLE daemon_nodes ("
      " name TEXT PRIMARY KEY,"
      " version TEXT NOT NULL,"
      " started_at BIGINT NOT NULL,"
      " last_seen_at BIGINT NOT NULL)";
  return Migration{1, "daemon nodes", {kCreate}, {kCreate}};
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> migrations = {
      nodes_migration(),
  };
  return migrations;
}

}  // namespace th::storage
