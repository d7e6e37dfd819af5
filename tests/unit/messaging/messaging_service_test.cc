// Secure messaging against a real SQLite database with sealed, tagged rows:
// who may be in and reach a conversation, sequence numbers under concurrent
// senders, idempotent retries, cursors, read marks, search, the audit
// trail and the live-delivery hook.

#include "messaging/messaging_service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "../storage/protected_test_database.h"
#include "../support/recording_audit.h"
#include "../support/test_people.h"
#include "access/patient_store.h"
#include "access/role_store.h"
#include "messaging/messaging_tables.h"
#include "storage/integrity_scanner.h"
#include "storage/sealed_table_checker.h"

namespace th::messaging {
namespace {

using test_support::RecordingAudit;

class RecordingEvents final : public MessageEvents {
 public:
  void message_posted(const Conversation&, const std::vector<std::string>& members,
                      const Message& message) override {
    std::lock_guard lock(mutex_);
    posted.push_back(message.seq);
    last_members = members;
  }
  void message_read(const Conversation&, const std::vector<std::string>&, const std::string& reader,
                    std::int64_t seq) override {
    std::lock_guard lock(mutex_);
    reads.emplace_back(reader, seq);
  }
  std::mutex mutex_;
  std::vector<std::int64_t> posted;
  std::vector<std::string> last_members;
  std::vector<std::pair<std::string, std::int64_t>> reads;
};

class MessagingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      access::RoleStore(db_.protection()).install_builtin_roles(session, 0);
                    })
                    .ok());
    service_.set_events(&events_);
    patient_id_ = add_patient();
    patient_user_ = add_user("patient", patient_id_);
    clinician_ = add_user("clinician");
    nurse_ = add_user("nurse");
    outsider_ = add_user("clinician");
    add_to_care_team(clinician_);
    add_to_care_team(nurse_);
  }

  std::string add_patient() {
    return test_support::insert_patient(db_.database(), patients_, "OR", 0);
  }

  std::string add_user(const std::string& role, const std::string& patient_id = "") {
    return test_support::insert_user(db_.database(), users_, role, patient_id, 0);
  }

  void add_to_care_team(const std::string& user_id) {
    EXPECT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      care_teams_.add(session, {patient_id_, user_id, "test", 0});
                    })
                    .ok());
  }

  static access::Caller caller_as(const std::string& role, const std::string& user_id,
                                  const std::string& patient_id = "") {
    return test_support::caller_as(role, user_id, patient_id);
  }

  access::Caller patient() const { return caller_as("patient", patient_user_, patient_id_); }
  access::Caller clinician() const { return caller_as("clinician", clinician_); }
  access::Caller nurse() const { return caller_as("nurse", nurse_); }
  access::Caller outsider() const { return caller_as("clinician", outsider_); }

  std::string care_conversation() {
    ConversationDraft draft;
    draft.kind = ConversationKind::kCare;
    draft.patient_id = patient_id_;
    draft.member_ids = {clinician_, nurse_};
    draft.subject = "follow-up questions";
    auto created = service_.create(draft, patient());
    EXPECT_TRUE(created.ok()) << created.error().message();
    return created.ok() ? created->conversation.id : "";
  }

  storage::ProtectedTestDatabase db_;
  RecordingAudit audit_;
  RecordingEvents events_;
  access::UserStore users_{db_.protection()};
  access::PatientStore patients_{db_.protection()};
  access::CareTeamStore care_teams_;
  ConversationStore conversations_{db_.protection()};
  MessageStore messages_{db_.protection()};
  ManualClock clock_{1'767'225'600'000'000};
  MessagingService service_{MessagingDeps{db_.database(), conversations_, messages_, users_,
                                          care_teams_, audit_, clock_}};
  std::string patient_id_, patient_user_, clinician_, nurse_, outsider_;
};

TEST_F(MessagingServiceTest, PatientOpensAConversationWithTheirCareTeam) {
  ConversationDraft draft;
  draft.patient_id = patient_id_;
  draft.member_ids = {clinician_};
  draft.subject = "refill";

  auto created = service_.create(draft, patient());

  ASSERT_TRUE(created.ok()) << created.error().message();
  EXPECT_EQ(created->members.size(), 2U);
  EXPECT_EQ(created->conversation.patient_id, patient_id_);
  EXPECT_EQ(audit_.events().back().action, "create");
  EXPECT_EQ(audit_.events().back().patient_id, patient_id_);
}

