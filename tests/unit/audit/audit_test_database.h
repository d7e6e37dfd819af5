// AuditTestDatabase: an SQLite database in a fresh file with the project's
// schema, removed with its folder when the object goes out of scope, for the
// tests of the stored audit log. Several pooled sessions, so concurrent
// writers really contend for the write lock. Not thread-safe itself; the
// Database it holds is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/database.h"
#include "storage/migration.h"
#include "util/clock.h"

namespace th::audit {

inline constexpr UnixMicros kTestStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

class AuditTestDatabase {
 public:
  AuditTestDatabase() {
    directory_ = std::filesystem::temp_directory_path() /
                 ("th-audit-log-" + crypto::hex_encode(crypto::random_bytes(8)));
    std::filesystem::create_directory(directory_);
    storage::DatabaseOptions options;
    options.url = "sqlite://" + (directory_ / "audit.db").string();
    options.pool_size = 8;
    options.acquire_timeout_ms = 20000;
    auto opened = storage::Database::open(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    const ManualClock clock(kTestStart);
    auto migrated = storage::migrate(*database_, storage::schema_migrations(), clock);
    EXPECT_TRUE(migrated.ok()) << migrated.error().message();
  }
  ~AuditTestDatabase() {
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  AuditTestDatabase(const AuditTestDatabase&) = delete;
  AuditTestDatabase& operator=(const AuditTestDatabase&) = delete;

  storage::Database& database() { return *database_; }

  // Runs statements as someone with direct access to the file would, after
  // dropping the triggers that keep the audit tables append-only.
  void tamper(std::initializer_list<std::string> statements) {
    const Status done = database_->run_write_transaction([&](soci::session& session) {
      for (const char* trigger : {"audit_events_no_update", "audit_events_no_delete",
                                  "audit_patients_no_update", "audit_patients_no_delete",
                                  "audit_checkpoints_no_update", "audit_checkpoints_no_delete"}) {
        session << "DROP TRIGGER IF EXISTS " + std::string(trigger);
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
  std::unique_ptr<storage::Database> database_;
};

}  // namespace th::audit
