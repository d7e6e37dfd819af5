// DocumentService and the attachment rule against a real SQLite database:
// the care-team scope, the media-type and size checks before anything is
// stored, the audit of every upload, read, listing and refusal, corrupted
// reads, and which documents a message may carry.

#include "documents/document_service.h"

#include <gtest/gtest.h>

#include <mutex>

#include "../storage/protected_test_database.h"
#include "../support/recording_audit.h"
#include "../support/test_people.h"
#include "access/care_team_store.h"
#include "access/emergency_store.h"
#include "access/role_store.h"
#include "crypto/uuid.h"
#include "documents/document_attachments.h"
#include "messaging/messaging_service.h"

namespace th::documents {
namespace {

using test_support::RecordingAudit;

class DocumentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      access::RoleStore(db_.protection()).install_builtin_roles(session, 0);
                    })
                    .ok());
    patient_id_ = test_support::insert_patient(db_.database(), patients_, "OR", 0);
    other_patient_ = test_support::insert_patient(db_.database(), patients_, "OR", 0);
    patient_user_ = test_support::insert_user(db_.database(), users_, "patient", patient_id_, 0);
    clinician_ = test_support::insert_user(db_.database(), users_, "clinician", "", 0);
    outsider_ = test_support::insert_user(db_.database(), users_, "clinician", "", 0);
    ASSERT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      care_teams_.add(session, {patient_id_, clinician_, "test", 0});
                      care_teams_.add(session, {other_patient_, clinician_, "test", 0});
                    })
                    .ok());
    messaging_.set_attachments(&attachments_);
  }

  access::Caller patient() const {
    return test_support::caller_as("patient", patient_user_, patient_id_);
  }
  access::Caller clinician() const { return test_support::caller_as("clinician", clinician_); }
  access::Caller outsider() const { return test_support::caller_as("clinician", outsider_); }

  Result<Document> upload(const access::Caller& caller, const std::string& patient,
                          std::string_view content = "blood pressure 120/80",
                          const std::string& type = "text/plain") {
    return service_.upload({patient, type, "bp.txt", content}, caller);
  }

  // A conversation about the patient, between the clinician and the patient.
  std::string care_conversation() {
    messaging::ConversationDraft draft;
    draft.patient_id = patient_id_;
    draft.member_ids = {patient_user_};
    auto conversation = messaging_.create(draft, clinician());
    EXPECT_TRUE(conversation.ok()) << conversation.error().message();
    return conversation.ok() ? conversation->conversation.id : "";
  }

  std::int64_t document_rows() {
    return std::stoll(db_.text("SELECT CAST(COUNT(*) AS TEXT) FROM documents"));
  }

  storage::ProtectedTestDatabase db_;
  RecordingAudit audit_;
  ManualClock clock_{1'767'225'600'000'000};
  access::UserStore users_{db_.protection()};
  access::PatientStore patients_{db_.protection()};
  access::CareTeamStore care_teams_;
  access::EmergencyStore emergencies_{db_.protection()};
  access::PatientScope scope_{care_teams_, emergencies_, clock_};
  DocumentStore store_{db_.protection()};
  DocumentService service_{
      DocumentDeps{db_.database(), store_, patients_, scope_, audit_, clock_, 64}};
  DocumentAttachments attachments_{store_, scope_};
  messaging::ConversationStore conversations_{db_.protection()};
  messaging::MessageStore messages_{db_.protection()};
  messaging::MessagingService messaging_{messaging::MessagingDeps{
      db_.database(), conversations_, messages_, users_, care_teams_, audit_, clock_}};
  std::string patient_id_, other_patient_, patient_user_, clinician_, outsider_;
};

TEST_F(DocumentServiceTest, CareTeamClinicianUploadsAndReadsBack) {
  auto uploaded = upload(clinician(), patient_id_);
  ASSERT_TRUE(uploaded.ok()) << uploaded.error().message();
  EXPECT_EQ(audit_.last().action, "create");
  EXPECT_EQ(audit_.last().patient_id, patient_id_);

  auto read = service_.content(uploaded->id, patient());

  ASSERT_TRUE(read.ok()) << read.error().message();
  EXPECT_EQ(read->content, "blood pressure 120/80");
  EXPECT_EQ(read->document.file_name, "bp.txt");
  EXPECT_EQ(audit_.last().resource_type, "document_content");
  EXPECT_EQ(audit_.last().resource_id, uploaded->id);
}

TEST_F(DocumentServiceTest, ClinicianOffTheCareTeamIsRefusedAndAudited) {
  auto uploaded = upload(clinician(), patient_id_);
  ASSERT_TRUE(uploaded.ok());

  auto read = service_.content(uploaded->id, outsider());
  const audit::AuditEvent event = audit_.last();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(event.outcome, audit::AuditOutcome::kDenied);
  EXPECT_EQ(event.patient_id, patient_id_);
  EXPECT_EQ(event.reason, "not on the patient's care team");
  EXPECT_FALSE(upload(outsider(), patient_id_).ok());
  EXPECT_EQ(document_rows(), 1);
}

