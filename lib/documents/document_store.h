// DocumentStore: patients' uploaded documents. The file name and the
// content are sealed (each bound to its row); the row carries an integrity
// tag over the metadata, the SHA-256 of the plaintext included, so the
// content is covered twice: AES-GCM refuses a ciphertext that was altered
// or moved from another row, and the opened bytes must still hash to the
// tagged SHA-256. layout() tells the integrity check how the metadata is
// stored; DocumentChecker adds the content.
//
// Documents are never changed once stored. Calls take the caller's
// session; stateless apart from the DataProtection reference, thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "documents/document.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/result.h"

namespace th::documents {

class DocumentStore {
 public:
  explicit DocumentStore(storage::DataProtection& protection) : protection_(protection) {}

  // The metadata columns as the integrity check reads them.
  static const storage::SealedTableLayout& layout();

  // Stores the document with `content`; document.size_bytes and
  // sha256_hex must already describe it.
  Status insert(soci::session& session, const Document& document, std::string_view content);

  // kDataLoss when the row fails its integrity check.
  Result<std::optional<Document>> find(soci::session& session, const std::string& id);

  // A patient's documents, newest first; kDataLoss when any row fails its
  // integrity check (a listing does not leave one out silently).
  Result<std::vector<Document>> for_patient(soci::session& session, const std::string& patient_id);

  // The plaintext of a document read with find(). kDataLoss when the stored
  // content does not open or does not match the document's size and
  // SHA-256; nothing of it is returned then.
  Result<std::string> read_content(soci::session& session, const Document& document);

  // The patient of the row with this id, read without opening or checking
  // it: what the audit of a read that failed its integrity check names.
  // Empty when there is no such row.
  std::string stored_patient_id(soci::session& session, const std::string& id);

 private:
  Result<Document> decode(const soci::row& row);

  storage::DataProtection& protection_;
};

// Whether `content` is what `document` describes: its size and SHA-256
// (compared in constant time).
bool content_matches(const Document& document, std::string_view content);

}  // namespace th::documents
