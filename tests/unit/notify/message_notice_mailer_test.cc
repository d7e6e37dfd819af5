// The email notice of an unread secure message: due after the delay, to the
// member's address, saying nothing of the message; one per unread stretch;
// cancelled by reading in time; none without an address, for a disabled
// account, or when turned off.

#include "notify/message_notice_mailer.h"

#include <gtest/gtest.h>

#include "../support/test_people.h"
#include "notify_test_database.h"

namespace th::notify {
namespace {

constexpr std::int64_t kDelaySeconds = 600;

TextTemplate parsed(std::string_view text) {
  auto result = TextTemplate::parse(text, kMessageNoticePlaceholders);
  EXPECT_TRUE(result.ok());
  return result.ok() ? *result : TextTemplate();
}

MessageNoticeSettings settings(std::int64_t delay_seconds = kDelaySeconds) {
  MessageNoticeSettings settings;
  settings.email_enabled = true;
  settings.delay_seconds = delay_seconds;
  settings.subject = parsed("A message from {clinic}");
  settings.body = parsed("Sign in: {link}\n{clinic}\n");
  settings.clinic_name = "Bay Clinic";
  settings.link = "https://clinic.example/";
  return settings;
}

class MessageNoticeMailerTest : public ::testing::Test {
 protected:
  MessageNoticeMailerTest()
      : clock_(kTestStart),
        db_(clock_),
        users_(db_.protection()),
        outbox_(db_.protection(), clock_) {
    db_.add_clinician_role();
    recipient_ = test_support::insert_user(db_.database(), users_, "clinician", "", kTestStart);
  }

  Status queue(MessageNoticeMailer& mailer, std::int64_t seq, std::int64_t read_seq,
               const std::string& recipient = "") {
    messaging::UnreadMessage unread{"conv-1", recipient.empty() ? recipient_ : recipient, seq,
                                    read_seq, kTestStart + seq * 1'000'000};
    return db_.database().run_write_transaction(
        [&](soci::session& session) { return mailer.queue(session, unread); });
  }

  Status read_up_to(MessageNoticeMailer& mailer, std::int64_t seq) {
    return db_.database().run_write_transaction([&](soci::session& session) {
      return mailer.withdraw(session, "conv-1", recipient_, seq);
    });
  }

  long long notices(const std::string& status) {
    return db_.count("outbox_messages WHERE kind = 'message_notice' AND status = '" + status + "'");
  }

  std::vector<ClaimedMessage> claim_due() {
    ClaimOptions options;
    options.node = "node-a";
    auto claimed = outbox_.claim(db_.database(), options);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? *claimed : std::vector<ClaimedMessage>{};
  }

  ManualClock clock_;
  NotifyTestDatabase db_;
  access::UserStore users_;
  Outbox outbox_;
  std::string recipient_;
};

TEST_F(MessageNoticeMailerTest, NoticeIsDueAfterTheDelayAndCarriesNothingOfTheMessage) {
  MessageNoticeMailer mailer(outbox_, users_, settings());

  ASSERT_TRUE(queue(mailer, 1, 0).ok());

  EXPECT_TRUE(claim_due().empty());  // not before the delay
  clock_.advance_seconds(kDelaySeconds + 1);
  const auto claimed = claim_due();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].entry.kind, "message_notice");
  EXPECT_EQ(claimed[0].entry.reference, MessageNoticeMailer::reference_of("conv-1", recipient_));
  EXPECT_EQ(claimed[0].recipient, "user-" + recipient_.substr(0, 8) + "@example.org");
  EXPECT_EQ(claimed[0].subject, "A message from Bay Clinic");
  EXPECT_EQ(claimed[0].body, "Sign in: https://clinic.example/\nBay Clinic\n");
  EXPECT_TRUE(claimed[0].entry.patient_id.empty());
}

TEST_F(MessageNoticeMailerTest, FurtherMessagesOfAnUnreadStretchQueueNoOtherNotice) {
  MessageNoticeMailer mailer(outbox_, users_, settings());

  ASSERT_TRUE(queue(mailer, 1, 0).ok());
  ASSERT_TRUE(queue(mailer, 2, 0).ok());
  ASSERT_TRUE(queue(mailer, 3, 0).ok());

  EXPECT_EQ(notices("pending"), 1);
}

TEST_F(MessageNoticeMailerTest, ReadingInTimeCancelsTheNoticeAndALaterMessageIsToldAgain) {
  MessageNoticeMailer mailer(outbox_, users_, settings());
  ASSERT_TRUE(queue(mailer, 1, 0).ok());
  ASSERT_TRUE(queue(mailer, 2, 0).ok());

  ASSERT_TRUE(read_up_to(mailer, 2).ok());
  EXPECT_EQ(notices("pending"), 0);
  EXPECT_EQ(notices("cancelled"), 1);

  ASSERT_TRUE(queue(mailer, 3, 2).ok());
  EXPECT_EQ(notices("pending"), 1);
}

TEST_F(MessageNoticeMailerTest, ReadingOnlyPartOfTheStretchKeepsTheNotice) {
  MessageNoticeMailer mailer(outbox_, users_, settings());
  ASSERT_TRUE(queue(mailer, 4, 3).ok());

  ASSERT_TRUE(read_up_to(mailer, 3).ok());

  EXPECT_EQ(notices("pending"), 1);
}

TEST_F(MessageNoticeMailerTest, SentNoticeCoversTheStretchUntilTheMemberReads) {
  MessageNoticeMailer mailer(outbox_, users_, settings());
  ASSERT_TRUE(queue(mailer, 1, 0).ok());
  clock_.advance_seconds(kDelaySeconds + 1);
  const auto claimed = claim_due();
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(outbox_.mark_sent(db_.database(), claimed[0]).ok());

  ASSERT_TRUE(queue(mailer, 2, 0).ok());
  EXPECT_EQ(notices("pending"), 0);

  ASSERT_TRUE(queue(mailer, 3, 2).ok());  // read up to 2 since
  EXPECT_EQ(notices("pending"), 1);
}

TEST_F(MessageNoticeMailerTest, NoNoticeWhenTurnedOffWithoutEmailOrForADisabledAccount) {
  MessageNoticeMailer off(outbox_, users_, settings(0));
  ASSERT_TRUE(queue(off, 1, 0).ok());
  MessageNoticeSettings no_smtp = settings();
  no_smtp.email_enabled = false;
  MessageNoticeMailer without_smtp(outbox_, users_, std::move(no_smtp));
  ASSERT_TRUE(queue(without_smtp, 1, 0).ok());

  MessageNoticeMailer mailer(outbox_, users_, settings());
  const std::string disabled =
      test_support::insert_user(db_.database(), users_, "clinician", "", kTestStart);
  ASSERT_TRUE(db_.database()
                  .run_write_transaction([&](soci::session& session) -> Status {
                    auto user = users_.find_by_id(session, disabled);
                    if (!user.ok()) {
                      return user.error();
                    }
                    (*user)->status = access::UserStatus::kDisabled;
                    return users_.update(session, **user, kTestStart);
                  })
                  .ok());
  ASSERT_TRUE(queue(mailer, 1, 0, disabled).ok());
  ASSERT_TRUE(queue(mailer, 1, 0, "no-such-user").ok());

  EXPECT_EQ(db_.count("outbox_messages"), 0);
}

}  // namespace
}  // namespace th::notify
