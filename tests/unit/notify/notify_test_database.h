// NotifyTestDatabase: a fresh database with the project's schema for the
// tests of the outbox, feed tokens and opt-outs, on the backend the suite
// runs on: SQLite in a temporary folder by default, or, when
// TH_TEST_BACKEND=postgresql (inside pg_virtualenv, which exports PGHOST and
// the rest), a PostgreSQL schema of its own in the "postgres" database,
// created for the test and dropped after it (a schema takes milliseconds
// where a database takes a second). Also a real key-ring DataProtection under a random KEK.
// Not thread-safe itself; the Database it holds is.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/database.h"
#include "storage/key_ring_protection.h"
#include "storage/migration.h"
#include "test_backend.h"
#include "util/clock.h"

namespace th::notify {

inline constexpr UnixMicros kTestStart = 1'772'323'200'000'000;  // 2026-03-01T00:00:00Z
inline constexpr UnixMicros kMicrosPerMinute = 60'000'000;
inline constexpr UnixMicros kMicrosPerHour = 60 * kMicrosPerMinute;

using testing_support::testing_on_postgresql;

class NotifyTestDatabase {
 public:
  explicit NotifyTestDatabase(const Clock& clock, int pool_size = 4) {
    storage::DatabaseOptions options;
    options.pool_size = pool_size;
    options.acquire_timeout_ms = 20000;
    const std::string suffix = crypto::hex_encode(crypto::random_bytes(6));
    if (testing_on_postgresql()) {
      postgresql_name_ = "th_unit_" + suffix;
      testing_support::run_as_postgresql_admin("CREATE SCHEMA " + postgresql_name_);
      options.url = "postgresql:///postgres?options=-csearch_path%3D" + postgresql_name_;
    } else {
      directory_ = std::filesystem::temp_directory_path() / ("th-notify-" + suffix);
      std::filesystem::create_directory(directory_);
      options.url = "sqlite://" + (directory_ / "notify.db").string();
    }
    auto opened = storage::Database::open(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    auto migrated = storage::migrate(*database_, storage::schema_migrations(), clock);
    EXPECT_TRUE(migrated.ok()) << migrated.error().message();
    auto protection =
        storage::KeyRingProtection::open(*database_, {crypto::random_bytes(32)}, clock);
    EXPECT_TRUE(protection.ok()) << protection.error().message();
    protection_ = std::move(*protection);
  }
  ~NotifyTestDatabase() {
    protection_.reset();
    database_.reset();
    if (!postgresql_name_.empty()) {
      testing_support::run_as_postgresql_admin("DROP SCHEMA " + postgresql_name_ + " CASCADE");
    }
    std::error_code ignored;
    if (!directory_.empty()) {
      std::filesystem::remove_all(directory_, ignored);
    }
  }
  NotifyTestDatabase(const NotifyTestDatabase&) = delete;
  NotifyTestDatabase& operator=(const NotifyTestDatabase&) = delete;

  storage::Database& database() { return *database_; }
  storage::DataProtection& protection() { return *protection_; }

  // Runs one statement; fails the test on error.
  void exec(const std::string& statement) {
    const Status done = database_->run([&](soci::session& session) { session << statement; });
    ASSERT_TRUE(done.ok()) << done.error().message();
  }

  std::string text(const std::string& query) {
    auto value = database_->run([&](soci::session& session) {
      std::string out;
      soci::indicator indicator = soci::i_ok;
      session << query, soci::into(out, indicator);
      return out;
    });
    EXPECT_TRUE(value.ok()) << value.error().message();
    return value.ok() ? *value : "";
  }

  long long count(const std::string& table_and_condition) {
    auto counted = database_->run([&](soci::session& session) {
      long long rows = 0;
      session << "SELECT COUNT(*) FROM " + table_and_condition, soci::into(rows);
      return rows;
    });
    EXPECT_TRUE(counted.ok()) << counted.error().message();
    return counted.ok() ? *counted : -1;
  }

  // The clinician role, for users' foreign key.
  void add_clinician_role() {
    exec(
        "INSERT INTO roles (name, description, builtin, mfa_required, idle_timeout_seconds, "
        "created_at) VALUES ('clinician', 'c', 1, 1, 900, 0) ON CONFLICT DO NOTHING");
  }

  // A user who is a practitioner, and a patient, for the foreign keys.
  void add_practitioner(const std::string& id) {
    add_clinician_role();
    exec(
        "INSERT INTO users (id, username_bidx, username_enc, email_enc, kind, status, role, "
        "password_hash, password_changed_at, failed_logins, last_failed_login_at, "
        "mfa_secret_enc, mfa_enabled, mfa_last_step, enrolment_code_hash, "
        "enrolment_expires_at, created_at, updated_at, version) VALUES ('" +
        id + "', 'b-" + id +
        "', '', '', 'staff', 'active', 'clinician', '', 0, 0, 0, '', 0, 0, "
        "'', 0, 0, 0, 1)");
    exec("INSERT INTO practitioners (user_id, npi, license_states, time_zone) VALUES ('" + id +
         "', 'npi-" + id + "', 'CA', 'America/Los_Angeles')");
  }
  void add_patient(const std::string& id) {
    exec(
        "INSERT INTO patients (id, mrn_bidx, mrn_enc, given_name_enc, family_name_enc, "
        "birth_date_enc, sex_enc, phone_enc, email_enc, address_enc, state, created_at, "
        "updated_at, version, integrity_tag) VALUES ('" +
        id + "', 'm-" + id + "', '', '', '', '', '', '', '', '', 'CA', 0, 0, 1, '')");
  }

 private:
  std::filesystem::path directory_;
  std::string postgresql_name_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<storage::KeyRingProtection> protection_;
};

}  // namespace th::notify
