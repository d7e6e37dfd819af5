// Integrity tags on user accounts and emergency-access grants: an SQL edit
// of any column that matters for access (role, status, password hash, an
// expiry, the tag itself) makes the read fail with kDataLoss before any
// sealed field is opened, while the stores' own writes keep rows readable;
// and the one-time backfill tags rows from before tags existed exactly once.

#include <gtest/gtest.h>

#include "access/integrity_backfill.h"
#include "access_tables_fixture.h"
#include "crypto/uuid.h"

namespace th::access {
namespace {

constexpr UnixMicros kGrantedAt = 1'767'225'600'000'000;
constexpr UnixMicros kHour = 3'600'000'000;

class TaggedAccountsTest : public AccessTablesTest {
 protected:
  void SetUp() override {
    AccessTablesTest::SetUp();
    Patient patient;
    patient.id = crypto::new_uuid_v4();
    patient.mrn = "MRN-7";
    patient.given_name = "Odile";
    patient.family_name = "Brennan";
    patient.birth_date = "1980-02-14";
    patient.sex = "female";
    patient.state = "OR";
    patient_id_ = patient.id;

    user_.id = crypto::new_uuid_v4();
    user_.username = "dr.brennan";
    user_.email = "brennan@example.org";
    user_.role = "clinician";
    user_.status = UserStatus::kDisabled;
    user_.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
    user_.mfa_secret = "0123456789abcdefghij";

    grant_.id = crypto::new_uuid_v4();
    grant_.user_id = user_.id;
    grant_.patient_id = patient.id;
    grant_.reason = "unresponsive on arrival, no next of kin reachable";
    grant_.granted_at = kGrantedAt;
    grant_.expires_at = kGrantedAt + kHour;
    const Status inserted =
        db_.database().run_write_transaction([&](soci::session& session) -> Status {
          TH_RETURN_IF_ERROR(patients_.insert(session, patient));
          TH_RETURN_IF_ERROR(users_.insert(session, user_));
          return grants_.insert(session, grant_);
        });
    ASSERT_TRUE(inserted.ok()) << inserted.error().message();
  }

  Result<std::optional<User>> read_user() {
    return db_.database().run(
        [&](soci::session& session) { return users_.find_by_username(session, "dr.brennan"); });
  }

  Result<std::optional<EmergencyGrant>> read_grant() {
    return db_.database().run(
        [&](soci::session& session) { return grants_.find(session, grant_.id); });
  }

  // The rows as a database from before the tags would hold them.
  void untag_everything() {
    db_.tamper(
        {"UPDATE users SET integrity_tag = ''", "UPDATE emergency_grants SET integrity_tag = ''"});
  }

  Result<IntegrityBackfill> backfill() {
    return backfill_integrity_tags(db_.database(), db_.protection(), db_.clock().now_micros());
  }

  void expect_user_refused() {
    auto by_name = read_user();
    auto by_id = db_.database().run(
        [&](soci::session& session) { return users_.find_by_id(session, user_.id); });
    for (const auto* read : {&by_name, &by_id}) {
      ASSERT_FALSE(read->ok());
      EXPECT_EQ(read->error().code(), ErrorCode::kDataLoss);
      EXPECT_EQ(read->error().message(), "user " + user_.id + " failed its integrity check");
    }
  }

  std::string patient_id_;
  User user_;
  EmergencyGrant grant_;
};

TEST_F(TaggedAccountsTest, RowsWrittenByTheStoresReadBackAndPassTheCheck) {
  auto user = read_user();
  auto grant = read_grant();
  const storage::IntegrityReport report = scan();

  ASSERT_TRUE(user.ok()) << user.error().message();
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->role, "clinician");
  EXPECT_EQ((*user)->mfa_secret, "0123456789abcdefghij");
  ASSERT_TRUE(grant.ok()) << grant.error().message();
  ASSERT_TRUE(grant->has_value());
  EXPECT_EQ((*grant)->reason, grant_.reason);
  EXPECT_TRUE(report.ok()) << report.failures.size() << " failures";
}

TEST_F(TaggedAccountsTest, RoleRaisedInTheDatabaseIsRefused) {
  db_.tamper({"UPDATE users SET role = 'admin'"});

  expect_user_refused();
}

TEST_F(TaggedAccountsTest, DisabledAccountReenabledInTheDatabaseIsRefused) {
  db_.tamper({"UPDATE users SET status = 'active'"});

  expect_user_refused();
}

TEST_F(TaggedAccountsTest, PasswordHashClearedInTheDatabaseIsRefused) {
  db_.tamper({"UPDATE users SET password_hash = ''"});

  expect_user_refused();
}

TEST_F(TaggedAccountsTest, LockoutCountResetInTheDatabaseIsRefused) {
  db_.tamper({"UPDATE users SET failed_logins = 4"});

  expect_user_refused();
}

TEST_F(TaggedAccountsTest, EmptiedUserTagIsRefusedAndReported) {
  db_.tamper({"UPDATE users SET integrity_tag = ''"});

  const storage::IntegrityReport report = scan();

  expect_user_refused();
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].table, "users");
  EXPECT_EQ(report.failures[0].row_id, user_.id);
  EXPECT_EQ(report.failures[0].problems[0], "integrity tag does not match");
}

