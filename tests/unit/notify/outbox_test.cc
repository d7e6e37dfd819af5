#include "notify/outbox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "notify_test_database.h"
#include "storage/sealed_table_checker.h"

namespace th::notify {
namespace {

NewMessage message(std::string key, UnixMicros due = kTestStart) {
  NewMessage message;
  message.dedupe_key = std::move(key);
  message.channel = Channel::kEmail;
  message.kind = "reminder";
  message.reference = "appointment:a1";
  message.revision = 1;
  message.patient_id = "pat-1";
  message.recipient = "pat@example.org";
  message.subject = "Visit with Dr. Okonkwo";
  message.body = "Your visit with Dr. Okonkwo";
  message.attachment = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
  message.due_at = due;
  return message;
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() : clock_(kTestStart), db_(clock_, 6), outbox_(db_.protection(), clock_) {}

  bool enqueue(const NewMessage& queued) {
    auto added = db_.database().run_write_transaction(
        [&](soci::session& session) { return outbox_.enqueue(session, queued); });
    EXPECT_TRUE(added.ok()) << added.error().message();
    return added.ok() && *added;
  }

  std::vector<ClaimedMessage> claim(std::string node = "node-a", std::size_t limit = 20) {
    ClaimOptions options;
    options.node = std::move(node);
    options.limit = limit;
    options.lease_seconds = 60;
    options.max_attempts = 3;
    auto claimed = outbox_.claim(db_.database(), options);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? std::move(*claimed) : std::vector<ClaimedMessage>{};
  }

  OutboxEntry entry(const std::string& id) {
    auto found =
        db_.database().run([&](soci::session& session) { return outbox_.find(session, id); });
    EXPECT_TRUE(found.ok() && found->has_value());
    return found.ok() && found->has_value() ? **found : OutboxEntry{};
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  Outbox outbox_;
};

TEST_F(OutboxTest, SameDedupeKeyIsQueuedOnce) {
  const bool first = enqueue(message("k1"));
  const bool second = enqueue(message("k1"));

  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_EQ(db_.count("outbox_messages"), 1);
}

TEST_F(OutboxTest, PersonalFieldsAreSealedAtRest) {
  ASSERT_TRUE(enqueue(message("k1")));

  const std::string stored = db_.text(
      "SELECT recipient_enc || subject_enc || body_enc || attachment_enc FROM outbox_messages");

  EXPECT_FALSE(stored.empty());
  EXPECT_EQ(stored.find("pat@example.org"), std::string::npos);
  EXPECT_EQ(stored.find("Okonkwo"), std::string::npos);
  EXPECT_EQ(stored.find("VCALENDAR"), std::string::npos);
}

TEST_F(OutboxTest, EnqueueRollsBackWithTheCallersTransaction) {
  const Status rolled_back = db_.database().run_write_transaction([&](soci::session& session) {
    (void)outbox_.enqueue(session, message("k1"));
    return Status(Error(ErrorCode::kConflict, "the booking lost its slot"));
  });

  EXPECT_FALSE(rolled_back.ok());
  EXPECT_EQ(db_.count("outbox_messages"), 0);
}

TEST_F(OutboxTest, ClaimReturnsDueMessagesOpenedAndLeased) {
  ASSERT_TRUE(enqueue(message("due")));
  ASSERT_TRUE(enqueue(message("later", kTestStart + kMicrosPerHour)));

  const auto claimed = claim();

  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].entry.dedupe_key, "due");
  EXPECT_EQ(claimed[0].recipient, "pat@example.org");
  EXPECT_EQ(claimed[0].body, "Your visit with Dr. Okonkwo");
  EXPECT_EQ(claimed[0].entry.attempts, 1);
  const OutboxEntry stored = entry(claimed[0].entry.id);
  EXPECT_EQ(stored.status, OutboxStatus::kSending);
  EXPECT_EQ(stored.claimed_by, "node-a");
  EXPECT_EQ(stored.lease_expires_at, kTestStart + 60 * 1'000'000LL);
}

TEST_F(OutboxTest, AClaimedMessageIsNotClaimedAgainWhileLeased) {
  ASSERT_TRUE(enqueue(message("k1")));
  ASSERT_EQ(claim("node-a").size(), 1u);
  clock_.advance_seconds(59);

  const auto second = claim("node-b");

  EXPECT_TRUE(second.empty());
}

TEST_F(OutboxTest, AnExpiredLeaseMakesTheMessageClaimableAgain) {
  ASSERT_TRUE(enqueue(message("k1")));
  const auto first = claim("node-a");
  ASSERT_EQ(first.size(), 1u);
  clock_.advance_seconds(61);

  const auto second = claim("node-b");

  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].entry.attempts, 2);
  EXPECT_EQ(entry(second[0].entry.id).claimed_by, "node-b");
}

