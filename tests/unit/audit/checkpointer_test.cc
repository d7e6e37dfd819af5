#include "audit/checkpointer.h"

#include <gtest/gtest.h>

#include "audit/checkpoint.h"
#include "audit/merkle_tree.h"
#include "audit/signed_note.h"
#include "audit/stored_leaf_hash_source.h"
#include "audit_test_database.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

constexpr const char* kOrigin = "clinic.example/audit";

AuditEvent read_event(int number) {
  AuditEvent event;
  event.actor_user_id = "alice";
  event.actor_kind = "user";
  event.action = "read";
  event.resource_type = "patient_record";
  event.resource_id = "r-" + std::to_string(number);
  return event;
}

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::Ed25519Key::from_raw_private(std::string(32, '\x07'));
    ASSERT_TRUE(key.ok());
    public_key_ = key->public_key_raw();
  }

  std::unique_ptr<Checkpointer> make_checkpointer(AuditLog& log, CheckpointerOptions options) {
    auto key = crypto::Ed25519Key::from_raw_private(std::string(32, '\x07'));
    auto made = Checkpointer::create(log, std::move(*key), clock_, std::move(options));
    EXPECT_TRUE(made.ok()) << made.error().message();
    return made.ok() ? std::move(*made) : nullptr;
  }

  static CheckpointerOptions every(std::uint64_t events, std::int64_t seconds) {
    CheckpointerOptions options;
    options.default_origin = kOrigin;
    options.interval_events = events;
    options.interval_seconds = seconds;
    options.node = "node-a";
    return options;
  }

  void record(int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(log_.record(read_event(recorded_++)).ok());
    }
  }

  std::string stored_root() {
    auto root = db_.database().run([](soci::session& session) -> Result<std::string> {
      StoredLeafHashSource source(session);
      return subtree_root(source, 0, stored_log_size(session));
    });
    return root.ok() ? *root : std::string();
  }

  AuditTestDatabase db_;
  ManualClock clock_{kTestStart};
  AuditLog log_{db_.database(), clock_, "node-a"};
  std::string public_key_;
  int recorded_ = 0;
};

TEST_F(CheckpointerTest, SignsANoteThatVerifiesWithThePublicKey) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));
  record(3);

  auto checkpoint = checkpointer->checkpoint_now();

  ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().message();
  auto verifier = format_note_verifier_key(kOrigin, public_key_);
  auto text = open_note(checkpoint->note, *verifier);
  ASSERT_TRUE(text.ok()) << text.error().message();
  auto body = parse_checkpoint_body(*text);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->origin, kOrigin);
  EXPECT_EQ(body->tree_size, 3u);
  EXPECT_EQ(body->root_hash, stored_root());
  EXPECT_EQ(body->timestamp_millis, kTestStart / 1000);
  EXPECT_TRUE(open_stored_checkpoint(*checkpoint, public_key_).ok());
  EXPECT_TRUE(trusted_frontier(*checkpoint, public_key_).ok());
}

TEST_F(CheckpointerTest, IsNotDueBeforeEitherInterval) {
  auto checkpointer = make_checkpointer(log_, every(5, 60));
  record(4);

  auto taken = checkpointer->checkpoint_if_due();

  ASSERT_TRUE(taken.ok()) << taken.error().message();
  EXPECT_FALSE(taken->has_value());
  EXPECT_EQ(db_.count("audit_checkpoints"), 0);
}

TEST_F(CheckpointerTest, SignsOnceIntervalEventsWereAppended) {
  auto checkpointer = make_checkpointer(log_, every(5, 3600));
  record(4);
  ASSERT_TRUE(checkpointer->checkpoint_if_due().ok());
  record(1);

  auto taken = checkpointer->checkpoint_if_due();

  ASSERT_TRUE(taken.ok()) << taken.error().message();
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->tree_size, 5u);
}

