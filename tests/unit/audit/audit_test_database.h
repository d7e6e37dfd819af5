// AuditTestDatabase: a fresh database with the project's schema for the
// tests of the stored audit log, on the backend the suite runs on: SQLite in
// a fresh file by default, or, when TH_TEST_BACKEND=postgresql (inside
// pg_virtualenv, which exports PGHOST and the rest), a PostgreSQL schema of
// its own in the "postgres" database, dropped after the test. Several pooled
// sessions, so concurrent writers really contend for the write lock (and, on
// PostgreSQL, the append path of a daemon that already knows the tail is the
// one exercised). Not thread-safe itself; the Database it holds is.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/database.h"
#include "storage/migration.h"
#include "test_backend.h"
#include "util/clock.h"

namespace th::audit {

inline constexpr UnixMicros kTestStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

class AuditTestDatabase {
 public:
  AuditTestDatabase() {
    storage::DatabaseOptions options;
    options.pool_size = 8;
    options.acquire_timeout_ms = 20000;
    const std::string suffix = crypto::hex_encode(crypto::random_bytes(8));
    if (testing_support::testing_on_postgresql()) {
      postgresql_schema_ = "th_audit_" + suffix;
      testing_support::run_as_postgresql_admin("CREATE SCHEMA " + postgresql_schema_);
      options.url = "postgresql:///postgres?options=-csearch_path%3D" + postgresql_schema_;
    } else {
      directory_ = std::filesystem::temp_directory_path() / ("th-audit-log-" + suffix);
      std::filesystem::create_directory(directory_);
      options.url = "sqlite://" + (directory_ / "audit.db").string();
    }
    auto opened = storage::Database::open(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    const ManualClock clock(kTestStart);
    auto migrated = storage::migrate(*database_, storage::schema_migrations(), clock);
    EXPECT_TRUE(migrated.ok()) << migrated.error().message();
  }
  ~AuditTestDatabase() {
    database_.reset();
    if (!postgresql_schema_.empty()) {
      testing_support::run_as_postgresql_admin("DROP SCHEMA " + postgresql_schema_ + " CASCADE");
    }
    std::error_code ignored;
    if (!directory_.empty()) {
      std::filesystem::remove_all(directory_, ignored);
    }
  }
  AuditTestDatabase(const AuditTestDatabase&) = delete;
  AuditTestDatabase& operator=(const AuditTestDatabase&) = delete;

  storage::Database& database() { return *database_; }

  // Runs statements as someone with direct access to the database would,
  // after switching off the triggers that keep the audit tables append-only.
  void tamper(std::initializer_list<std::string> statements) {
    const Status done = database_->run_write_transaction([&](soci::session& session) {
      if (testing_support::testing_on_postgresql()) {
        for (const char* table : {"audit_events", "audit_event_patients", "audit_checkpoints"}) {
          session << "ALTER TABLE " + std::string(table) + " DISABLE TRIGGER USER";
        }
      } else {
        for (const char* trigger : {"audit_events_no_update", "audit_events_no_delete",
                                    "audit_patients_no_update", "audit_patients_no_delete",
                                    "audit_checkpoints_no_update", "audit_checkpoints_no_delete"}) {
          session << "DROP TRIGGER IF EXISTS " + std::string(trigger);
        }
      }
      for (const std::string& statement : statements) {
        session << statement;
      }
    });
    ASSERT_TRUE(done.ok()) << done.error().message();
  }

  long long count(const std::string& table) {
    auto counted = database_->run([&](soci::session& session) {
      long long rows = 0;
      session << "SELECT COUNT(*) FROM " + table, soci::into(rows);
      return rows;
    });
    EXPECT_TRUE(counted.ok());
    return counted.ok() ? *counted : -1;
  }

 private:
  std::filesystem::path directory_;
  std::string postgresql_schema_;
  std::unique_ptr<storage::Database> database_;
};

}  // namespace th::audit