TEST_F(OutboxTest, AStaleClaimCannotRecordItsOutcome) {
  ASSERT_TRUE(enqueue(message("k1")));
  const auto stale = claim("node-a");
  clock_.advance_seconds(61);
  const auto fresh = claim("node-b");
  ASSERT_EQ(fresh.size(), 1u);

  auto recorded = outbox_.mark_sent(db_.database(), stale[0]);

  ASSERT_TRUE(recorded.ok());
  EXPECT_FALSE(*recorded);
  EXPECT_EQ(entry(fresh[0].entry.id).status, OutboxStatus::kSending);
}

TEST_F(OutboxTest, SentMessagesKeepNothingPersonal) {
  ASSERT_TRUE(enqueue(message("k1")));
  const auto claimed = claim();
  ASSERT_EQ(claimed.size(), 1u);
  clock_.advance_seconds(2);

  auto recorded = outbox_.mark_sent(db_.database(), claimed[0]);

  ASSERT_TRUE(recorded.ok() && *recorded);
  const OutboxEntry stored = entry(claimed[0].entry.id);
  EXPECT_EQ(stored.status, OutboxStatus::kSent);
  EXPECT_EQ(stored.sent_at, kTestStart + 2'000'000);
  EXPECT_EQ(db_.text("SELECT recipient_enc || subject_enc || body_enc || attachment_enc "
                     "FROM outbox_messages"),
            "");
  EXPECT_TRUE(claim().empty());
}

TEST_F(OutboxTest, RetryWaitsUntilTheNextAttemptTime) {
  ASSERT_TRUE(enqueue(message("k1")));
  auto claimed = claim();
  ASSERT_TRUE(
      outbox_.mark_retry(db_.database(), claimed[0], kTestStart + 120 * 1'000'000LL, "busy").ok());

  clock_.advance_seconds(119);
  const auto early = claim();
  clock_.advance_seconds(1);
  const auto due = claim();

  EXPECT_TRUE(early.empty());
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].entry.last_error, "busy");
  EXPECT_EQ(due[0].entry.attempts, 2);
  EXPECT_EQ(due[0].body, "Your visit with Dr. Okonkwo");
}

TEST_F(OutboxTest, LapsedLeaseAtTheLastAttemptFailsTheMessage) {
  ASSERT_TRUE(enqueue(message("k1")));
  std::string id;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto claimed = claim();
    ASSERT_EQ(claimed.size(), 1u) << attempt;
    id = claimed[0].entry.id;
    clock_.advance_seconds(61);
  }

  const auto after = claim();

  EXPECT_TRUE(after.empty());
  EXPECT_EQ(entry(id).status, OutboxStatus::kFailed);
  EXPECT_EQ(entry(id).last_error, "the sender stopped during the last allowed attempt");
}

TEST_F(OutboxTest, MessagePastItsDeadlineFailsInsteadOfGoingOut) {
  NewMessage late = message("k1");
  late.expires_at = kTestStart + 10'000'000;
  ASSERT_TRUE(enqueue(late));
  clock_.advance_seconds(11);

  const auto claimed = claim();

  EXPECT_TRUE(claimed.empty());
  EXPECT_EQ(db_.text("SELECT status FROM outbox_messages"), "failed");
  EXPECT_EQ(db_.text("SELECT last_error FROM outbox_messages"), "not sent before its deadline");
}

TEST_F(OutboxTest, SupersedeCancelsPendingMessagesOfEarlierRevisionsOnly) {
  NewMessage old_reminder = message("old");
  old_reminder.due_at = kTestStart + kMicrosPerHour;
  NewMessage in_flight = message("in-flight");
  NewMessage current = message("current", kTestStart + kMicrosPerHour);
  current.revision = 2;
  ASSERT_TRUE(enqueue(old_reminder));
  ASSERT_TRUE(enqueue(in_flight));
  ASSERT_TRUE(enqueue(current));
  ASSERT_EQ(claim().size(), 1u);  // in-flight is being sent

  auto cancelled = db_.database().run_write_transaction(
      [&](soci::session& session) { return outbox_.supersede(session, "appointment:a1", 2); });

  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(*cancelled, 1);
  EXPECT_EQ(db_.text("SELECT status FROM outbox_messages WHERE dedupe_key = 'old'"), "cancelled");
  EXPECT_EQ(db_.text("SELECT body_enc FROM outbox_messages WHERE dedupe_key = 'old'"), "");
  EXPECT_EQ(db_.text("SELECT status FROM outbox_messages WHERE dedupe_key = 'in-flight'"),
            "sending");
  EXPECT_EQ(db_.text("SELECT status FROM outbox_messages WHERE dedupe_key = 'current'"), "pending");
}