TEST_F(CheckpointerTest, SignsNewEventsOnceIntervalSecondsPassed) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));
  record(2);
  ASSERT_TRUE(checkpointer->checkpoint_now().ok());
  record(1);
  clock_.advance_seconds(59);
  auto early = checkpointer->checkpoint_if_due();
  clock_.advance_seconds(1);

  auto taken = checkpointer->checkpoint_if_due();

  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  ASSERT_TRUE(taken.ok()) << taken.error().message();
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->tree_size, 3u);
}

TEST_F(CheckpointerTest, SignsNothingWhenNoEventWasAppended) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));
  record(2);
  ASSERT_TRUE(checkpointer->checkpoint_now().ok());
  clock_.advance_seconds(3600);

  auto taken = checkpointer->checkpoint_if_due();

  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(taken->has_value());
  EXPECT_EQ(db_.count("audit_checkpoints"), 1);
}

TEST_F(CheckpointerTest, CheckpointNowReturnsTheNewestWhenItCoversTheLog) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));
  record(2);
  auto first = checkpointer->checkpoint_now();
  clock_.advance_seconds(10);

  auto second = checkpointer->checkpoint_now();

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->note, first->note);
  EXPECT_EQ(db_.count("audit_checkpoints"), 1);
}

TEST_F(CheckpointerTest, CheckpointNowRefusesAnEmptyLog) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));

  auto checkpoint = checkpointer->checkpoint_now();

  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(CheckpointerTest, TwoDaemonsSignOneCheckpointPerSize) {
  AuditLog other_log(db_.database(), clock_, "node-b");
  auto mine = make_checkpointer(log_, every(1000, 60));
  auto theirs = make_checkpointer(other_log, every(1000, 60));
  record(3);

  auto first = mine->checkpoint_now();
  auto second = theirs->checkpoint_now();

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->tree_size, 3u);
  EXPECT_EQ(second->note, first->note);
  EXPECT_EQ(db_.count("audit_checkpoints"), 1);
}

TEST_F(CheckpointerTest, KeepsTheOriginOfTheFirstStoredCheckpoint) {
  auto first = make_checkpointer(log_, every(1000, 60));
  record(1);
  ASSERT_TRUE(first->checkpoint_now().ok());
  CheckpointerOptions options = every(1000, 60);
  options.default_origin = "telehealthd/node-b";
  auto second = make_checkpointer(log_, options);
  record(1);

  auto checkpoint = second->checkpoint_now();

  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->origin, kOrigin);
  EXPECT_EQ(second->origin().value(), kOrigin);
}

TEST_F(CheckpointerTest, ConfiguredOriginWins) {
  CheckpointerOptions options = every(1000, 60);
  options.origin = "configured.example/log";
  auto checkpointer = make_checkpointer(log_, options);
  record(1);

  auto checkpoint = checkpointer->checkpoint_now();

  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->origin, "configured.example/log");
}

TEST_F(CheckpointerTest, RefusesAnOriginThatCannotNameAKey) {
  CheckpointerOptions options = every(1000, 60);
  options.origin = "has space";
  auto key = crypto::Ed25519Key::generate();

  auto made = Checkpointer::create(log_, std::move(*key), clock_, options);

  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CheckpointerTest, StoredRowsRefuseUpdatesAndDeletes) {
  auto checkpointer = make_checkpointer(log_, every(1000, 60));
  record(1);
  ASSERT_TRUE(checkpointer->checkpoint_now().ok());

  const Status updated = db_.database().run(
      [](soci::session& session) { session << "UPDATE audit_checkpoints SET root_hash = 'x'"; });
  const Status deleted = db_.database().run(
      [](soci::session& session) { session << "DELETE FROM audit_checkpoints"; });

  EXPECT_FALSE(updated.ok());
  EXPECT_FALSE(deleted.ok());
  EXPECT_EQ(db_.count("audit_checkpoints"), 1);
}

}  // namespace
}  // namespace th::audit
