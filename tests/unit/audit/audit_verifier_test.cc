#include "audit/audit_verifier.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/checkpointer.h"
#include "audit/log_entry.h"
#include "audit/merkle_tree.h"
#include "audit_test_database.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

// A log of 20 events with checkpoints at tree sizes 8, 13 and 20, read back
// in pages of 3 so that every check also crosses page boundaries.
class AuditVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::Ed25519Key::generate();
    ASSERT_TRUE(key.ok());
    public_key_ = key->public_key_raw();
    AuditLogOptions log_options;
    log_options.checkpoint_public_key = public_key_;
    log_ = std::make_unique<AuditLog>(db_.database(), clock_, "node-a", log_options);
    CheckpointerOptions options;
    options.default_origin = "clinic.example/audit";
    auto checkpointer = Checkpointer::create(*log_, std::move(*key), clock_, options);
    ASSERT_TRUE(checkpointer.ok());
    checkpointer_ = std::move(*checkpointer);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(log_->record(event(i)).ok());
      if (i == 7 || i == 12 || i == 19) {
        ASSERT_TRUE(checkpointer_->checkpoint_now().ok());
      }
      clock_.advance_seconds(1);
    }
  }

  static AuditEvent event(int number) {
    AuditEvent made;
    made.actor_user_id = "user-" + std::to_string(number % 3);
    made.actor_kind = "user";
    made.actor_role = "clinician";
    made.action = "read";
    made.resource_type = "patient_record";
    made.resource_id = "record-" + std::to_string(number);
    made.patient_id = "patient-" + std::to_string(number % 4);
    made.patient_ids = {made.patient_id};
    return made;
  }

  VerificationReport verify() {
    const AuditVerifier verifier(db_.database(), public_key_, 3);
    auto report = verifier.verify();
    EXPECT_TRUE(report.ok()) << report.error().message();
    return report.ok() ? *report : VerificationReport{};
  }

  // Expects verification to fail at `seq` with a reason containing `words`.
  void expect_failure(std::uint64_t seq, const std::string& words) {
    const VerificationReport report = verify();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.failure->seq, seq) << report.failure->reason;
    EXPECT_NE(report.failure->reason.find(words), std::string::npos) << report.failure->reason;
  }

  std::string body_at(int seq) {
    auto body = db_.database().run([seq](soci::session& session) {
      std::string text;
      session << "SELECT body FROM audit_events WHERE seq = :seq", soci::use(seq), soci::into(text);
      return text;
    });
    return body.ok() ? *body : std::string();
  }

  // The statement that stores a well-formed event at `seq`, hash and all,
  // as someone who knows the format would write it.
  static std::string forged_insert(int seq) {
    AuditEvent forged = event(99);
    forged.id = "forged-event";
    forged.occurred_at = kTestStart;
    forged.node = "node-a";
    const std::string body = format_log_entry(canonical_event_json(forged).value(), seq).value();
    return "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action, "
           "resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, "
           "leaf_hash) VALUES (" +
           std::to_string(seq) + ", 'forged-event', " + std::to_string(kTestStart) +
           ", 'user-0', 'clinician', 'read', 'patient_record', 'record-99', 'patient-3', "
           "'success', 0, '', 'node-a', '" +
           body + "', '" + crypto::hex_encode(leaf_hash(body)) + "')";
  }

  AuditTestDatabase db_;
  ManualClock clock_{kTestStart};
  std::string public_key_;
  std::unique_ptr<AuditLog> log_;
  std::unique_ptr<Checkpointer> checkpointer_;
};

TEST_F(AuditVerifierTest, AcceptsAnUntouchedLog) {
  const VerificationReport report = verify();

  EXPECT_TRUE(report.ok()) << report.failure->reason;
  EXPECT_EQ(report.events_checked, 20u);
  EXPECT_EQ(report.checkpoints_checked, 3u);
}

TEST_F(AuditVerifierTest, AcceptsAnEmptyLog) {
  AuditTestDatabase empty;
  const AuditVerifier verifier(empty.database(), public_key_);

  auto report = verifier.verify();

  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->events_checked, 0u);
}

TEST_F(AuditVerifierTest, DetectsAChangedBody) {
  std::string body = body_at(5);
  body.replace(body.find("user-2"), 6, "user-1");
  db_.tamper({"UPDATE audit_events SET body = '" + body + "' WHERE seq = 5"});

  expect_failure(5, "leaf hash does not match");
}

