#include "storage/key_ring_protection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "storage/database.h"
#include "storage/migration.h"
#include "util/clock.h"

namespace th::storage {
namespace {

constexpr UnixMicros kStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
const FieldRef kField{"patients", "family_name_enc", "row-1"};

std::string new_kek() {
  return crypto::random_bytes(crypto::kKeyRingKeySize);
}

// An SQLite database in a fresh folder with the project's schema, and the
// daemons (protections) opened on it.
class KeyRingProtectionTest : public ::testing::Test {
 protected:
  KeyRingProtectionTest() {
    directory_ = std::filesystem::temp_directory_path() /
                 ("th-key-ring-" + crypto::hex_encode(crypto::random_bytes(8)));
    std::filesystem::create_directory(directory_);
    DatabaseOptions options;
    options.url = "sqlite://" + (directory_ / "keys.db").string();
    options.pool_size = 4;
    options.acquire_timeout_ms = 20000;
    database_ = std::move(Database::open(options).value());
    EXPECT_TRUE(migrate(*database_, schema_migrations(), clock_).ok());
  }
  ~KeyRingProtectionTest() override {
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  std::unique_ptr<KeyRingProtection> open(std::vector<std::string> keks) {
    auto opened = KeyRingProtection::open(*database_, std::move(keks), clock_);
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  Result<std::unique_ptr<KeyRingProtection>> try_open(std::vector<std::string> keks) {
    return KeyRingProtection::open(*database_, std::move(keks), clock_);
  }

  std::vector<std::string> column(const std::string& name) {
    return database_
        ->run([&](soci::session& session) {
          std::vector<std::string> values;
          soci::rowset<std::string> rows =
              (session.prepare << "SELECT " + name + " FROM data_keys ORDER BY purpose");
          for (const std::string& value : rows) {
            values.push_back(value);
          }
          return values;
        })
        .value();
  }

  void execute(const std::string& statement) {
    ASSERT_TRUE(database_->run([&](soci::session& session) { session << statement; }).ok());
  }

  Database& database() { return *database_; }

  ManualClock clock_{kStart};

 private:
  std::filesystem::path directory_;
  std::unique_ptr<Database> database_;
};

// --- start ---

TEST_F(KeyRingProtectionTest, FirstOpenCreatesOneKeyPerPurposeUnderTheCurrentKek) {
  const std::string old_kek = new_kek();
  const std::string current = new_kek();

  const auto protection = open({old_kek, current});

  ASSERT_NE(protection, nullptr);
  EXPECT_EQ(column("purpose"), (std::vector<std::string>{"blind_index", "data", "integrity"}));
  EXPECT_EQ(column("kek_id"), std::vector<std::string>(3, crypto::kek_id_of(current)));
  const KeyStatus status = protection->status(database()).value();
  EXPECT_EQ(status.remaining, 0u);
  EXPECT_EQ(status.keys.size(), 3u);
  EXPECT_EQ(status.keys[0].rewrapped_at, 0);
}

TEST_F(KeyRingProtectionTest, OpenWithoutTheWrappingKekIsOneErrorNamingItAndEveryKey) {
  const std::string kek = new_kek();
  ASSERT_NE(open({kek}), nullptr);
  const std::string wrong = new_kek();

  const auto reopened = try_open({wrong});

  ASSERT_FALSE(reopened.ok());
  const std::string& message = reopened.error().message();
  EXPECT_EQ(reopened.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(message.find("the blind_index, data and integrity keys are wrapped by "
                         "key-encryption key '" +
                         crypto::kek_id_of(kek) + "', which is not configured"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(crypto::kek_id_of(wrong)), std::string::npos) << message;
}

TEST_F(KeyRingProtectionTest, OpenRefusesAWrappingThatDoesNotUnwrap) {
  const std::string kek = new_kek();
  ASSERT_NE(open({kek}), nullptr);
  const std::string other = column("wrapped")[0];
  execute("UPDATE data_keys SET wrapped = '" + other + "' WHERE purpose = 'data'");

  const auto reopened = try_open({kek});

  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(reopened.error().message().find("does not unwrap"), std::string::npos);
}

TEST_F(KeyRingProtectionTest, KeysNamingTheirKekByALegacyIdOpenAndRotationRenamesThem) {
  const std::string kek = new_kek();
  ASSERT_NE(open({kek}), nullptr);
  const std::string legacy_id = crypto::hex_encode(crypto::sha256(kek)).substr(0, 8);
  execute("UPDATE data_keys SET kek_id = '" + legacy_id + "'");

  const auto protection = open({kek});
  const std::size_t remaining = protection->status(database()).value().remaining;
  const auto rotated = protection->rewrap_all(database(), clock_);

  EXPECT_EQ(remaining, 3u);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message();
  EXPECT_EQ(rotated->rewrapped, 3u);
  EXPECT_EQ(column("kek_id"), std::vector<std::string>(3, crypto::kek_id_of(kek)));
}

// --- rotation ---

TEST_F(KeyRingProtectionTest, RotationRewrapsEveryKeyAndOnlyTheNewKekIsNeededAfterwards) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  auto before = open({old_kek});
  const std::string sealed = before->seal("Ruiz", kField).value();
  const std::string index = before->blind_index("mrn", "mrn-1001");
  const auto rotating = open({old_kek, next_kek});
  clock_.advance_seconds(60);

  const auto rotated = rotating->rewrap_all(database(), clock_);

  ASSERT_TRUE(rotated.ok()) << rotated.error().message();
  EXPECT_EQ(rotated->rewrapped, 3u);
  EXPECT_EQ(rotated->current_kek_id, crypto::kek_id_of(next_kek));
  EXPECT_EQ(rotated->from_kek_ids, std::vector<std::string>{crypto::kek_id_of(old_kek)});
  const KeyStatus status = rotating->status(database()).value();
  for (const StoredKeyInfo& key : status.keys) {
    EXPECT_EQ(key.rewrapped_at, kStart + 60'000'000);
    EXPECT_EQ(key.created_at, kStart);
  }
  const auto after = open({next_kek});
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->open(sealed, kField).value(), "Ruiz");
  EXPECT_EQ(after->blind_index("mrn", "mrn-1001"), index);
  EXPECT_EQ(before->open(sealed, kField).value(), "Ruiz");
}

TEST_F(KeyRingProtectionTest, RotationIsIdempotent) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  ASSERT_NE(open({old_kek}), nullptr);
  const auto rotating = open({old_kek, next_kek});
  ASSERT_TRUE(rotating->rewrap_all(database(), clock_).ok());
  const std::vector<std::string> wrapped = column("wrapped");

  const auto again = rotating->rewrap_all(database(), clock_);

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rewrapped, 0u);
  EXPECT_TRUE(again->from_kek_ids.empty());
  EXPECT_EQ(column("wrapped"), wrapped);
}

TEST_F(KeyRingProtectionTest, StatusShowsWhatAnInterruptedRotationLeftAndRotationFinishesIt) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  ASSERT_NE(open({old_kek}), nullptr);
  const std::string old_data_wrapping = column("wrapped")[1];
  const auto rotating = open({old_kek, next_kek});
  ASSERT_TRUE(rotating->rewrap_all(database(), clock_).ok());
  // As if the rotation had stopped before reaching the data key.
  execute("UPDATE data_keys SET kek_id = '" + crypto::kek_id_of(old_kek) + "', wrapped = '" +
          old_data_wrapping + "', rewrapped_at = 0 WHERE purpose = 'data'");

