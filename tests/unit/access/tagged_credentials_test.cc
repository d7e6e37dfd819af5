// Integrity tags on what decides a credential's reach: a session or token
// row whose user, role, expiry, MFA state or revocation was edited in the
// database, or that was inserted there by hand, is refused with kDataLoss;
// a role whose flags or permission set were edited likewise. The stores'
// own changes (revocation, MFA, grants) keep rows readable, and rows from
// before tags existed are tagged once by the backfill.

#include <gtest/gtest.h>

#include "access/integrity_backfill.h"
#include "access/session_store.h"
#include "access_tables_fixture.h"
#include "crypto/uuid.h"

namespace th::access {
namespace {

constexpr UnixMicros kCreatedAt = 1'767'225'600'000'000;
constexpr UnixMicros kHour = 3'600'000'000;

class TaggedCredentialsTest : public AccessTablesTest {
 protected:
  TaggedCredentialsTest() : sessions_(db_.protection()), roles_(db_.protection()) {}

  void SetUp() override {
    AccessTablesTest::SetUp();
    User user;
    user.id = crypto::new_uuid_v4();
    user.username = "nurse.okafor";
    user.role = "nurse";
    user_id_ = user.id;

    session_.id = crypto::new_uuid_v4();
    session_.token_hash = std::string(64, 'a');
    session_.user_id = user.id;
    session_.role = "nurse";
    session_.created_at = kCreatedAt;
    session_.last_seen_at = kCreatedAt;
    session_.idle_timeout_seconds = 900;
    session_.expires_at = kCreatedAt + 12 * kHour;
    session_.source_address = "192.0.2.10";

    Role custom;
    custom.name = "records_clerk";
    custom.description = "reads demographics";
    custom.mfa_required = true;
    custom.permissions = {"patient.read"};
    const Status inserted =
        db_.database().run_write_transaction([&](soci::session& session) -> Status {
          TH_RETURN_IF_ERROR(users_.insert(session, user));
          sessions_.insert(session, session_);
          return roles_.create(session, custom, kCreatedAt);
        });
    ASSERT_TRUE(inserted.ok()) << inserted.error().message();
  }

  Result<std::optional<SessionRecord>> read_session() {
    return db_.database().run(
        [&](soci::session& session) { return sessions_.find_by_token_hash(session, token()); });
  }

  Result<std::optional<Role>> read_role(const std::string& name) {
    return db_.database().run([&](soci::session& session) { return roles_.find(session, name); });
  }

  void expect_session_refused() {
    auto by_hash = read_session();
    auto by_id = db_.database().run(
        [&](soci::session& session) { return sessions_.find_by_id(session, session_.id); });
    auto listed = db_.database().run(
        [&](soci::session& session) { return sessions_.list(session, user_id_, {}, true); });
    for (const auto* read : {&by_hash, &by_id}) {
      ASSERT_FALSE(read->ok());
      EXPECT_EQ(read->error().code(), ErrorCode::kDataLoss);
      EXPECT_EQ(read->error().message(), "session " + session_.id + " failed its integrity check");
    }
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().code(), ErrorCode::kDataLoss);
  }

  void expect_role_refused(const std::string& name) {
    auto role = read_role(name);
    ASSERT_FALSE(role.ok());
    EXPECT_EQ(role.error().code(), ErrorCode::kDataLoss);
    EXPECT_EQ(role.error().message(), "role '" + name + "' failed its integrity check");
  }

  bool revoke() {
    bool revoked = false;
    EXPECT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      revoked =
                          sessions_.revoke(session, session_.id, "logout", kCreatedAt + kHour);
                    })
                    .ok());
    return revoked;
  }

  std::vector<std::string> failed_rows(const std::string& table) {
    std::vector<std::string> rows;
    for (const storage::RecordFailure& failure : scan().failures) {
      if (failure.table == table) {
        rows.push_back(failure.row_id);
      }
    }
    return rows;
  }

  std::string token() const { return session_.token_hash; }
  std::string where_session() const { return " WHERE id = '" + session_.id + "'"; }

  SessionStore sessions_;
  RoleStore roles_;
  std::string user_id_;
  SessionRecord session_;
};

TEST_F(TaggedCredentialsTest, RowsWrittenByTheStoresReadBackAndPassTheCheck) {
  auto session = read_session();
  auto role = read_role("records_clerk");
  auto builtin = read_role("nurse");
  const storage::IntegrityReport report = scan();

  ASSERT_TRUE(session.ok()) << session.error().message();
  ASSERT_TRUE(session->has_value());
  EXPECT_EQ((*session)->role, "nurse");
  EXPECT_EQ((*session)->version, 1);
  ASSERT_TRUE(role.ok()) << role.error().message();
  EXPECT_EQ((*role)->permissions, (std::set<std::string, std::less<>>{"patient.read"}));
  ASSERT_TRUE(builtin.ok()) << builtin.error().message();
  EXPECT_TRUE((*builtin)->builtin);
  EXPECT_TRUE(report.ok());
  bool sessions_checked = false;
  bool roles_checked = false;
  for (const storage::TableSummary& table : report.tables) {
    sessions_checked |= table.table == "sessions" && table.rows_checked == 1;
    roles_checked |= table.table == "roles" && table.rows_checked >= 8;
  }
  EXPECT_TRUE(sessions_checked);
  EXPECT_TRUE(roles_checked);
}