TEST_F(OutboxTest, OnlyAFailedMessageCanBeRetried) {
  ASSERT_TRUE(enqueue(message("k1")));
  auto claimed = claim();
  const std::string id = claimed[0].entry.id;
  ASSERT_TRUE(outbox_.mark_failed(db_.database(), claimed[0], "refused").ok());

  const Status retried =
      db_.database().run_write_transaction([&](soci::session& s) { return outbox_.retry(s, id); });
  const Status again =
      db_.database().run_write_transaction([&](soci::session& s) { return outbox_.retry(s, id); });
  const Status unknown = db_.database().run_write_transaction(
      [&](soci::session& s) { return outbox_.retry(s, "no-such-id"); });

  EXPECT_TRUE(retried.ok());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  const auto reclaimed = claim();
  ASSERT_EQ(reclaimed.size(), 1u);
  EXPECT_EQ(reclaimed[0].entry.attempts, 1);
}

TEST_F(OutboxTest, ReleaseGivesAMessageBackWithoutCountingTheAttempt) {
  ASSERT_TRUE(enqueue(message("k1")));
  auto claimed = claim();

  auto released = outbox_.release(db_.database(), claimed[0]);

  ASSERT_TRUE(released.ok() && *released);
  const auto again = claim("node-b");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].entry.attempts, 1);
}

TEST_F(OutboxTest, RenewKeepsTheLeaseAlive) {
  ASSERT_TRUE(enqueue(message("k1")));
  auto claimed = claim("node-a");
  clock_.advance_seconds(50);

  auto renewed = outbox_.renew(db_.database(), claimed[0].claim_token, 60);
  clock_.advance_seconds(50);

  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(*renewed, 1);
  EXPECT_TRUE(claim("node-b").empty());
}

TEST_F(OutboxTest, ListFiltersByStatusNewestFirst) {
  ASSERT_TRUE(enqueue(message("k1")));
  clock_.advance_seconds(1);
  ASSERT_TRUE(enqueue(message("k2", kTestStart + kMicrosPerHour)));
  auto claimed = claim();
  ASSERT_TRUE(outbox_.mark_failed(db_.database(), claimed[0], "refused").ok());

  auto failed = db_.database().run([&](soci::session& session) {
    return outbox_.list(session, OutboxFilter{OutboxStatus::kFailed, "", 10});
  });
  auto all = db_.database().run(
      [&](soci::session& session) { return outbox_.list(session, OutboxFilter{}); });

  ASSERT_TRUE(failed.ok() && all.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].dedupe_key, "k1");
  EXPECT_EQ((*failed)[0].last_error, "refused");
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].dedupe_key, "k2");
}

TEST_F(OutboxTest, StoredRowsPassTheIntegrityCheckSentOrNot) {
  ASSERT_TRUE(enqueue(message("k1")));
  NewMessage sms = message("k2", kTestStart + kMicrosPerHour);
  sms.subject.clear();
  sms.attachment.clear();
  ASSERT_TRUE(enqueue(sms));
  auto claimed = claim();
  ASSERT_TRUE(outbox_.mark_sent(db_.database(), claimed[0]).ok());
  const storage::SealedTableChecker checker(Outbox::layout(), db_.protection());

  auto page = db_.database().run(
      [&](soci::session& session) { return checker.check_page(session, "", 100); });

  ASSERT_TRUE(page.ok()) << page.error().message();
  EXPECT_EQ(page->rows, 2u);
  EXPECT_TRUE(page->failures.empty());
}

TEST_F(OutboxTest, IntegrityCheckFindsASealedFieldMovedToAnotherRow) {
  ASSERT_TRUE(enqueue(message("k1")));
  ASSERT_TRUE(enqueue(message("k2")));
  db_.exec(
      "UPDATE outbox_messages SET body_enc = (SELECT body_enc FROM outbox_messages "
      "WHERE dedupe_key = 'k1') WHERE dedupe_key = 'k2'");
  const storage::SealedTableChecker checker(Outbox::layout(), db_.protection());

  auto page = db_.database().run(
      [&](soci::session& session) { return checker.check_page(session, "", 100); });

  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->failures.size(), 1u);
  EXPECT_EQ(page->failures[0].row_id,
            db_.text("SELECT id FROM outbox_messages WHERE dedupe_key = 'k2'"));
}

TEST_F(OutboxTest, ConcurrentClaimersNeverShareAMessage) {
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(enqueue(message("k" + std::to_string(i))));
  }
  std::mutex mutex;
  std::multiset<std::string> claimed_ids;

  std::vector<std::thread> claimers;
  for (int worker = 0; worker < 4; ++worker) {
    claimers.emplace_back([&, worker] {
      for (int round = 0; round < 10; ++round) {
        for (const ClaimedMessage& claimed : claim("node-" + std::to_string(worker), 4)) {
          std::lock_guard lock(mutex);
          claimed_ids.insert(claimed.entry.id);
        }
      }
    });
  }
  for (std::thread& claimer : claimers) {
    claimer.join();
  }

  EXPECT_EQ(claimed_ids.size(), 60u);
  EXPECT_EQ(std::set<std::string>(claimed_ids.begin(), claimed_ids.end()).size(), 60u);
}

}  // namespace
}  // namespace th::notify
