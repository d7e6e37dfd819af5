// The document store against a real SQLite database under a real key ring:
// what is stored comes back byte for byte, nothing of it is stored in the
// clear, and a row altered behind the daemon's back is refused on read
// (kDataLoss) and reported by the integrity check.

#include "documents/document_store.h"

#include <gtest/gtest.h>

#include "../storage/protected_test_database.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/uuid.h"
#include "documents/document_tables.h"
#include "storage/integrity_scanner.h"

namespace th::documents {
namespace {

class DocumentStoreTest : public ::testing::Test {
 protected:
  Document stored(const std::string& content, const std::string& name = "lab results.txt") {
    Document document;
    document.id = crypto::new_uuid_v4();
    document.patient_id = "patient-1";
    document.uploaded_by = "user-1";
    document.created_at = 1'767'225'600'000'000;
    document.media_type = "text/plain";
    document.file_name = name;
    document.size_bytes = static_cast<std::int64_t>(content.size());
    document.sha256_hex = crypto::hex_encode(crypto::sha256(content));
    const Status inserted = db_.database().run_write_transaction(
        [&](soci::session& session) { return store_.insert(session, document, content); });
    EXPECT_TRUE(inserted.ok()) << inserted.error().message();
    return document;
  }

  Result<std::optional<Document>> find(const std::string& id) {
    return db_.database().run([&](soci::session& session) { return store_.find(session, id); });
  }

  Result<std::string> content_of(const Document& document) {
    return db_.database().run(
        [&](soci::session& session) { return store_.read_content(session, document); });
  }

  storage::IntegrityReport scan() {
    storage::IntegrityScanner scanner(db_.database(), 2);
    register_document_tables(scanner, db_.protection());
    auto report = scanner.scan();
    EXPECT_TRUE(report.ok());
    return report.ok() ? *report : storage::IntegrityReport{};
  }

  storage::ProtectedTestDatabase db_;
  DocumentStore store_{db_.protection()};
};

TEST_F(DocumentStoreTest, ContentAndMetadataComeBackExactly) {
  const std::string content("glucose 5.4 mmol/L\n\x00\xff binary tail", 33);
  const Document document = stored(content);

  auto found = find(document.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  auto read = content_of(**found);

  ASSERT_TRUE(read.ok()) << read.error().message();
  EXPECT_EQ(*read, content);
  EXPECT_EQ((*found)->file_name, "lab results.txt");
  EXPECT_EQ((*found)->sha256_hex, document.sha256_hex);
  EXPECT_EQ((*found)->size_bytes, 33);
  EXPECT_TRUE(scan().ok());
}

TEST_F(DocumentStoreTest, NeitherNameNorContentIsStoredInTheClear) {
  stored("glucose 5.4 mmol/L", "glucose-report.txt");

  const std::string row = db_.text("SELECT file_name_enc || content_enc FROM documents");

  EXPECT_EQ(row.find("glucose"), std::string::npos);
}

TEST_F(DocumentStoreTest, AlteredMetadataFailsTheTag) {
  const Document document = stored("results");
  db_.tamper({"UPDATE documents SET media_type = 'image/png'"});

  auto found = find(document.id);
  const storage::IntegrityReport report = scan();

  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code(), ErrorCode::kDataLoss);
  ASSERT_EQ(report.failures.size(), 1U);
  EXPECT_EQ(report.failures[0].row_id, document.id);
}

TEST_F(DocumentStoreTest, ContentMovedFromAnotherRowDoesNotOpen) {
  const Document first = stored("first document");
  const Document second = stored("second document");
  db_.tamper({"UPDATE documents SET content_enc = (SELECT content_enc FROM documents WHERE id = '" +
              second.id + "') WHERE id = '" + first.id + "'"});

  auto read = content_of(first);
  const storage::IntegrityReport report = scan();

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  ASSERT_EQ(report.failures.size(), 1U);
  EXPECT_EQ(report.failures[0].row_id, first.id);
}

TEST_F(DocumentStoreTest, ContentNotMatchingItsChecksumIsDataLoss) {
  // Metadata whose checksum does not describe the stored content: the
  // content check catches it on its own, whatever the tag says.
  const Document document = stored("the real content");
  Document forged = document;
  forged.sha256_hex = crypto::hex_encode(crypto::sha256("other content"));

  auto read = content_of(forged);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kDataLoss);
  EXPECT_FALSE(content_matches(forged, "the real content"));
  EXPECT_TRUE(content_matches(document, "the real content"));
}

TEST_F(DocumentStoreTest, ScanReportsAChangedChecksumAndEveryPage) {
  const Document first = stored("one");
  stored("two");
  stored("three");
  db_.tamper({"UPDATE documents SET sha256 = '" + crypto::hex_encode(crypto::sha256("not it")) +
              "' WHERE id = '" + first.id + "'"});

  const storage::IntegrityReport report = scan();

  EXPECT_EQ(report.rows_checked(), 3U);
  ASSERT_EQ(report.failures.size(), 1U);
  EXPECT_EQ(report.failures[0].row_id, first.id);
  EXPECT_EQ(report.failures[0].problems.size(), 2U);  // the tag, and the content against it
}

TEST(DocumentRulesTest, MediaTypesOffTheListAreRefused) {
  EXPECT_EQ(allowed_media_type("text/plain; charset=utf-8"), "text/plain");
  EXPECT_EQ(allowed_media_type("Application/PDF"), "application/pdf");
  EXPECT_EQ(allowed_media_type("text/html"), "");
  EXPECT_EQ(allowed_media_type(""), "");
}

TEST(DocumentRulesTest, FileNamesAreSanitised) {
  EXPECT_EQ(sanitize_file_name("C:\\Users\\robin\\scan.pdf"), "scan.pdf");
  EXPECT_EQ(sanitize_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitize_file_name("a\"b;c\r\nd.txt"), "a_b_c__d.txt");
  EXPECT_EQ(sanitize_file_name("...."), "document");
  EXPECT_EQ(sanitize_file_name("r\xc3\xa9sum\xc3\xa9 \xff.txt"), "r\xc3\xa9sum\xc3\xa9 _.txt");
  EXPECT_EQ(sanitize_file_name(std::string(500, 'x')).size(), kMaxFileNameBytes);
}

}  // namespace
}  // namespace th::documents