TEST_F(TaggedAccountsTest, UpdateRetagsTheRowAndTheCheckStillPasses) {
  auto user = read_user();
  ASSERT_TRUE(user.ok() && user->has_value());
  User changed = **user;
  changed.status = UserStatus::kActive;
  changed.failed_logins = 2;

  const Status updated = db_.database().run_write_transaction(
      [&](soci::session& session) { return users_.update(session, changed, kGrantedAt); });
  auto reread = read_user();
  const storage::IntegrityReport report = scan();

  ASSERT_TRUE(updated.ok()) << updated.error().message();
  ASSERT_TRUE(reread.ok()) << reread.error().message();
  EXPECT_EQ((*reread)->status, UserStatus::kActive);
  EXPECT_EQ((*reread)->failed_logins, 2);
  EXPECT_EQ((*reread)->version, user_.version + 1);
  EXPECT_TRUE(report.ok());
}

TEST_F(TaggedAccountsTest, GrantExtendedInTheDatabaseIsRefusedAndReported) {
  db_.tamper({"UPDATE emergency_grants SET expires_at = expires_at + 86400000000"});

  auto grant = read_grant();
  auto active = db_.database().run([&](soci::session& session) {
    return grants_.active(session, user_.id, patient_id_, kGrantedAt + 2 * kHour);
  });
  const storage::IntegrityReport report = scan();

  ASSERT_FALSE(grant.ok());
  EXPECT_EQ(grant.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(grant.error().message(),
            "emergency grant " + grant_.id + " failed its integrity check");
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code(), ErrorCode::kDataLoss);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].table, "emergency_grants");
  EXPECT_EQ(report.failures[0].row_id, grant_.id);
}

TEST_F(TaggedAccountsTest, GrantIsInForceUntilItExpires) {
  auto during = db_.database().run([&](soci::session& session) {
    return grants_.active(session, user_.id, patient_id_, kGrantedAt + kHour - 1);
  });
  auto after = db_.database().run([&](soci::session& session) {
    return grants_.active(session, user_.id, patient_id_, kGrantedAt + kHour);
  });

  ASSERT_TRUE(during.ok() && after.ok());
  EXPECT_TRUE(during->has_value());
  EXPECT_FALSE(after->has_value());
}

TEST_F(TaggedAccountsTest, ReviewedGrantStaysReadableAndCannotBeReviewedTwice) {
  const auto review = [&](const std::string& outcome) {
    return db_.database().run_write_transaction([&](soci::session& session) {
      return grants_.review(session, grant_.id, outcome, "compliance-1", "checked with the ED",
                            kGrantedAt + kHour);
    });
  };

  const Status first = review("justified");
  const Status second = review("unjustified");
  auto grant = read_grant();

  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(grant.ok()) << grant.error().message();
  EXPECT_EQ((*grant)->review_state, "justified");
  EXPECT_EQ((*grant)->review_comment, "checked with the ED");
  EXPECT_EQ((*grant)->reason, grant_.reason);
  EXPECT_EQ((*grant)->version, 2);
  EXPECT_TRUE(scan().ok());
}

TEST_F(TaggedAccountsTest, BackfillTagsRowsFromBeforeTagsOnce) {
  untag_everything();

  auto first = backfill();
  auto user = read_user();
  auto grant = read_grant();
  auto second = backfill();

  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(first->ran);
  EXPECT_FALSE(first->refused);
  EXPECT_EQ(first->users_tagged, 1u);
  EXPECT_EQ(first->grants_tagged, 1u);
  EXPECT_EQ(db_.text("SELECT CAST(rows_tagged AS TEXT) FROM integrity_backfills "
                     "WHERE name = 'users and emergency grants'"),
            "2");
  ASSERT_TRUE(user.ok()) << user.error().message();
  EXPECT_EQ((*user)->username, "dr.brennan");
  ASSERT_TRUE(grant.ok()) << grant.error().message();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->ran);
  EXPECT_TRUE(scan().ok());
}

TEST_F(TaggedAccountsTest, TagEmptiedAfterTheBackfillIsRefusedAndNotRetagged) {
  untag_everything();
  ASSERT_TRUE(backfill().ok());
  db_.tamper({"UPDATE users SET role = 'admin', integrity_tag = ''"});

  auto again = backfill();

  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->ran);
  expect_user_refused();
  EXPECT_EQ(scan().failures.size(), 1u);
}

TEST_F(TaggedAccountsTest, BackfillMarkedPendingAgainWhileRowsAreTaggedTagsNothing) {
  untag_everything();
  ASSERT_TRUE(backfill().ok());
  db_.tamper({"UPDATE users SET role = 'admin', integrity_tag = ''",
              "UPDATE integrity_backfills SET done_at = 0"});

  auto again = backfill();

  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE(again->ran);
  EXPECT_TRUE(again->refused);
  EXPECT_EQ(again->users_tagged, 0u);
  expect_user_refused();
}

}  // namespace
}  // namespace th::access
