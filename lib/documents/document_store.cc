#include "documents/document_store.h"

#include <openssl/crypto.h>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::documents {
namespace {

constexpr const char* kTable = "documents";
constexpr const char* kColumns =
    "id, patient_id, uploaded_by, created_at, media_type, file_name_enc, size_bytes, sha256, "
    "version, integrity_tag";
constexpr std::int64_t kVersion = 1;

storage::StoredFields tagged_fields(const std::string& file_name_enc, const Document& document) {
  return {{"file_name", file_name_enc},
          {"patient_id", document.patient_id},
          {"uploaded_by", document.uploaded_by},
          {"media_type", document.media_type},
          {"sha256", document.sha256_hex},
          {"size_bytes", std::to_string(document.size_bytes)},
          {"created_at", std::to_string(document.created_at)}};
}

Error integrity_failure(const std::string& id) {
  return Error(ErrorCode::kDataLoss, "document " + id + " failed its integrity check");
}

}  // namespace

const storage::SealedTableLayout& DocumentStore::layout() {
  static const storage::SealedTableLayout layout{
      kTable,
      "id",
      {{"file_name", "file_name_enc"}},
      {"patient_id", "uploaded_by", "media_type", "sha256"},
      {"size_bytes", "created_at"},
      true,
      kVersion};
  return layout;
}

bool content_matches(const Document& document, std::string_view content) {
  if (static_cast<std::int64_t>(content.size()) != document.size_bytes) {
    return false;
  }
  return crypto::constant_time_equal(crypto::hex_encode(crypto::sha256(content)),
                                     document.sha256_hex);
}

Status DocumentStore::insert(soci::session& session, const Document& document,
                             std::string_view content) {
  auto file_name = protection_.seal(document.file_name, {kTable, "file_name", document.id});
  if (!file_name.ok()) {
    return file_name.error();
  }
  auto sealed_content = protection_.seal(content, {kTable, "content", document.id});
  if (!sealed_content.ok()) {
    return sealed_content.error();
  }
  const std::string tag =
      protection_.integrity_tag(kTable, document.id, kVersion, tagged_fields(*file_name, document));
  const std::int64_t version = kVersion;
  session << "INSERT INTO documents (id, patient_id, uploaded_by, created_at, media_type, "
             "file_name_enc, size_bytes, sha256, content_enc, version, integrity_tag) VALUES "
             "(:id, :patient, :by, :at, :type, :name, :size, :sha, :content, :version, :tag)",
      soci::use(document.id), soci::use(document.patient_id), soci::use(document.uploaded_by),
      soci::use(document.created_at), soci::use(document.media_type), soci::use(*file_name),
      soci::use(document.size_bytes), soci::use(document.sha256_hex), soci::use(*sealed_content),
      soci::use(version), soci::use(tag);
  return ok_status();
}

Result<Document> DocumentStore::decode(const soci::row& row) {
  Document document;
  document.id = storage::column_text(row, 0);
  document.patient_id = storage::column_text(row, 1);
  document.uploaded_by = storage::column_text(row, 2);
  document.created_at = storage::column_int64(row, 3);
  document.media_type = storage::column_text(row, 4);
  const std::string file_name_enc = storage::column_text(row, 5);
  document.size_bytes = storage::column_int64(row, 6);
  document.sha256_hex = storage::column_text(row, 7);
  const std::int64_t version = storage::column_int64(row, 8);
  if (!protection_.verify_integrity(kTable, document.id, version,
                                    tagged_fields(file_name_enc, document),
                                    storage::column_text(row, 9))) {
    return integrity_failure(document.id);
  }
  auto file_name = protection_.open(file_name_enc, {kTable, "file_name", document.id});
  if (!file_name.ok()) {
    return integrity_failure(document.id);
  }
  document.file_name = std::move(*file_name);
  return document;
}

Result<std::optional<Document>> DocumentStore::find(soci::session& session, const std::string& id) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns + " FROM documents WHERE id = :id",
       soci::use(id));
  for (const soci::row& row : rows) {
    auto document = decode(row);
    if (!document.ok()) {
      return document.error();
    }
    return std::optional<Document>(std::move(*document));
  }
  return std::optional<Document>();
}

Result<std::vector<Document>> DocumentStore::for_patient(soci::session& session,
                                                         const std::string& patient_id) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM documents WHERE patient_id = :patient "
                              "ORDER BY created_at DESC, id",
       soci::use(patient_id));
  std::vector<Document> documents;
  for (const soci::row& row : rows) {
    auto document = decode(row);
    if (!document.ok()) {
      return document.error();
    }
    documents.push_back(std::move(*document));
  }
  return documents;
}

Result<std::string> DocumentStore::read_content(soci::session& session, const Document& document) {
  std::string sealed;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT content_enc FROM documents WHERE id = :id", soci::use(document.id),
      soci::into(sealed, indicator);
  if (!session.got_data() || indicator != soci::i_ok) {
    return integrity_failure(document.id);
  }
  auto content = protection_.open(sealed, {kTable, "content", document.id});
  if (!content.ok()) {
    return integrity_failure(document.id);
  }
  if (!content_matches(document, *content)) {
    OPENSSL_cleanse(content->data(), content->size());
    return integrity_failure(document.id);
  }
  return content;
}

std::string DocumentStore::stored_patient_id(soci::session& session, const std::string& id) {
  std::string patient_id;
  soci::indicator indicator = soci::i_ok;
  session << "SELECT patient_id FROM documents WHERE id = :id", soci::use(id),
      soci::into(patient_id, indicator);
  return session.got_data() && indicator == soci::i_ok ? patient_id : std::string();
}

}  // namespace th::documents
