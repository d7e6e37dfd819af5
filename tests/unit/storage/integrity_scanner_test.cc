// IntegrityScanner with SealedTableChecker over a table of the test's own,
// sealed and tagged the way stores do it: a clean walk in several pages,
// and each kind of alteration reported for exactly the row it touched,
// without any stored value in the report.

#include "storage/integrity_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "protected_test_database.h"
#include "storage/sealed_table_checker.h"

namespace th::storage {
namespace {

constexpr const char* kSecret = "Marguerite Okonkwo-Lindqvist";

SealedTableLayout notes_layout() {
  SealedTableLayout layout;
  layout.table = "test_notes";
  layout.sealed = {{"body", "body_enc"}, {"title", "title_enc"}};
  layout.tagged_plain = {"kind"};
  layout.tagged = true;
  return layout;
}

class IntegrityScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.tamper(
        {"CREATE TABLE test_notes (id TEXT PRIMARY KEY, body_enc TEXT NOT NULL, "
         "title_enc TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL, "
         "integrity_tag TEXT NOT NULL)",
         "CREATE TABLE test_contacts (id TEXT PRIMARY KEY, phone_enc TEXT NOT NULL)"});
  }

  // A row as a store would write it: sealed fields, then the tag over them.
  void insert_note(const std::string& id, const std::string& body) {
    DataProtection& protection = db_.protection();
    const std::string body_enc = protection.seal(body, {"test_notes", "body", id}).value();
    const std::string title_enc = protection.seal("title", {"test_notes", "title", id}).value();
    const std::string kind = "progress";
    const long long version = 1;
    const std::string tag = protection.integrity_tag(
        "test_notes", id, version, {{"body", body_enc}, {"title", title_enc}, {"kind", kind}});
    ASSERT_TRUE(db_.database()
                    .run_write_transaction([&](soci::session& session) {
                      session << "INSERT INTO test_notes VALUES (:id, :body, :title, :kind, :v, "
                                 ":tag)",
                          soci::use(id), soci::use(body_enc), soci::use(title_enc), soci::use(kind),
                          soci::use(version), soci::use(tag);
                    })
                    .ok());
  }

  void insert_notes(int count) {
    for (int i = 0; i < count; ++i) {
      insert_note("note-" + std::to_string(i), kSecret);
    }
  }

  IntegrityReport scan(std::size_t page_rows = 2) {
    IntegrityScanner scanner(db_.database(), page_rows);
    scanner.add(std::make_unique<SealedTableChecker>(notes_layout(), db_.protection()));
    auto report = scanner.scan();
    EXPECT_TRUE(report.ok()) << report.error().message();
    return report.ok() ? *report : IntegrityReport{};
  }

  ProtectedTestDatabase db_;
};

TEST_F(IntegrityScannerTest, CleanTableIsCheckedRowByRowAcrossPages) {
  insert_notes(5);

  const IntegrityReport report = scan(2);

  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].table, "test_notes");
  EXPECT_EQ(report.tables[0].rows_checked, 5u);
  EXPECT_EQ(report.tables[0].rows_failed, 0u);
  EXPECT_EQ(report.rows_checked(), 5u);
}

TEST_F(IntegrityScannerTest, PageSizeDividingTheTableStillEndsTheWalk) {
  insert_notes(4);

  const IntegrityReport report = scan(2);

  EXPECT_EQ(report.rows_checked(), 4u);
}

TEST_F(IntegrityScannerTest, ChangedClearColumnFailsOnlyTheTagOfThatRow) {
  insert_notes(3);
  db_.tamper({"UPDATE test_notes SET kind = 'discharge' WHERE id = 'note-1'"});

  const IntegrityReport report = scan();

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].table, "test_notes");
  EXPECT_EQ(report.failures[0].row_id, "note-1");
  EXPECT_EQ(report.failures[0].problems, std::vector<std::string>{"integrity tag does not match"});
  EXPECT_EQ(report.tables[0].rows_failed, 1u);
  EXPECT_EQ(report.tables[0].rows_checked, 3u);
}

