#include "audit/audit_proofs.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/checkpointer.h"
#include "audit/merkle_tree.h"
#include "audit_test_database.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

class AuditProofsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CheckpointerOptions options;
    options.default_origin = "clinic.example/audit";
    auto checkpointer =
        Checkpointer::create(log_, std::move(*crypto::Ed25519Key::generate()), clock_, options);
    ASSERT_TRUE(checkpointer.ok());
    checkpointer_ = std::move(*checkpointer);
    for (int i = 0; i < 11; ++i) {
      AuditEvent event;
      event.id = "event-" + std::to_string(i);
      event.action = "login";
      event.resource_type = "session";
      ASSERT_TRUE(log_.record(event).ok());
      if (i == 5 || i == 10) {
        ASSERT_TRUE(checkpointer_->checkpoint_now().ok());
      }
    }
  }

  static std::string root_of(const StoredCheckpoint& checkpoint) {
    return crypto::hex_decode(checkpoint.root_hash_hex).value();
  }

  AuditTestDatabase db_;
  ManualClock clock_{kTestStart};
  AuditLog log_{db_.database(), clock_, "node-a"};
  std::unique_ptr<Checkpointer> checkpointer_;
  AuditProofs proofs_{db_.database()};
};

TEST_F(AuditProofsTest, InclusionProofChecksOutAgainstTheNewestCheckpoint) {
  auto proof = proofs_.prove_event("event-3");

  ASSERT_TRUE(proof.ok()) << proof.error().message();
  EXPECT_EQ(proof->leaf_index, 3u);
  EXPECT_EQ(proof->checkpoint.tree_size, 11u);
  EXPECT_EQ(proof->leaf_hash, leaf_hash(proof->body));
  EXPECT_TRUE(
      verify_inclusion(proof->leaf_hash, 3, 11, proof->audit_path, root_of(proof->checkpoint))
          .ok());
}

TEST_F(AuditProofsTest, InclusionProofAgainstAnOlderCheckpoint) {
  auto proof = proofs_.prove_event("event-5", 6);

  ASSERT_TRUE(proof.ok()) << proof.error().message();
  EXPECT_EQ(proof->checkpoint.tree_size, 6u);
  EXPECT_TRUE(
      verify_inclusion(proof->leaf_hash, 5, 6, proof->audit_path, root_of(proof->checkpoint)).ok());
}

TEST_F(AuditProofsTest, InclusionRefusesUnknownEventsAndUncoveredOnes) {
  AuditEvent later;
  later.id = "event-later";
  ASSERT_TRUE(log_.record(later).ok());

  auto unknown = proofs_.prove_event("no-such-event");
  auto uncovered = proofs_.prove_event("event-later");
  auto no_checkpoint = proofs_.prove_event("event-1", 7);

  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  ASSERT_FALSE(uncovered.ok());
  EXPECT_EQ(uncovered.error().code(), ErrorCode::kFailedPrecondition);
  ASSERT_FALSE(no_checkpoint.ok());
  EXPECT_EQ(no_checkpoint.error().code(), ErrorCode::kNotFound);
}

TEST_F(AuditProofsTest, ConsistencyProofChecksOutBetweenCheckpoints) {
  auto proof = proofs_.prove_consistency(6, 11);

  ASSERT_TRUE(proof.ok()) << proof.error().message();
  EXPECT_FALSE(proof->path.empty());
  EXPECT_TRUE(
      verify_consistency(6, 11, root_of(proof->from), root_of(proof->to), proof->path).ok());
}

TEST_F(AuditProofsTest, ConsistencyRefusesReversedSizes) {
  auto proof = proofs_.prove_consistency(11, 6);

  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(AuditProofsTest, RefusesToProveAgainstACheckpointTheRowsNoLongerMatch) {
  db_.tamper({"UPDATE audit_events SET leaf_hash = '" + std::string(64, 'a') + "' WHERE seq = 2"});

  auto proof = proofs_.prove_event("event-7");

  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace th::audit
