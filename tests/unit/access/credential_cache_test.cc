// CredentialCache against a real SQLite database file, with a manual clock:
// the idle timeout, the absolute lifetime, and revocation across two caches
// (two daemons) that share the database through the security event log.

#include "access/credential_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "../storage/plain_protection.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "storage/data_protection.h"
#include "storage/database.h"
#include "storage/migration.h"
#include "util/clock.h"

namespace th::access {
namespace {

constexpr UnixMicros kStart = 1'800'000'000'000'000;
constexpr int kIdleSeconds = 15 * 60;
constexpr int kLifetimeSeconds = 12 * 3600;

using storage::PlainProtection;

// One daemon's view: its own connection pool and cache on the shared file.
struct Node {
  Node(const std::string& url, PlainProtection& protection, const Clock& clock)
      : database(open_database(url)),
        users(protection),
        sessions(protection),
        roles(protection),
        events(database->backend()),
        cache(*database, users, sessions, roles, events, clock) {}

  static std::unique_ptr<storage::Database> open_database(const std::string& url) {
    storage::DatabaseOptions options;
    options.url = url;
    options.pool_size = 2;
    auto database = storage::Database::open(options);
    EXPECT_TRUE(database.ok()) << database.error().message();
    return std::move(*database);
  }

  std::unique_ptr<storage::Database> database;
  UserStore users;
  SessionStore sessions;
  RoleStore roles;
  SecurityEventLog events;
  CredentialCache cache;
};

class CredentialCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "th_cache_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    const std::string url = "sqlite://" + directory_ + "/telehealth.db";
    first_ = std::make_unique<Node>(url, protection_, clock_);
    ASSERT_TRUE(storage::migrate(*first_->database, storage::schema_migrations(), clock_).ok());
    ASSERT_TRUE(first_->database
                    ->run_write_transaction([&](soci::session& session) {
                      first_->roles.install_builtin_roles(session, clock_.now_micros());
                    })
                    .ok());
    second_ = std::make_unique<Node>(url, protection_, clock_);
    insert_user();
    insert_session();
    // Each daemon's first poll marks where its event log reading starts.
    ASSERT_TRUE(first_->cache.poll_security_events().ok());
    ASSERT_TRUE(second_->cache.poll_security_events().ok());
  }

  void TearDown() override {
    second_.reset();
    first_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  void insert_user() {
    User user;
    user.id = kUserId;
    user.username = "nurse.one";
    user.email = "nurse.one@example.org";
    user.role = "nurse";
    user.password_hash = "$argon2id$unused";
    user.mfa_enabled = true;
    user.created_at = clock_.now_micros();
    user.updated_at = user.created_at;
    ASSERT_TRUE(first_->database
                    ->run_write_transaction(
                        [&](soci::session& session) { return first_->users.insert(session, user); })
                    .ok());
  }

  void insert_session() {
    SessionRecord record;
    record.id = kSessionId;
    record.token_hash = hash_bearer_secret(kSecret);
    record.user_id = kUserId;
    record.kind = CredentialKind::kSession;
    record.role = "nurse";
    record.created_at = clock_.now_micros();
    record.last_seen_at = record.created_at;
    record.idle_timeout_seconds = kIdleSeconds;
    record.expires_at = record.created_at + UnixMicros{kLifetimeSeconds} * 1'000'000;
    record.mfa_verified = true;
    ASSERT_TRUE(first_->database
                    ->run_write_transaction(
                        [&](soci::session& session) { first_->sessions.insert(session, record); })
                    .ok());
  }

  // What DirectoryService does to revoke: the row and its event in one transaction.
  void revoke_in(Node& node) {
    ASSERT_TRUE(node.database
                    ->run_write_transaction([&](soci::session& session) {
                      ASSERT_TRUE(node.sessions.revoke(session, kSessionId, "revoked",
                                                       clock_.now_micros()));
                      node.events.append(session, SecurityEventKind::kSessionRevoked, kSessionId,
                                         clock_.now_micros());
                    })
                    .ok());
    node.cache.forget_session(kSessionId);
  }

  std::optional<SessionRecord> stored_session() {
    auto found = first_->database->run(
        [&](soci::session& session) { return first_->sessions.find_by_id(session, kSessionId); });
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }

  static void expect_refused(const Result<Principal>& result, std::string_view reason) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_TRUE(result.error().message().starts_with(reason)) << result.error().message();
  }

  static constexpr const char* kUserId = "3f1d7c9e-0b6a-4f53-9a2e-5c8d1e7b4a60";
  static constexpr const char* kSessionId = "8a2e4c6b-1d3f-4e5a-9b7c-0f2d4e6a8c1b";
  static constexpr const char* kSecret = "thu_test-secret-for-the-cache";

  ManualClock clock_{kStart};
  PlainProtection protection_;
  std::string directory_;
  std::unique_ptr<Node> first_;
  std::unique_ptr<Node> second_;
};