TEST_F(DocumentServiceTest, PatientReachesOnlyTheirOwnDocuments) {
  ASSERT_TRUE(upload(patient(), patient_id_).ok());
  auto theirs = upload(clinician(), other_patient_);
  ASSERT_TRUE(theirs.ok());

  auto own = service_.list(patient_id_, patient());
  auto other = service_.list(other_patient_, patient());
  auto other_content = service_.content(theirs->id, patient());

  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->size(), 1U);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_FALSE(other_content.ok());
  EXPECT_EQ(audit_.last().outcome, audit::AuditOutcome::kDenied);
}

TEST_F(DocumentServiceTest, ListingRecordsWhosePatientsDocumentsWereListed) {
  ASSERT_TRUE(upload(clinician(), patient_id_).ok());

  auto listed = service_.list(patient_id_, clinician());

  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(audit_.last().action, "search");
  EXPECT_EQ(audit_.last().patient_ids, std::vector<std::string>{patient_id_});
}

TEST_F(DocumentServiceTest, BadMediaTypeAndOversizeAreRefusedBeforeStoring) {
  auto html = upload(clinician(), patient_id_, "<script>", "text/html");
  auto large = upload(clinician(), patient_id_, std::string(65, 'x'));

  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(document_rows(), 0);
}

TEST_F(DocumentServiceTest, CorruptedContentIsDataLossAndAuditedWithItsPatient) {
  auto uploaded = upload(clinician(), patient_id_);
  ASSERT_TRUE(uploaded.ok());
  db_.tamper({"UPDATE documents SET content_enc = 'x' || content_enc"});

  auto read = service_.content(uploaded->id, clinician());
  const audit::AuditEvent event = audit_.last();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(event.outcome, audit::AuditOutcome::kError);
  EXPECT_EQ(event.patient_id, patient_id_);
  EXPECT_EQ(event.reason, "the stored document failed its integrity check");
}

TEST_F(DocumentServiceTest, MessagesCarryOnlyTheConversationPatientsDocuments) {
  auto own = upload(clinician(), patient_id_);
  auto other = upload(clinician(), other_patient_);
  ASSERT_TRUE(own.ok() && other.ok());
  const std::string id = care_conversation();

  auto sent = messaging_.send(id, "your results", "", clinician(), {own->id});
  auto refused = messaging_.send(id, "someone else's", "", clinician(), {other->id});
  const audit::AuditEvent denial = audit_.last();
  messaging::MessageRange all;
  auto history = messaging_.history(id, all, patient());

  ASSERT_TRUE(sent.ok()) << sent.error().message();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(denial.action, "attach");
  EXPECT_EQ(denial.resource_id, other->id);
  EXPECT_EQ(denial.outcome, audit::AuditOutcome::kDenied);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1U);
  EXPECT_EQ(history->front().attachments, std::vector<std::string>{own->id});
}

TEST_F(DocumentServiceTest, EmergencyGrantOpensADocumentAndMarksTheRead) {
  auto uploaded = upload(clinician(), patient_id_);
  ASSERT_TRUE(uploaded.ok());
  access::EmergencyGrant grant;
  grant.id = crypto::new_uuid_v4();
  grant.user_id = outsider_;
  grant.patient_id = patient_id_;
  grant.reason = "unconscious in the emergency room";
  grant.granted_at = clock_.now_micros();
  grant.expires_at = clock_.now_micros() + 3'600'000'000;
  ASSERT_TRUE(db_.database()
                  .run_write_transaction(
                      [&](soci::session& session) { return emergencies_.insert(session, grant); })
                  .ok());

  auto read = service_.content(uploaded->id, outsider());
  const audit::AuditEvent event = audit_.last();

  ASSERT_TRUE(read.ok()) << read.error().message();
  EXPECT_TRUE(event.emergency);
  EXPECT_EQ(event.reason, "emergency access under grant " + grant.id);
}

TEST_F(DocumentServiceTest, StaffConversationsTakeDocumentsOfPatientsInTheSendersScope) {
  auto in_scope = upload(clinician(), patient_id_);
  ASSERT_TRUE(in_scope.ok());
  messaging::ConversationDraft draft;
  draft.kind = messaging::ConversationKind::kStaff;
  draft.member_ids = {outsider_};
  auto conversation = messaging_.create(draft, clinician());
  ASSERT_TRUE(conversation.ok()) << conversation.error().message();
  const std::string id = conversation->conversation.id;

  auto from_clinician = messaging_.send(id, "about this scan", "", clinician(), {in_scope->id});
  auto from_outsider = messaging_.send(id, "forwarding it", "", outsider(), {in_scope->id});
  auto opened = service_.content(in_scope->id, outsider());

  EXPECT_TRUE(from_clinician.ok()) << from_clinician.error().message();
  ASSERT_FALSE(from_outsider.ok());
  EXPECT_EQ(from_outsider.error().code(), ErrorCode::kPermissionDenied);
  // Being in the conversation gives the recipient no access to the document.
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(DocumentServiceTest, UnknownAndRepeatedAttachmentsAreRefused) {
  auto own = upload(clinician(), patient_id_);
  ASSERT_TRUE(own.ok());
  const std::string id = care_conversation();

  auto unknown = messaging_.send(id, "x", "", clinician(), {crypto::new_uuid_v4()});
  auto repeated = messaging_.send(id, "x", "", clinician(), {own->id, own->id});

  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kPermissionDenied);
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::documents
