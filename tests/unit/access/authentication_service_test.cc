// AuthenticationService over tagged accounts, with a manual clock: an
// enrolment code stops working once its expiry passes, and a sign-in to an
// account whose row was edited in the database fails with kDataLoss and is
// audited under the account's id.

#include "access/authentication_service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "../storage/protected_test_database.h"
#include "access/credential_cache.h"
#include "access/role_store.h"
#include "access/security_event_log.h"
#include "access/session_store.h"
#include "access/user_store.h"
#include "crypto/uuid.h"

namespace th::access {
namespace {

constexpr const char* kPassword = "Tidal-Quartz-Meadow-93";

class EventList final : public audit::AuditSink {
 public:
  Status record(audit::AuditEvent event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
    return ok_status();
  }
  std::vector<audit::AuditEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<audit::AuditEvent> events_;
};

class AuthenticationServiceTest : public ::testing::Test {
 protected:
  AuthenticationServiceTest()
      : clock_(db_.clock().now_micros()),
        users_(db_.protection()),
        sessions_(db_.protection()),
        roles_(db_.protection()),
        events_(db_.database().backend()),
        cache_(db_.database(), users_, sessions_, roles_, events_, clock_),
        service_(db_.database(), users_, sessions_, roles_, events_, cache_, audit_, clock_,
                 AuthSettings{}) {}

  void SetUp() override {
    ASSERT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      roles_.install_builtin_roles(session, clock_.now_micros());
                    })
                    .ok());
    auto [code, hash] = AuthenticationService::new_enrolment_code();
    code_ = code;
    user_.id = crypto::new_uuid_v4();
    user_.username = "billing.ortega";
    user_.role = "billing";
    user_.enrolment_code_hash = hash;
    user_.enrolment_expires_at = clock_.now_micros() + 3'600'000'000;
    const Status inserted = db_.database().run_write_transaction(
        [&](soci::session& session) { return users_.insert(session, user_); });
    ASSERT_TRUE(inserted.ok()) << inserted.error().message();
  }

  Status enrol() { return service_.redeem_enrolment(user_.username, code_, kPassword, caller_); }

  storage::ProtectedTestDatabase db_;
  ManualClock clock_;
  UserStore users_;
  SessionStore sessions_;
  RoleStore roles_;
  SecurityEventLog events_;
  CredentialCache cache_;
  EventList audit_;
  AuthenticationService service_;
  Caller caller_{Principal{}, "192.0.2.7", "test", "request-1", "node-1"};
  User user_;
  std::string code_;
};

TEST_F(AuthenticationServiceTest, EnrolmentCodeIsRefusedOnceItsExpiryPasses) {
  clock_.advance_seconds(3601);

  const Status late = enrol();

  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(late.error().message().starts_with("invalid_enrolment"));
}

TEST_F(AuthenticationServiceTest, EnrolmentCodeWorksBeforeItsExpiry) {
  clock_.advance_seconds(3599);

  const Status enrolled = enrol();

  EXPECT_TRUE(enrolled.ok()) << enrolled.error().message();
}

TEST_F(AuthenticationServiceTest, SignInToAnAccountEditedInTheDatabaseFailsAndIsAudited) {
  ASSERT_TRUE(enrol().ok());
  db_.tamper({"UPDATE users SET role = 'admin'"});

  auto signed_in = service_.login({user_.username, kPassword, "", ""}, caller_);

  ASSERT_FALSE(signed_in.ok());
  EXPECT_EQ(signed_in.error().code(), ErrorCode::kDataLoss);
  const std::vector<audit::AuditEvent> events = audit_.events();
  ASSERT_FALSE(events.empty());
  const audit::AuditEvent& last = events.back();
  EXPECT_EQ(last.action, "login");
  EXPECT_EQ(last.resource_id, user_.id);
  EXPECT_EQ(last.outcome, audit::AuditOutcome::kError);
  EXPECT_EQ(last.reason, "the stored account failed its integrity check");
}

}  // namespace
}  // namespace th::access
