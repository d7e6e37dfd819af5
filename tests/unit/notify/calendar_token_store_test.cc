#include "notify/calendar_token_store.h"

#include <gtest/gtest.h>

#include "notify_test_database.h"

namespace th::notify {
namespace {

class CalendarTokenStoreTest : public ::testing::Test {
 protected:
  CalendarTokenStoreTest() : clock_(kTestStart), db_(clock_) { db_.add_practitioner("prac-1"); }

  IssuedFeedToken rotate(const std::string& practitioner = "prac-1") {
    auto issued = db_.database().run_write_transaction([&](soci::session& session) {
      return store_.rotate(session, practitioner, "admin-1", clock_.now_micros());
    });
    EXPECT_TRUE(issued.ok()) << issued.error().message();
    return issued.ok() ? *issued : IssuedFeedToken{};
  }

  std::optional<FeedTokenOwner> find(const std::string& token) {
    auto owner =
        db_.database().run([&](soci::session& session) { return store_.find(session, token); });
    EXPECT_TRUE(owner.ok());
    return owner.ok() ? *owner : std::nullopt;
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  CalendarTokenStore store_;
};

TEST_F(CalendarTokenStoreTest, IssuedTokenFindsItsPractitioner) {
  const IssuedFeedToken issued = rotate();

  const auto owner = find(issued.token);

  EXPECT_EQ(issued.token.size(), 43u);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->practitioner_id, "prac-1");
}

TEST_F(CalendarTokenStoreTest, OnlyTheHashIsStored) {
  const IssuedFeedToken issued = rotate();

  const std::string stored = db_.text("SELECT token_hash FROM calendar_feed_tokens");

  EXPECT_EQ(stored.size(), 64u);
  EXPECT_EQ(stored.find(issued.token), std::string::npos);
}

TEST_F(CalendarTokenStoreTest, RotationEndsThePreviousToken) {
  const IssuedFeedToken first = rotate();

  const IssuedFeedToken second = rotate();

  EXPECT_FALSE(find(first.token).has_value());
  EXPECT_TRUE(find(second.token).has_value());
  EXPECT_EQ(db_.count("calendar_feed_tokens WHERE revoked_at = 0"), 1);
}

TEST_F(CalendarTokenStoreTest, RevokedTokenNoLongerWorks) {
  const IssuedFeedToken issued = rotate();

  auto revoked = db_.database().run_write_transaction(
      [&](soci::session& session) { return store_.revoke(session, "prac-1", kTestStart); });
  auto again = db_.database().run_write_transaction(
      [&](soci::session& session) { return store_.revoke(session, "prac-1", kTestStart); });

  ASSERT_TRUE(revoked.ok() && again.ok());
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(*again);
  EXPECT_FALSE(find(issued.token).has_value());
}

TEST_F(CalendarTokenStoreTest, MalformedAndUnknownTokensFindNobody) {
  rotate();

  EXPECT_FALSE(find("").has_value());
  EXPECT_FALSE(find("short").has_value());
  EXPECT_FALSE(find(std::string(43, 'A')).has_value());
  EXPECT_FALSE(find(std::string(42, 'A') + "'").has_value());
}

TEST_F(CalendarTokenStoreTest, RotatingForSomeoneWhoIsNoPractitionerIsNotFound) {
  auto issued = db_.database().run_write_transaction([&](soci::session& session) {
    return store_.rotate(session, "nobody", "admin-1", kTestStart);
  });

  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.error().code(), ErrorCode::kNotFound);
}

TEST_F(CalendarTokenStoreTest, UseIsRecordedAtMostHourly) {
  const IssuedFeedToken issued = rotate();
  const auto owner = find(issued.token);
  ASSERT_TRUE(owner.has_value());

  ASSERT_TRUE(db_.database()
                  .run([&](soci::session& session) { store_.touch(session, *owner, kTestStart); })
                  .ok());
  const auto touched = find(issued.token);

  EXPECT_EQ(touched->last_used_at, kTestStart);
  EXPECT_TRUE(db_.database()
                  .run([&](soci::session& session) {
                    store_.touch(session, *touched, kTestStart + 60'000'000);
                  })
                  .ok());
  EXPECT_EQ(find(issued.token)->last_used_at, kTestStart);
}

}  // namespace
}  // namespace th::notify
