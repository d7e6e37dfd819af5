#include "notify/outbox_dispatcher.h"

#include <gtest/gtest.h>

#include <deque>

#include "notify_test_database.h"

namespace th::notify {
namespace {

// Answers each send with the next scripted result (then "sent"), and keeps
// what it was given.
class ScriptedSender final : public MessageSender {
 public:
  explicit ScriptedSender(std::deque<SendResult> script = {}) : script_(std::move(script)) {}
  SendResult send(const ClaimedMessage& message) override {
    received.push_back(message);
    if (script_.empty()) {
      return SendResult::sent();
    }
    SendResult next = script_.front();
    script_.pop_front();
    return next;
  }
  std::vector<ClaimedMessage> received;

 private:
  std::deque<SendResult> script_;
};

class OutboxDispatcherTest : public ::testing::Test {
 protected:
  OutboxDispatcherTest() : clock_(kTestStart), db_(clock_), outbox_(db_.protection(), clock_) {
    options_.claim.node = "node-a";
    options_.claim.lease_seconds = 60;
    options_.claim.max_attempts = 3;
    options_.retry = RetryPolicy{3, 60, 3600};
    dispatcher_ = std::make_unique<OutboxDispatcher>(db_.database(), outbox_, clock_, options_);
  }

  void enqueue(Channel channel, const std::string& key) {
    NewMessage message;
    message.dedupe_key = key;
    message.channel = channel;
    message.kind = "booked";
    message.recipient = channel == Channel::kEmail ? "pat@example.org" : "+14155550123";
    message.body = "hello";
    message.due_at = kTestStart;
    auto added = db_.database().run_write_transaction(
        [&](soci::session& session) { return outbox_.enqueue(session, message); });
    ASSERT_TRUE(added.ok() && *added);
  }

  std::string status_of(const std::string& key) {
    return db_.text("SELECT status FROM outbox_messages WHERE dedupe_key = '" + key + "'");
  }

  ScriptedSender* use_email(std::deque<SendResult> script = {}) {
    auto sender = std::make_unique<ScriptedSender>(std::move(script));
    ScriptedSender* raw = sender.get();
    dispatcher_->set_sender(Channel::kEmail, std::move(sender));
    return raw;
  }

  std::size_t round() {
    auto claimed = dispatcher_->run_once();
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? *claimed : 0;
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  Outbox outbox_;
  DispatcherOptions options_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
};

TEST_F(OutboxDispatcherTest, SentMessageIsMarkedSentAndNotSentAgain) {
  ScriptedSender* email = use_email();
  enqueue(Channel::kEmail, "k1");

  const std::size_t first = round();
  const std::size_t second = round();

  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 0u);
  ASSERT_EQ(email->received.size(), 1u);
  EXPECT_EQ(email->received[0].recipient, "pat@example.org");
  EXPECT_EQ(status_of("k1"), "sent");
  EXPECT_EQ(dispatcher_->stats().sent, 1u);
}

TEST_F(OutboxDispatcherTest, TransientFailureIsRetriedAfterTheBackoff) {
  ScriptedSender* email = use_email({SendResult::retry("server busy")});
  enqueue(Channel::kEmail, "k1");

  round();
  clock_.advance_seconds(59);
  round();
  clock_.advance_seconds(1);
  round();

  EXPECT_EQ(email->received.size(), 2u);
  EXPECT_EQ(status_of("k1"), "sent");
  EXPECT_EQ(dispatcher_->stats().retried, 1u);
}

TEST_F(OutboxDispatcherTest, FailsAfterTheLastAttemptWithTheReason) {
  ScriptedSender* email = use_email({SendResult::retry("down"), SendResult::retry("down"),
                                     SendResult::retry("down"), SendResult::retry("down")});
  enqueue(Channel::kEmail, "k1");

  for (int i = 0; i < 6; ++i) {
    round();
    clock_.advance_seconds(3600);
  }

  EXPECT_EQ(email->received.size(), 3u);
  EXPECT_EQ(status_of("k1"), "failed");
  EXPECT_EQ(db_.text("SELECT last_error FROM outbox_messages"), "down (gave up after 3 attempts)");
  EXPECT_EQ(db_.text("SELECT attempts FROM outbox_messages"), "3");
}

TEST_F(OutboxDispatcherTest, RejectedMessageFailsAtOnce) {
  use_email({SendResult::rejected("the SMTP server refused with code 550")});
  enqueue(Channel::kEmail, "k1");

  round();

  EXPECT_EQ(status_of("k1"), "failed");
  EXPECT_EQ(dispatcher_->stats().failed, 1u);
}

TEST_F(OutboxDispatcherTest, MessageForAChannelWithoutSenderFails) {
  use_email();
  enqueue(Channel::kSms, "k1");

  round();

  EXPECT_EQ(status_of("k1"), "failed");
  EXPECT_EQ(db_.text("SELECT last_error FROM outbox_messages"), "no sender is configured for sms");
}

TEST_F(OutboxDispatcherTest, StartedDispatcherSendsWhenWoken) {
  std::mutex mutex;
  std::condition_variable seen;
  int events = 0;
  options_.poll_interval = std::chrono::milliseconds(60000);
  dispatcher_ = std::make_unique<OutboxDispatcher>(db_.database(), outbox_, clock_, options_);
  ScriptedSender* email = use_email();
  dispatcher_->start(
      [&](const DispatchEvent&) {
        std::lock_guard lock(mutex);
        ++events;
        seen.notify_all();
      },
      nullptr);

  enqueue(Channel::kEmail, "k1");
  dispatcher_->wake();
  std::unique_lock lock(mutex);
  const bool delivered = seen.wait_for(lock, std::chrono::seconds(20), [&] { return events > 0; });
  lock.unlock();
  dispatcher_->stop();

  EXPECT_TRUE(delivered);
  EXPECT_EQ(email->received.size(), 1u);
  EXPECT_EQ(status_of("k1"), "sent");
}

}  // namespace
}  // namespace th::notify