TEST_F(TaggedCredentialsTest, EditsThatWidenASessionAreRefused) {
  const std::string edits[] = {
      "UPDATE sessions SET role = 'admin'",
      "UPDATE sessions SET expires_at = expires_at + 3600000000",
      "UPDATE sessions SET mfa_verified = 1",
      "UPDATE sessions SET idle_timeout_seconds = 86400",
      "UPDATE sessions SET token_hash = '" + std::string(64, 'b') + "'",
      "UPDATE sessions SET kind = 'token'",
      "UPDATE sessions SET integrity_tag = ''",
  };
  for (const std::string& edit : edits) {
    SCOPED_TRACE(edit);
    const std::string original = db_.text(
        "SELECT token_hash || '|' || role || '|' || CAST(expires_at AS TEXT) FROM sessions");
    db_.tamper({"CREATE TABLE saved AS SELECT * FROM sessions", edit + where_session()});
    if (edit.find("token_hash") != std::string::npos) {
      auto moved = db_.database().run([&](soci::session& session) {
        return sessions_.find_by_token_hash(session, std::string(64, 'b'));
      });
      ASSERT_FALSE(moved.ok());
      EXPECT_EQ(moved.error().code(), ErrorCode::kDataLoss);
    } else {
      expect_session_refused();
    }
    EXPECT_EQ(failed_rows("sessions"), std::vector<std::string>{session_.id});
    db_.tamper(
        {"DELETE FROM sessions", "INSERT INTO sessions SELECT * FROM saved", "DROP TABLE saved"});
    EXPECT_EQ(db_.text("SELECT token_hash || '|' || role || '|' || CAST(expires_at AS TEXT) "
                       "FROM sessions"),
              original);
    ASSERT_TRUE(read_session().ok());
  }
}

TEST_F(TaggedCredentialsTest, SessionInsertedByHandIsRefused) {
  // A copy of a real row under another id and token hash: the tag is bound
  // to the row id, so not even a valid tag can be reused.
  const std::string forged_id = crypto::new_uuid_v4();
  db_.tamper({"INSERT INTO sessions SELECT '" + forged_id + "', '" + std::string(64, 'f') +
              "', user_id, kind, name, 'admin', created_at, last_seen_at, "
              "idle_timeout_seconds, expires_at, mfa_verified, source_address, revoked_at, "
              "revoked_reason, version, integrity_tag FROM sessions"});

  auto forged = db_.database().run([&](soci::session& session) {
    return sessions_.find_by_token_hash(session, std::string(64, 'f'));
  });

  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(failed_rows("sessions"), std::vector<std::string>{forged_id});
  ASSERT_TRUE(read_session().ok());
}

TEST_F(TaggedCredentialsTest, RevocationAndMfaKeepTheRowReadableAndCannotBeUndoneByHand) {
  const Status verified = db_.database().run_write_transaction(
      [&](soci::session& session) { return sessions_.mark_mfa_verified(session, session_.id); });
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  auto after_mfa = read_session();
  ASSERT_TRUE(after_mfa.ok()) << after_mfa.error().message();
  EXPECT_TRUE((*after_mfa)->mfa_verified);
  EXPECT_EQ((*after_mfa)->version, 2);

  ASSERT_TRUE(revoke());
  EXPECT_FALSE(revoke());
  auto revoked = read_session();
  ASSERT_TRUE(revoked.ok()) << revoked.error().message();
  EXPECT_TRUE((*revoked)->revoked());
  EXPECT_EQ((*revoked)->revoked_reason, "logout");
  EXPECT_TRUE(scan().ok());

  db_.tamper({"UPDATE sessions SET revoked_at = 0, revoked_reason = ''" + where_session()});

  expect_session_refused();
}

TEST_F(TaggedCredentialsTest, AlteredSessionIsStillRevokedButStaysRefused) {
  db_.tamper({"UPDATE sessions SET role = 'admin'" + where_session()});

  EXPECT_TRUE(revoke());

  EXPECT_NE(db_.text("SELECT CAST(revoked_at AS TEXT) FROM sessions"), "0");
  expect_session_refused();
  EXPECT_EQ(failed_rows("sessions"), std::vector<std::string>{session_.id});
}