TEST_F(AuditVerifierTest, DetectsAChangedColumn) {
  db_.tamper({"UPDATE audit_events SET actor_user_id = 'someone-else' WHERE seq = 7"});

  expect_failure(7, "column 'actor_user_id'");
}

TEST_F(AuditVerifierTest, DetectsAChangedTime) {
  db_.tamper({"UPDATE audit_events SET occurred_at = occurred_at + 1 WHERE seq = 11"});

  expect_failure(11, "column 'occurred_at'");
}

TEST_F(AuditVerifierTest, DetectsADeletedEvent) {
  db_.tamper({"DELETE FROM audit_events WHERE seq = 4"});

  expect_failure(4, "no event is stored at seq 4");
}

TEST_F(AuditVerifierTest, DetectsReorderedEvents) {
  db_.tamper({"UPDATE audit_events SET seq = -1 WHERE seq = 3",
              "UPDATE audit_events SET seq = 3 WHERE seq = 9",
              "UPDATE audit_events SET seq = 9 WHERE seq = -1"});

  expect_failure(3, "records seq 9");
}

TEST_F(AuditVerifierTest, DetectsAnEventInsertedBetweenOthers) {
  db_.tamper({"UPDATE audit_events SET seq = -seq - 1 WHERE seq >= 6",
              "UPDATE audit_events SET seq = -seq WHERE seq < 0",
              "UPDATE audit_event_patients SET seq = seq + 1 WHERE seq >= 6", forged_insert(6),
              "INSERT INTO audit_event_patients (seq, patient_id) VALUES (6, 'patient-3')"});

  // The forged row itself is well formed; the event it pushed along is not.
  expect_failure(7, "records seq 6");
}

TEST_F(AuditVerifierTest, DetectsAnEventRewrittenTogetherWithItsHash) {
  std::string body = body_at(10);
  body.replace(body.find("record-10"), 9, "record-77");
  db_.tamper({"UPDATE audit_events SET body = '" + body +
              "', resource_id = 'record-77', "
              "leaf_hash = '" +
              crypto::hex_encode(leaf_hash(body)) + "' WHERE seq = 10"});

  // 13 leaves are the perfect subtrees [0, 8), [8, 12) and [12, 13).
  expect_failure(8, "seq 8 to 11 do not hash to the root signed at tree size 13");
}

TEST_F(AuditVerifierTest, DetectsEventsRemovedFromTheEnd) {
  db_.tamper({"DELETE FROM audit_events WHERE seq >= 18",
              "DELETE FROM audit_event_patients WHERE seq >= 18"});

  expect_failure(18, "checkpoint at tree size 20");
}

TEST_F(AuditVerifierTest, DetectsAForgedCheckpointSignature) {
  db_.tamper(
      {"UPDATE audit_checkpoints SET note = replace(note, '\n\n', '\n\n ') "
       "WHERE tree_size = 13"});

  expect_failure(12, "checkpoint at tree size 13");
}

TEST_F(AuditVerifierTest, DetectsACheckpointColumnThatDiffersFromItsNote) {
  db_.tamper({"UPDATE audit_checkpoints SET root_hash = '" + std::string(64, '0') +
              "' WHERE tree_size = 8"});

  expect_failure(7, "differ from what the note signs");
}

TEST_F(AuditVerifierTest, DetectsARemovedPatientLink) {
  db_.tamper({"DELETE FROM audit_event_patients WHERE seq = 14"});

  expect_failure(14, "audit_event_patients");
}

TEST_F(AuditVerifierTest, DetectsAPatientLinkWithoutEvent) {
  db_.tamper({"INSERT INTO audit_event_patients (seq, patient_id) VALUES (25, 'patient-1')"});

  expect_failure(20, "seq 25, which has no event");
}

TEST_F(AuditVerifierTest, EventsStillRefuseUpdatesAndDeletes) {
  const Status updated = db_.database().run([](soci::session& session) {
    session << "UPDATE audit_events SET actor_user_id = 'x' WHERE seq = 1";
  });
  const Status deleted = db_.database().run(
      [](soci::session& session) { session << "DELETE FROM audit_events WHERE seq = 1"; });

  EXPECT_FALSE(updated.ok());
  EXPECT_FALSE(deleted.ok());
  EXPECT_TRUE(verify().ok());
}

}  // namespace
}  // namespace th::audit
