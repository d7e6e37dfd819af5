// DocumentService: patients' uploaded documents (issue 6's attachments, the
// integrity requirement's stored documents).
//
// Who may do what:
//   - document.write to upload to a patient's record, document.read to list
//     a patient's documents, read one's metadata or its content;
//   - then the care-team scope of patient records (access/patient_scope.h):
//     a patient reaches only their own documents, staff only those of
//     patients on their care team (or in another registered relationship),
//     or under an emergency grant in force, which the audit marks;
//   - a refusal is kPermissionDenied ("forbidden: ...") and is audited.
// Uploads must be of an allowed media type (kInvalidArgument
// "unsupported_media_type: ...") and at most max_bytes long
// (kResourceExhausted "payload_too_large: ..."), checked before anything is
// stored. A stored document that fails its integrity check (tag, sealed
// name or content, or content that no longer hashes to its SHA-256) is
// never returned: the read fails with kDataLoss and is audited as an error
// naming the document and its patient.
//
// Every upload, read and listing is audited, with the patient's id (the
// patients listed, for a listing), before the data is returned (fail
// closed). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "access/caller.h"
#include "access/patient_scope.h"
#include "access/patient_store.h"
#include "audit/audit_event.h"
#include "documents/document.h"
#include "documents/document_store.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::documents {

struct DocumentDeps {
  storage::Database& database;
  DocumentStore& documents;
  access::PatientStore& patients;
  access::PatientScope& scope;
  audit::AuditSink& audit;
  const Clock& clock;
  std::int64_t max_bytes = kDefaultMaxBytes;
};

struct DocumentUpload {
  std::string patient;  // the patient's id or MRN
  std::string content_type;
  std::string file_name;  // as the client sent it; sanitised here
  std::string_view content;
};

struct DocumentContent {
  Document document;
  std::string content;
};

class DocumentService {
 public:
  explicit DocumentService(DocumentDeps deps) : deps_(deps) {}

  [[nodiscard]] std::int64_t max_bytes() const { return deps_.max_bytes; }

  // kNotFound when no patient has that id or MRN.
  Result<Document> upload(const DocumentUpload& upload, const access::Caller& caller);

  // The patient's (id or MRN) documents, newest first.
  Result<std::vector<Document>> list(const std::string& patient, const access::Caller& caller);

  // kNotFound when there is no such document.
  Result<Document> metadata(const std::string& id, const access::Caller& caller);
  Result<DocumentContent> content(const std::string& id, const access::Caller& caller);

 private:
  Result<std::string> resolve_patient(soci::session& session, const std::string& patient);
  Result<access::ScopeDecision> decide(soci::session& session, const access::Caller& caller,
                                       const std::string& patient_id, std::string_view permission);
  Result<Document> readable(soci::session& session, const std::string& id,
                            const access::Caller& caller, audit::AuditEvent& event);
  Error refuse(audit::AuditEvent event, const std::string& reason);
  Error failed(audit::AuditEvent event, const Error& error, const std::string& document_id);

  DocumentDeps deps_;
};

}  // namespace th::documents