  const KeyStatus partial = rotating->status(database()).value();
  const auto resumed = rotating->rewrap_all(database(), clock_);
  const KeyStatus finished = rotating->status(database()).value();

  EXPECT_EQ(partial.remaining, 1u);
  EXPECT_EQ(partial.keys[1].purpose, crypto::KeyPurpose::kData);
  EXPECT_FALSE(partial.keys[1].under_current_kek);
  EXPECT_TRUE(partial.keys[1].kek_held);
  EXPECT_EQ(partial.keys[1].kek_id, crypto::kek_id_of(old_kek));
  EXPECT_TRUE(partial.keys[0].under_current_kek);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->rewrapped, 1u);
  EXPECT_EQ(finished.remaining, 0u);
}

TEST_F(KeyRingProtectionTest, RotationNamesAKekThisDaemonDoesNotHoldAndDataStaysReadable) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  const auto lagging = open({old_kek});
  const std::string sealed = lagging->seal("Ruiz", kField).value();
  ASSERT_TRUE(open({old_kek, next_kek})->rewrap_all(database(), clock_).ok());

  const auto rotated = lagging->rewrap_all(database(), clock_);
  const KeyStatus status = lagging->status(database()).value();

  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(rotated.error().message().find("rewrap stopped after 0 of 3 keys"), std::string::npos)
      << rotated.error().message();
  EXPECT_NE(rotated.error().message().find(crypto::kek_id_of(next_kek)), std::string::npos);
  EXPECT_EQ(status.remaining, 3u);
  EXPECT_FALSE(status.keys[0].kek_held);
  EXPECT_EQ(column("kek_id"), std::vector<std::string>(3, crypto::kek_id_of(next_kek)));
  EXPECT_EQ(lagging->open(sealed, kField).value(), "Ruiz");
}

TEST_F(KeyRingProtectionTest, ConcurrentRotationsRewrapEachKeyOnce) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  ASSERT_NE(open({old_kek}), nullptr);
  const auto first = open({old_kek, next_kek});
  const auto second = open({old_kek, next_kek});
  Result<RotationResult> first_result = RotationResult{};
  Result<RotationResult> second_result = RotationResult{};

  std::thread other([&] { second_result = second->rewrap_all(database(), clock_); });
  first_result = first->rewrap_all(database(), clock_);
  other.join();

  ASSERT_TRUE(first_result.ok()) << first_result.error().message();
  ASSERT_TRUE(second_result.ok()) << second_result.error().message();
  EXPECT_EQ(first_result->rewrapped + second_result->rewrapped, 3u);
  EXPECT_EQ(column("kek_id"), std::vector<std::string>(3, crypto::kek_id_of(next_kek)));
  EXPECT_NE(open({next_kek}), nullptr);
}

// --- reload ---

TEST_F(KeyRingProtectionTest, ReplaceKeksAddsANewCurrentKekThatRotationThenUses) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  const auto protection = open({old_kek});

  const Status replaced = protection->replace_keks(database(), {old_kek, next_kek});
  const auto rotated = protection->rewrap_all(database(), clock_);

  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  EXPECT_EQ(protection->current_kek_id(), crypto::kek_id_of(next_kek));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->rewrapped, 3u);
  EXPECT_TRUE(protection->replace_keks(database(), {next_kek}).ok());
  EXPECT_EQ(protection->kek_ids(), std::vector<std::string>{crypto::kek_id_of(next_kek)});
}

TEST_F(KeyRingProtectionTest, ReplaceKeksRefusesToDropAKekThatStillWrapsAKey) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  const auto protection = open({old_kek});

  const Status replaced = protection->replace_keks(database(), {next_kek});

  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(replaced.error().message().find(crypto::kek_id_of(old_kek)), std::string::npos);
  EXPECT_EQ(protection->current_kek_id(), crypto::kek_id_of(old_kek));
}

}  // namespace
}  // namespace th::storage