TEST_F(MessagingServiceTest, RefusesMembersOutsideTheCareTeam) {
  ConversationDraft draft;
  draft.patient_id = patient_id_;
  draft.member_ids = {outsider_};

  auto created = service_.create(draft, patient());

  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MessagingServiceTest, StaffConversationsRefusePatients) {
  ConversationDraft draft;
  draft.kind = ConversationKind::kStaff;
  draft.member_ids = {patient_user_};

  auto created = service_.create(draft, clinician());

  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(MessagingServiceTest, SequenceNumbersFollowEachOtherAndBodiesAreSealed) {
  const std::string id = care_conversation();

  auto first = service_.send(id, "is the new dose right?", "", patient());
  auto second = service_.send(id, "yes, take it with food", "", clinician());

  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->message.seq, 1);
  EXPECT_EQ(second->message.seq, 2);
  std::string stored;
  ASSERT_TRUE(db_.database()
                  .run([&](soci::session& session) {
                    session << "SELECT body_enc FROM messages WHERE seq = 1", soci::into(stored);
                  })
                  .ok());
  EXPECT_EQ(stored.find("dose"), std::string::npos);
  EXPECT_EQ(events_.posted, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(events_.last_members.size(), 3U);
}

TEST_F(MessagingServiceTest, ConcurrentSendersGetDistinctConsecutiveNumbers) {
  const std::string id = care_conversation();
  std::vector<std::thread> senders;
  std::mutex mutex;
  std::set<std::int64_t> seqs;

  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto sent = service_.send(id, "message " + std::to_string(t * 10 + i), "",
                                  t % 2 == 0 ? clinician() : nurse());
        ASSERT_TRUE(sent.ok()) << sent.error().message();
        std::lock_guard lock(mutex);
        seqs.insert(sent->message.seq);
      }
    });
  }
  for (std::thread& sender : senders) {
    sender.join();
  }

  EXPECT_EQ(seqs.size(), 40U);
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), 40);
}

TEST_F(MessagingServiceTest, RetriedSendWithTheSameClientRefPostsOnce) {
  const std::string id = care_conversation();

  auto first = service_.send(id, "hello", "device-1:42", patient());
  auto retried = service_.send(id, "hello", "device-1:42", patient());

  ASSERT_TRUE(first.ok() && retried.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(retried->duplicate);
  EXPECT_EQ(retried->message.id, first->message.id);
  EXPECT_EQ(events_.posted.size(), 1U);
}

TEST_F(MessagingServiceTest, HistoryReadsAfterACursorInOrder) {
  const std::string id = care_conversation();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(service_.send(id, "m" + std::to_string(i), "", clinician()).ok());
  }
  MessageRange after_two;
  after_two.after = 2;
  MessageRange newest_two;
  newest_two.before = 6;
  newest_two.limit = 2;

  auto later = service_.history(id, after_two, patient());
  auto newest = service_.history(id, newest_two, patient());

  ASSERT_TRUE(later.ok() && newest.ok());
  ASSERT_EQ(later->size(), 3U);
  EXPECT_EQ((*later)[0].seq, 3);
  EXPECT_EQ((*later)[2].body, "m5");
  ASSERT_EQ(newest->size(), 2U);
  EXPECT_EQ((*newest)[0].seq, 4);
  EXPECT_EQ((*newest)[1].seq, 5);
  EXPECT_EQ(audit_.events().back().action, "read");
  EXPECT_EQ(audit_.events().back().patient_id, patient_id_);
}

TEST_F(MessagingServiceTest, NonMemberGetsNotFoundAndAnAuditedDenial) {
  const std::string id = care_conversation();

  auto read = service_.history(id, MessageRange{}, outsider());
  auto sent = service_.send(id, "hi", "", outsider());

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kNotFound);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(audit_.events().back().outcome, audit::AuditOutcome::kDenied);
  EXPECT_EQ(audit_.events().back().resource_id, id);
}

