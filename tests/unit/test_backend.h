// The backend the unit tests that store data run on: SQLite by default, or
// PostgreSQL when TH_TEST_BACKEND=postgresql (inside pg_virtualenv, which
// exports PGHOST and the rest). On PostgreSQL such a test gets a schema of
// its own in the "postgres" database, made and dropped with
// run_as_postgresql_admin(): a schema takes milliseconds where a database
// takes a second.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "storage/database.h"

namespace th::testing_support {

inline bool testing_on_postgresql() {
  const char* backend = std::getenv("TH_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

// Runs one statement on a connection of its own; fails the test on error.
inline void run_as_postgresql_admin(const std::string& statement) {
  storage::DatabaseOptions options;
  options.url = "postgresql:///postgres";
  options.pool_size = 1;
  auto opened = storage::Database::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  const Status done = (*opened)->run([&](soci::session& session) {
    session << "SET client_min_messages = warning";  // no NOTICE per dropped table
    session << statement;
  });
  ASSERT_TRUE(done.ok()) << done.error().message();
}

}  // namespace th::testing_support
