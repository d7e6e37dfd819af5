// ProtectedTestDatabase: an SQLite database in a fresh file with the
// project's schema and a KeyRingProtection under a random key-encryption
// key, for tests of sealed and tagged rows. Removed with its folder when the
// object goes out of scope. Not thread-safe itself; what it holds is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/database.h"
#include "storage/key_ring_protection.h"
#include "storage/migration.h"
#include "util/clock.h"

namespace th::storage {

class ProtectedTestDatabase {
 public:
  ProtectedTestDatabase() : clock_(1'767'225'600'000'000) {
    directory_ = std::filesystem::temp_directory_path() /
                 ("th-protected-" + crypto::hex_encode(crypto::random_bytes(8)));
    std::filesystem::create_directory(directory_);
    DatabaseOptions options;
    options.url = "sqlite://" + (directory_ / "telehealth.db").string();
    options.pool_size = 2;
    auto opened = Database::open(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    database_ = std::move(*opened);
    auto migrated = migrate(*database_, schema_migrations(), clock_);
    EXPECT_TRUE(migrated.ok()) << migrated.error().message();
    auto protection = KeyRingProtection::open(*database_, {crypto::random_bytes(32)}, clock_);
    EXPECT_TRUE(protection.ok()) << protection.error().message();
    protection_ = std::move(*protection);
  }
  ~ProtectedTestDatabase() {
    protection_.reset();
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  ProtectedTestDatabase(const ProtectedTestDatabase&) = delete;
  ProtectedTestDatabase& operator=(const ProtectedTestDatabase&) = delete;

  Database& database() { return *database_; }
  DataProtection& protection() { return *protection_; }
  const Clock& clock() const { return clock_; }

  // Runs statements as someone editing the file behind the daemon's back.
  void tamper(std::initializer_list<std::string> statements) {
    const Status done = database_->run_write_transaction([&](soci::session& session) {
      for (const std::string& statement : statements) {
        session << statement;
      }
    });
    ASSERT_TRUE(done.ok()) << done.error().message();
  }

  std::string text(const std::string& query) {
    auto value = database_->run([&](soci::session& session) {
      std::string out;
      session << query, soci::into(out);
      return out;
    });
    EXPECT_TRUE(value.ok());
    return value.ok() ? *value : std::string();
  }

 private:
  ManualClock clock_;
  std::filesystem::path directory_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<KeyRingProtection> protection_;
};

}  // namespace th::storage