TEST_F(IntegrityScannerTest, ChangedVersionFailsTheTag) {
  insert_notes(2);
  db_.tamper({"UPDATE test_notes SET version = 7 WHERE id = 'note-0'"});

  const IntegrityReport report = scan();

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].row_id, "note-0");
}

TEST_F(IntegrityScannerTest, CiphertextCopiedFromAnotherRowFailsTagAndDecryption) {
  insert_notes(2);
  db_.tamper(
      {"UPDATE test_notes SET body_enc = (SELECT body_enc FROM test_notes WHERE "
       "id = 'note-0') WHERE id = 'note-1'"});

  const IntegrityReport report = scan();

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].row_id, "note-1");
  ASSERT_EQ(report.failures[0].problems.size(), 2u);
  EXPECT_EQ(report.failures[0].problems[0], "integrity tag does not match");
  EXPECT_NE(report.failures[0].problems[1].find("'test_notes.body'"), std::string::npos)
      << report.failures[0].problems[1];
}

TEST_F(IntegrityScannerTest, ReportHoldsNoStoredValue) {
  insert_notes(2);
  const std::string ciphertext = db_.text("SELECT body_enc FROM test_notes WHERE id = 'note-0'");
  db_.tamper({"UPDATE test_notes SET title_enc = 'v1.garbage' WHERE id = 'note-0'",
              "UPDATE test_notes SET kind = 'x' WHERE id = 'note-1'"});

  const IntegrityReport report = scan();

  ASSERT_EQ(report.failures.size(), 2u);
  for (const RecordFailure& failure : report.failures) {
    for (const std::string& problem : failure.problems) {
      EXPECT_EQ(problem.find(kSecret), std::string::npos);
      EXPECT_EQ(problem.find(ciphertext), std::string::npos);
      EXPECT_EQ(problem.find("garbage"), std::string::npos);
    }
  }
}

TEST_F(IntegrityScannerTest, UntaggedTableChecksThatEverySealedFieldDecrypts) {
  DataProtection& protection = db_.protection();
  for (const std::string id : {"c-1", "c-2"}) {
    const std::string sealed =
        protection.seal("+1 503 555 0199", {"test_contacts", "phone", id}).value();
    db_.tamper({"INSERT INTO test_contacts VALUES ('" + id + "', '" + sealed + "')"});
  }
  db_.tamper(
      {"UPDATE test_contacts SET phone_enc = (SELECT phone_enc FROM test_contacts WHERE "
       "id = 'c-1') WHERE id = 'c-2'"});
  SealedTableLayout contacts;
  contacts.table = "test_contacts";
  contacts.sealed = {{"phone", "phone_enc"}};
  IntegrityScanner scanner(db_.database());
  scanner.add(std::make_unique<SealedTableChecker>(contacts, protection));

  const auto report = scanner.scan();

  ASSERT_TRUE(report.ok()) << report.error().message();
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_EQ(report->failures[0].row_id, "c-2");
  EXPECT_EQ(report->failures[0].problems.size(), 1u);
}

TEST_F(IntegrityScannerTest, TablesAreReportedInRegistrationOrder) {
  SealedTableLayout contacts;
  contacts.table = "test_contacts";
  contacts.sealed = {{"phone", "phone_enc"}};
  IntegrityScanner scanner(db_.database());
  scanner.add(std::make_unique<SealedTableChecker>(notes_layout(), db_.protection()));
  scanner.add(std::make_unique<SealedTableChecker>(contacts, db_.protection()));

  const auto report = scanner.scan();

  EXPECT_EQ(scanner.tables(), (std::vector<std::string>{"test_notes", "test_contacts"}));
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->tables.size(), 2u);
  EXPECT_EQ(report->tables[1].table, "test_contacts");
}

TEST_F(IntegrityScannerTest, MissingTableIsAnErrorNamingIt) {
  SealedTableLayout missing;
  missing.table = "no_such_table";
  missing.sealed = {{"x", "x_enc"}};
  IntegrityScanner scanner(db_.database());
  scanner.add(std::make_unique<SealedTableChecker>(missing, db_.protection()));

  const auto report = scanner.scan();

  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message().find("'no_such_table'"), std::string::npos);
}

}  // namespace
}  // namespace th::storage