TEST_F(TaggedCredentialsTest, EditsToARoleOrItsPermissionsAreRefused) {
  // Each edit, and what puts the role back as the store wrote it.
  const std::pair<std::string, std::string> edits[] = {
      {"INSERT INTO role_permissions (role, permission) VALUES ('records_clerk', 'audit.read')",
       "DELETE FROM role_permissions WHERE role = 'records_clerk' AND permission = 'audit.read'"},
      {"DELETE FROM role_permissions WHERE role = 'records_clerk'",
       "INSERT INTO role_permissions (role, permission) VALUES ('records_clerk', "
       "'patient.read')"},
      {"UPDATE roles SET mfa_required = 0 WHERE name = 'records_clerk'",
       "UPDATE roles SET mfa_required = 1 WHERE name = 'records_clerk'"},
      {"UPDATE roles SET idle_timeout_seconds = 86400 WHERE name = 'records_clerk'",
       "UPDATE roles SET idle_timeout_seconds = 900 WHERE name = 'records_clerk'"},
      {"UPDATE roles SET builtin = 1 WHERE name = 'records_clerk'",
       "UPDATE roles SET builtin = 0 WHERE name = 'records_clerk'"},
  };
  for (const auto& [edit, undo] : edits) {
    SCOPED_TRACE(edit);
    db_.tamper({edit});

    expect_role_refused("records_clerk");
    auto listed = db_.database().run([&](soci::session& session) { return roles_.list(session); });
    EXPECT_FALSE(listed.ok());
    EXPECT_EQ(failed_rows("roles"), std::vector<std::string>{"records_clerk"});

    db_.tamper({undo});
    ASSERT_TRUE(read_role("records_clerk").ok());
  }
}

TEST_F(TaggedCredentialsTest, GrantsAndRevocationsRetagTheRole) {
  const Status changed =
      db_.database().run_write_transaction([&](soci::session& session) -> Status {
        TH_RETURN_IF_ERROR(roles_.grant(session, "records_clerk", "message.send"));
        return roles_.revoke(session, "records_clerk", "patient.read");
      });

  ASSERT_TRUE(changed.ok()) << changed.error().message();
  auto role = read_role("records_clerk");
  ASSERT_TRUE(role.ok()) << role.error().message();
  EXPECT_EQ((*role)->permissions, (std::set<std::string, std::less<>>{"message.send"}));
  EXPECT_EQ((*role)->version, 3);
  EXPECT_TRUE(scan().ok());
}

TEST_F(TaggedCredentialsTest, BuiltInRolesAreRewrittenFromTheDefinitionsAtStart) {
  db_.tamper({"INSERT INTO role_permissions (role, permission) VALUES ('nurse', 'user.manage')"});
  expect_role_refused("nurse");

  ASSERT_TRUE(db_.database()
                  .run_write_transaction([&](soci::session& session) {
                    roles_.install_builtin_roles(session, kCreatedAt);
                  })
                  .ok());

  auto nurse = read_role("nurse");
  ASSERT_TRUE(nurse.ok()) << nurse.error().message();
  EXPECT_FALSE((*nurse)->permissions.contains("user.manage"));
  EXPECT_TRUE(scan().ok());
}

TEST_F(TaggedCredentialsTest, BackfillTagsSessionsAndCustomRolesFromBeforeTagsOnce) {
  // As a database migrated to schema 14 holds them, before any daemon ran
  // on it: nothing tagged, the marker pending.
  db_.tamper({"UPDATE sessions SET integrity_tag = ''", "UPDATE roles SET integrity_tag = ''",
              "UPDATE integrity_backfills SET done_at = 1"});
  db_.tamper({"UPDATE integrity_backfills SET done_at = 0 WHERE name = 'sessions and roles'"});

  auto first = backfill_integrity_tags(db_.database(), db_.protection(), kCreatedAt);
  auto second = backfill_integrity_tags(db_.database(), db_.protection(), kCreatedAt);

  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(first->ran);
  EXPECT_FALSE(first->refused);
  EXPECT_EQ(first->sessions_tagged, 1u);
  EXPECT_GE(first->roles_tagged, 8u);  // the custom role and the built-in ones
  ASSERT_TRUE(read_session().ok());
  ASSERT_TRUE(read_role("records_clerk").ok());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->ran);
  EXPECT_TRUE(scan().ok());
}

TEST_F(TaggedCredentialsTest, CredentialsBackfillMarkedPendingAgainTagsNothing) {
  db_.tamper({"UPDATE integrity_backfills SET done_at = 1"});
  db_.tamper({"UPDATE sessions SET role = 'admin', integrity_tag = ''" + where_session(),
              "UPDATE integrity_backfills SET done_at = 0 WHERE name = 'sessions and roles'"});

  auto again = backfill_integrity_tags(db_.database(), db_.protection(), kCreatedAt);

  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE(again->ran);
  EXPECT_TRUE(again->refused);
  EXPECT_EQ(again->sessions_tagged, 0u);
  expect_session_refused();
}

}  // namespace
}  // namespace th::access
