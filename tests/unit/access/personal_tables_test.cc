// The access layer's tables under the integrity check: rows written by the
// stores pass the checkers their layouts describe (so a store and its layout
// cannot drift apart), an altered patient row is reported and refused on
// read, and its id can still be found for the audit of that read.

#include "access/personal_tables.h"

#include <gtest/gtest.h>

#include "access_tables_fixture.h"
#include "crypto/uuid.h"

namespace th::access {
namespace {

class PersonalTablesTest : public AccessTablesTest {
 protected:
  void SetUp() override {
    AccessTablesTest::SetUp();
    for (int i = 0; i < 3; ++i) {
      patient_ids_.push_back(insert_patient("MRN-" + std::to_string(i)));
    }
    insert_user_and_grant();
  }

  std::string insert_patient(const std::string& mrn) {
    Patient patient;
    patient.id = crypto::new_uuid_v4();
    patient.mrn = mrn;
    patient.given_name = "Ines";
    patient.family_name = "Valdivieso";
    patient.birth_date = "1971-09-30";
    patient.sex = "female";
    patient.state = "OR";
    patient.phone = "+1 503 555 0142";
    patient.email = "ines@example.org";
    patient.address = "12 Alder Street, Portland";
    const Status inserted = db_.database().run_write_transaction(
        [&](soci::session& session) { return patients_.insert(session, patient); });
    EXPECT_TRUE(inserted.ok()) << inserted.error().message();
    return patient.id;
  }

  void insert_user_and_grant() {
    User user;
    user.id = crypto::new_uuid_v4();
    user.username = "dr.valdivieso";
    user.email = "dr@example.org";
    user.role = "clinician";
    user.mfa_secret = "0123456789abcdefghij";
    EmergencyGrant grant;
    grant.id = crypto::new_uuid_v4();
    grant.user_id = user.id;
    grant.patient_id = patient_ids_[0];
    grant.reason = "unconscious in the emergency department";
    const Status inserted =
        db_.database().run_write_transaction([&](soci::session& session) -> Status {
          TH_RETURN_IF_ERROR(users_.insert(session, user));
          return grants_.insert(session, grant);
        });
    ASSERT_TRUE(inserted.ok()) << inserted.error().message();
  }

  std::vector<std::string> patient_ids_;
};

TEST_F(PersonalTablesTest, RowsWrittenByTheStoresPassTheirChecks) {
  const storage::IntegrityReport report = scan();

  EXPECT_TRUE(report.ok()) << report.failures.size() << " failures, first "
                           << (report.failures.empty() ? "" : report.failures[0].problems[0]);
  ASSERT_EQ(report.tables.size(), 5u);
  EXPECT_EQ(report.tables[0].table, "patients");
  EXPECT_EQ(report.tables[0].rows_checked, 3u);
  EXPECT_EQ(report.tables[1].table, "users");
  EXPECT_EQ(report.tables[1].rows_checked, 1u);
  EXPECT_EQ(report.tables[2].table, "emergency_grants");
  EXPECT_EQ(report.tables[2].rows_checked, 1u);
  EXPECT_EQ(report.tables[3].table, "sessions");
  EXPECT_EQ(report.tables[3].rows_checked, 0u);
  EXPECT_EQ(report.tables[4].table, "roles");
  EXPECT_EQ(report.tables[4].rows_checked, 7u);  // the built-in ones
}

TEST_F(PersonalTablesTest, PatientWithAlteredStateIsReportedAndRefusedOnRead) {
  const std::string& altered = patient_ids_[1];
  db_.tamper({"UPDATE patients SET state = 'WA' WHERE id = '" + altered + "'"});

  const storage::IntegrityReport report = scan();
  auto read = db_.database().run(
      [&](soci::session& session) { return patients_.find_by_id(session, altered); });
  auto other = db_.database().run(
      [&](soci::session& session) { return patients_.find_by_id(session, patient_ids_[0]); });

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].table, "patients");
  EXPECT_EQ(report.failures[0].row_id, altered);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(read.error().message().find("WA"), std::string::npos);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->has_value());
}

TEST_F(PersonalTablesTest, StoredIdOfAnAlteredPatientIsFoundByIdAndByMrn) {
  db_.tamper({"UPDATE patients SET version = 9 WHERE id = '" + patient_ids_[2] + "'"});

  auto ids = db_.database().run([&](soci::session& session) {
    return std::vector<std::string>{patients_.stored_id(session, patient_ids_[2]),
                                    patients_.stored_id_by_mrn(session, "mrn 2"),
                                    patients_.stored_id_by_mrn(session, "MRN-404")};
  });

  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*ids)[0], patient_ids_[2]);
  EXPECT_EQ((*ids)[1], patient_ids_[2]);
  EXPECT_EQ((*ids)[2], "");
}

TEST_F(PersonalTablesTest, UserWithSwappedSealedFieldsIsReported) {
  db_.tamper({"UPDATE users SET email_enc = username_enc"});

  const storage::IntegrityReport report = scan();

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].table, "users");
  ASSERT_EQ(report.failures[0].problems.size(), 2u);
  EXPECT_EQ(report.failures[0].problems[0], "integrity tag does not match");
  EXPECT_NE(report.failures[0].problems[1].find("'users.email'"), std::string::npos);
}

}  // namespace
}  // namespace th::access