TEST_F(CredentialCacheTest, AcceptsAFreshSessionWithItsRolePermissions) {
  auto principal = first_->cache.authenticate(kSecret, true);

  ASSERT_TRUE(principal.ok()) << principal.error().message();
  EXPECT_EQ(principal->user_id, kUserId);
  EXPECT_EQ(principal->session_id, kSessionId);
  EXPECT_EQ(principal->role, "nurse");
  EXPECT_TRUE(principal->has_permission("patient.read"));
  EXPECT_FALSE(principal->has_permission("note.sign"));
  EXPECT_FALSE(principal->mfa_enrolment_required);
}

TEST_F(CredentialCacheTest, RefusesAnUnknownSecret) {
  expect_refused(first_->cache.authenticate("thu_not-issued", true), kReasonInvalidToken);
}

TEST_F(CredentialCacheTest, LogsOffASessionIdleBeyondItsTimeout) {
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  clock_.advance_seconds(kIdleSeconds + 1);

  auto result = first_->cache.authenticate(kSecret, true);

  expect_refused(result, kReasonIdle);
  const auto stored = stored_session();
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->revoked());
  EXPECT_EQ(stored->revoked_reason, kReasonIdle);
  const auto logoffs = first_->cache.take_idle_logoffs();
  ASSERT_EQ(logoffs.size(), 1u);
  EXPECT_EQ(logoffs[0].session_id, kSessionId);
  EXPECT_TRUE(first_->cache.take_idle_logoffs().empty());
}

TEST_F(CredentialCacheTest, KeepsASessionUsedWithinEachTimeout) {
  for (int i = 0; i < 4; ++i) {
    clock_.advance_seconds(kIdleSeconds - 60);
    ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok()) << "after step " << i;
  }

  clock_.advance_seconds(kIdleSeconds - 60);
  auto result = first_->cache.authenticate(kSecret, true);

  EXPECT_TRUE(result.ok());
}

TEST_F(CredentialCacheTest, BackgroundRequestsAreNotActivity) {
  clock_.advance_seconds(kIdleSeconds - 60);
  ASSERT_TRUE(first_->cache.authenticate(kSecret, false).ok());
  clock_.advance_seconds(120);

  auto result = first_->cache.authenticate(kSecret, false);

  expect_refused(result, kReasonIdle);
}

TEST_F(CredentialCacheTest, EndsASessionAtItsAbsoluteLifetimeWhateverTheActivity) {
  const int steps = kLifetimeSeconds / (kIdleSeconds - 60);
  for (int i = 0; i < steps; ++i) {
    clock_.advance_seconds(kIdleSeconds - 60);
    ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok()) << "after step " << i;
  }

  clock_.advance_seconds(kIdleSeconds - 60);
  auto result = first_->cache.authenticate(kSecret, true);

  expect_refused(result, kReasonExpired);
}

TEST_F(CredentialCacheTest, RefusesARevokedSessionOnFirstLoad) {
  revoke_in(*first_);

  auto result = second_->cache.authenticate(kSecret, true);

  expect_refused(result, kReasonRevoked);
}

TEST_F(CredentialCacheTest, RevocationInOneDaemonReachesTheOtherThroughTheEventLog) {
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(second_->cache.authenticate(kSecret, true).ok());
  revoke_in(*first_);

  auto applied = second_->cache.poll_security_events();
  auto result = second_->cache.authenticate(kSecret, true);

  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 1);
  expect_refused(result, kReasonRevoked);
  expect_refused(first_->cache.authenticate(kSecret, true), kReasonRevoked);
}

// A daemon that has just started caches credentials before its first poll
// of the event log; a revocation committed in between still reaches it.
TEST_F(CredentialCacheTest, RevocationBeforeADaemonsFirstPollStillReachesItsCache) {
  Node starting("sqlite://" + directory_ + "/telehealth.db", protection_, clock_);
  ASSERT_TRUE(starting.cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(starting.cache.authenticate(kSecret, true).ok());
  revoke_in(*first_);

  auto applied = starting.cache.poll_security_events();

  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 1);
  expect_refused(starting.cache.authenticate(kSecret, true), kReasonRevoked);
}

// A connection holding its checked credential (CredentialCache::Held) skips
// the lookup, but not a revocation that reached the cache through the log.
TEST_F(CredentialCacheTest, HeldCredentialIsRefusedOnceARevocationDropsIt) {
  const std::string token_hash = hash_bearer_secret(kSecret);
  CredentialCache::Held held;
  auto first = second_->cache.share_token_hash(token_hash, true, held);
  auto again = second_->cache.share_token_hash(token_hash, true, held);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(first->get(), again->get());  // the held entry, not a new one
  revoke_in(*first_);

  ASSERT_TRUE(second_->cache.poll_security_events().ok());
  auto result = second_->cache.share_token_hash(token_hash, true, held);

  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message().starts_with(kReasonRevoked)) << result.error().message();
}