TEST_F(MessagingServiceTest, LeavingTheCareTeamEndsAccess) {
  const std::string id = care_conversation();
  ASSERT_TRUE(db_.database()
                  .run_write_transaction([&](soci::session& session) {
                    care_teams_.remove(session, patient_id_, nurse_);
                  })
                  .ok());

  auto read = service_.history(id, MessageRange{}, nurse());
  auto listed = service_.list_own(nurse());

  EXPECT_EQ(read.error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(MessagingServiceTest, ReadMarksMoveForwardOnlyAndAnnounceReceipts) {
  const std::string id = care_conversation();
  ASSERT_TRUE(service_.send(id, "one", "", clinician()).ok());
  ASSERT_TRUE(service_.send(id, "two", "", clinician()).ok());

  auto forward = service_.mark_read(id, 2, patient());
  auto back = service_.mark_read(id, 1, patient());
  auto beyond = service_.mark_read(id, 9, patient());

  ASSERT_TRUE(forward.ok() && back.ok() && beyond.ok());
  EXPECT_TRUE(*forward);
  EXPECT_FALSE(*back);
  EXPECT_FALSE(*beyond);
  ASSERT_EQ(events_.reads.size(), 1U);
  EXPECT_EQ(events_.reads[0], std::make_pair(patient_user_, std::int64_t{2}));
}

TEST_F(MessagingServiceTest, SearchFindsOnlyOwnConversations) {
  const std::string id = care_conversation();
  ASSERT_TRUE(service_.send(id, "Blood pressure readings attached", "", patient()).ok());
  ASSERT_TRUE(service_.send(id, "thanks", "", clinician()).ok());

  auto mine = service_.search("blood PRESSURE", 10, clinician());
  auto theirs = service_.search("blood", 10, outsider());

  ASSERT_TRUE(mine.ok() && theirs.ok());
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ((*mine)[0].seq, 1);
  EXPECT_TRUE(theirs->empty());
  EXPECT_EQ(audit_.events().back().action, "search");
}

TEST_F(MessagingServiceTest, IntegrityCheckCoversConversationsAndMessages) {
  const std::string id = care_conversation();
  ASSERT_TRUE(service_.send(id, "hello", "", patient()).ok());
  storage::IntegrityScanner scanner(db_.database());
  register_messaging_tables(scanner, db_.protection());
  db_.tamper({"UPDATE messages SET sender_id = 'someone-else'"});

  auto read = service_.history(id, MessageRange{}, patient());

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(scanner.tables().size(), 2U);
}

TEST_F(MessagingServiceTest, MessageMovedInItsConversationOrInTimeFailsItsCheck) {
  const std::string id = care_conversation();
  for (const char* body : {"first", "second", "third"}) {
    ASSERT_TRUE(service_.send(id, body, "", patient()).ok());
  }
  db_.tamper({"UPDATE messages SET seq = 9 WHERE seq = 2",
              "UPDATE messages SET sent_at = sent_at - 3600000000 WHERE seq = 3"});
  const storage::SealedTableChecker checker(MessageStore::layout(), db_.protection());

  auto read = service_.history(id, MessageRange{}, patient());
  auto checked = db_.database().run(
      [&](soci::session& session) { return checker.check_page(session, "", 100); });

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  ASSERT_TRUE(checked.ok()) << checked.error().message();
  EXPECT_EQ(checked->rows, 3U);
  EXPECT_EQ(checked->failures.size(), 2U);
}

// Rows of version 1 were tagged before the tag covered the sequence number
// and the time; they still read and check as they were written.
TEST_F(MessagingServiceTest, MessagesTaggedBeforeTheirPlaceWasCoveredStillRead) {
  const std::string id = care_conversation();
  auto posted = service_.send(id, "written by an older daemon", "", patient());
  ASSERT_TRUE(posted.ok());
  const Message& message = posted->message;
  auto body_enc = db_.database().run([&](soci::session& session) {
    std::string stored;
    session << "SELECT body_enc FROM messages WHERE id = :id", soci::use(message.id),
        soci::into(stored);
    return stored;
  });
  ASSERT_TRUE(body_enc.ok());
  const std::string old_tag =
      db_.protection().integrity_tag("messages", message.id, 1,
                                     {{"body", *body_enc},
                                      {"conversation_id", message.conversation_id},
                                      {"sender_id", message.sender_id},
                                      {"client_ref", message.client_ref}});
  db_.tamper({"UPDATE messages SET version = 1, integrity_tag = '" + old_tag + "'"});
  const storage::SealedTableChecker checker(MessageStore::layout(), db_.protection());

  auto read = service_.history(id, MessageRange{}, patient());
  auto checked = db_.database().run(
      [&](soci::session& session) { return checker.check_page(session, "", 100); });

  ASSERT_TRUE(read.ok()) << read.error().message();
  ASSERT_EQ(read->size(), 1U);
  EXPECT_EQ((*read)[0].body, "written by an older daemon");
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->failures.empty());
}

TEST_F(MessagingServiceTest, RefusesBodiesThatAreEmptyOrTooLong) {
  const std::string id = care_conversation();

  EXPECT_EQ(service_.send(id, "", "", patient()).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_.send(id, std::string(kMaxBodyBytes + 1, 'x'), "", patient()).error().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::messaging