TEST_F(CredentialCacheTest, HeldCredentialStillTimesOutWhenIdle) {
  const std::string token_hash = hash_bearer_secret(kSecret);
  CredentialCache::Held held;
  ASSERT_TRUE(first_->cache.share_token_hash(token_hash, true, held).ok());
  clock_.advance_seconds(kIdleSeconds - 60);
  ASSERT_TRUE(first_->cache.share_token_hash(token_hash, false, held).ok());
  clock_.advance_seconds(120);

  auto result = first_->cache.share_token_hash(token_hash, false, held);

  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message().starts_with(kReasonIdle)) << result.error().message();
}

// After a role change drops every entry, a held credential is looked up
// again and carries the new entry.
TEST_F(CredentialCacheTest, HeldCredentialIsReloadedAfterItsEntryIsDropped) {
  const std::string token_hash = hash_bearer_secret(kSecret);
  CredentialCache::Held held;
  auto before = first_->cache.share_token_hash(token_hash, true, held);
  ASSERT_TRUE(before.ok());
  first_->cache.forget_everything();

  auto after = first_->cache.share_token_hash(token_hash, true, held);

  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_NE(before->get(), after->get());
  EXPECT_EQ((*after)->session_id, kSessionId);
  EXPECT_EQ(first_->cache.size(), 1u);
}

TEST_F(CredentialCacheTest, DisablingTheUserReachesTheOtherDaemon) {
  ASSERT_TRUE(second_->cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(first_->database
                  ->run_write_transaction([&](soci::session& session) -> Status {
                    auto user = first_->users.find_by_id(session, kUserId);
                    if (!user.ok()) {
                      return user.error();
                    }
                    (*user)->status = UserStatus::kDisabled;
                    TH_RETURN_IF_ERROR(first_->users.update(session, **user, clock_.now_micros()));
                    first_->events.append(session, SecurityEventKind::kUserChanged, kUserId,
                                          clock_.now_micros());
                    return ok_status();
                  })
                  .ok());

  ASSERT_TRUE(second_->cache.poll_security_events().ok());
  auto result = second_->cache.authenticate(kSecret, true);

  expect_refused(result, kReasonDisabled);
}

TEST_F(CredentialCacheTest, RoleChangeEventDropsEveryCachedCredential) {
  ASSERT_TRUE(second_->cache.authenticate(kSecret, true).ok());
  ASSERT_EQ(second_->cache.size(), 1u);
  ASSERT_TRUE(first_->database
                  ->run_write_transaction([&](soci::session& session) {
                    first_->events.append(session, SecurityEventKind::kRoleChanged, "nurse",
                                          clock_.now_micros());
                  })
                  .ok());

  ASSERT_TRUE(second_->cache.poll_security_events().ok());

  EXPECT_EQ(second_->cache.size(), 0u);
  EXPECT_TRUE(second_->cache.authenticate(kSecret, true).ok());
}

TEST_F(CredentialCacheTest, ActivityFlushedByAnotherDaemonPreventsAFalseIdleTimeout) {
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(second_->cache.authenticate(kSecret, true).ok());
  clock_.advance_seconds(kIdleSeconds - 60);
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(first_->cache.flush_activity().ok());
  clock_.advance_seconds(120);  // idle for the second daemon, not for the first

  auto result = second_->cache.authenticate(kSecret, true);

  EXPECT_TRUE(result.ok()) << result.error().message();
  const auto stored = stored_session();
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->revoked());
  EXPECT_TRUE(second_->cache.take_idle_logoffs().empty());
}

TEST_F(CredentialCacheTest, SessionIdleEverywhereIsLoggedOffAndTheOtherDaemonLearnsOfIt) {
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  ASSERT_TRUE(second_->cache.authenticate(kSecret, true).ok());
  clock_.advance_seconds(kIdleSeconds + 1);

  auto result = second_->cache.authenticate(kSecret, true);
  ASSERT_TRUE(first_->cache.poll_security_events().ok());

  expect_refused(result, kReasonIdle);
  // The other daemon tells the client why, too, and so does a later try.
  expect_refused(first_->cache.authenticate(kSecret, true), kReasonIdle);
  expect_refused(second_->cache.authenticate(kSecret, true), kReasonIdle);
}

TEST_F(CredentialCacheTest, FlushWritesTheLatestActivity) {
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());
  clock_.advance_seconds(300);
  ASSERT_TRUE(first_->cache.authenticate(kSecret, true).ok());

  ASSERT_TRUE(first_->cache.flush_activity().ok());

  const auto stored = stored_session();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->last_seen_at, kStart + 300'000'000);
}

}  // namespace
}  // namespace th::access
