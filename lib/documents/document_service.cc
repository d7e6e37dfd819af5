#include "documents/document_service.h"

#include <openssl/crypto.h>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/uuid.h"

namespace th::documents {
namespace {

constexpr const char* kCorrupted = "the stored document failed its integrity check";

Error forbidden(const std::string& reason) {
  return Error(ErrorCode::kPermissionDenied, "forbidden: " + reason);
}

Error no_patient() {
  return Error(ErrorCode::kNotFound, "not_found: no patient with that id or MRN");
}

Error no_document() {
  return Error(ErrorCode::kNotFound, "not_found: no such document");
}

// The part of an error message before its detail: what an audit event
// records as the reason.
std::string reason_of(const Error& error) {
  const std::string& message = error.message();
  return message.substr(0, message.find(':'));
}

// How an allowed access came about, for the audit trail.
void mark_allowed(audit::AuditEvent& event, const access::ScopeDecision& decision) {
  event.emergency = decision.emergency;
  if (decision.emergency) {
    event.reason = "emergency access under grant " + decision.grant_id;
  } else if (!decision.relationship.empty()) {
    event.reason = "in scope through " + decision.relationship;
  }
}

}  // namespace

Error DocumentService::refuse(audit::AuditEvent event, const std::string& reason) {
  event.outcome = audit::AuditOutcome::kDenied;
  event.reason = reason;
  (void)deps_.audit.record(std::move(event));
  return forbidden(reason);
}

// Audits a read that did not happen for another reason than a refusal. A
// document that failed its integrity check is named with its patient, so
// the trail shows whose document could not be read.
Error DocumentService::failed(audit::AuditEvent event, const Error& error,
                              const std::string& document_id) {
  event.outcome = audit::AuditOutcome::kError;
  event.reason = reason_of(error);
  if (error.code() == ErrorCode::kDataLoss) {
    event.reason = kCorrupted;
    if (!document_id.empty()) {
      auto stored = deps_.database.run([&](soci::session& session) -> Result<std::string> {
        return deps_.documents.stored_patient_id(session, document_id);
      });
      if (stored.ok()) {
        event.patient_id = *stored;
      }
    }
  }
  (void)deps_.audit.record(std::move(event));
  return error;
}

// The id of the patient named by id or MRN, without opening their record:
// whether the caller may see it is decided next.
Result<std::string> DocumentService::resolve_patient(soci::session& session,
                                                     const std::string& patient) {
  std::string id = deps_.patients.stored_id(session, patient);
  if (id.empty()) {
    id = deps_.patients.stored_id_by_mrn(session, patient);
  }
  if (id.empty()) {
    return no_patient();
  }
  return id;
}

Result<access::ScopeDecision> DocumentService::decide(soci::session& session,
                                                      const access::Caller& caller,
                                                      const std::string& patient_id,
                                                      std::string_view permission) {
  if (!caller.principal.has_permission(permission)) {
    access::ScopeDecision refused;
    refused.denial_reason = "this requires the permission '" + std::string(permission) + "'";
    return refused;
  }
  return deps_.scope.decide(session, caller.principal, patient_id,
                            access::PatientDataKind::kClinical, permission);
}

Result<Document> DocumentService::upload(const DocumentUpload& upload,
                                         const access::Caller& caller) {
  audit::AuditEvent event = caller.event("create", "document");
  Document document;
  document.media_type = allowed_media_type(upload.content_type);
  if (document.media_type.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported_media_type: a document is application/pdf, image/png, "
                 "image/jpeg or text/plain");
  }
  if (upload.content.empty()) {
    return Error(ErrorCode::kInvalidArgument, "invalid_payload: the document is empty");
  }
  if (static_cast<std::int64_t>(upload.content.size()) > deps_.max_bytes) {
    return Error(ErrorCode::kResourceExhausted, "payload_too_large: a document is at most " +
                                                    std::to_string(deps_.max_bytes) + " bytes");
  }
  document.id = crypto::new_uuid_v4();
  document.uploaded_by = caller.principal.user_id;
  document.created_at = deps_.clock.now_micros();
  document.file_name = sanitize_file_name(upload.file_name);
  document.size_bytes = static_cast<std::int64_t>(upload.content.size());
  document.sha256_hex = crypto::hex_encode(crypto::sha256(upload.content));

  access::ScopeDecision decision;
  auto stored = deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    auto patient_id = resolve_patient(session, upload.patient);
    if (!patient_id.ok()) {
      return patient_id.error();
    }
    document.patient_id = *patient_id;
    event.patient_id = *patient_id;
    auto decided = decide(session, caller, *patient_id, "document.write");
    if (!decided.ok()) {
      return decided.error();
    }
    decision = *decided;
    if (!decision.allowed) {
      return forbidden(decision.denial_reason);
    }
    return deps_.documents.insert(session, document, upload.content);
  });
  if (!stored.ok()) {
    if (stored.error().code() == ErrorCode::kPermissionDenied) {
      return refuse(std::move(event), decision.denial_reason);
    }
    return failed(std::move(event), stored.error(), "");
  }
  event.resource_id = document.id;
  mark_allowed(event, decision);
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return document;
}

Result<std::vector<Document>> DocumentService::list(const std::string& patient,
                                                    const access::Caller& caller) {
  audit::AuditEvent event = caller.event("search", "document");
  access::ScopeDecision decision;
  auto listed = deps_.database.run([&](soci::session& session) -> Result<std::vector<Document>> {
    auto patient_id = resolve_patient(session, patient);
    if (!patient_id.ok()) {
      return patient_id.error();
    }
    event.patient_ids = {*patient_id};
    auto decided = decide(session, caller, *patient_id, "document.read");
    if (!decided.ok()) {
      return decided.error();
    }
    decision = *decided;
    if (!decision.allowed) {
      return forbidden(decision.denial_reason);
    }
    return deps_.documents.for_patient(session, *patient_id);
  });
  if (!listed.ok()) {
    if (listed.error().code() == ErrorCode::kPermissionDenied) {
      return refuse(std::move(event), decision.denial_reason);
    }
    // A data-loss message names the document by id, never its values.
    if (listed.error().code() == ErrorCode::kDataLoss) {
      event.outcome = audit::AuditOutcome::kError;
      event.reason = listed.error().message();
      (void)deps_.audit.record(std::move(event));
      return listed.error();
    }
    return failed(std::move(event), listed.error(), "");
  }
  mark_allowed(event, decision);
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return listed;
}

// The document, when it exists, is intact and the caller may read it;
// fills the event's patient and, for a refusal, its reason.
Result<Document> DocumentService::readable(soci::session& session, const std::string& id,
                                           const access::Caller& caller, audit::AuditEvent& event) {
  auto found = deps_.documents.find(session, id);
  if (!found.ok()) {
    return found.error();
  }
  if (!found->has_value()) {
    return no_document();
  }
  Document document = std::move(**found);
  event.patient_id = document.patient_id;
  auto decided = decide(session, caller, document.patient_id, "document.read");
  if (!decided.ok()) {
    return decided.error();
  }
  if (!decided->allowed) {
    event.reason = decided->denial_reason;
    return forbidden(decided->denial_reason);
  }
  mark_allowed(event, *decided);
  return document;
}

Result<Document> DocumentService::metadata(const std::string& id, const access::Caller& caller) {
  audit::AuditEvent event = caller.event("read", "document", id);
  auto document = deps_.database.run(
      [&](soci::session& session) { return readable(session, id, caller, event); });
  if (!document.ok()) {
    if (document.error().code() == ErrorCode::kPermissionDenied) {
      const std::string reason = event.reason;
      return refuse(std::move(event), reason);
    }
    return failed(std::move(event), document.error(), id);
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return document;
}

Result<DocumentContent> DocumentService::content(const std::string& id,
                                                 const access::Caller& caller) {
  audit::AuditEvent event = caller.event("read", "document_content", id);
  auto read = deps_.database.run([&](soci::session& session) -> Result<DocumentContent> {
    auto document = readable(session, id, caller, event);
    if (!document.ok()) {
      return document.error();
    }
    auto content = deps_.documents.read_content(session, *document);
    if (!content.ok()) {
      return content.error();
    }
    return DocumentContent{std::move(*document), std::move(*content)};
  });
  if (!read.ok()) {
    if (read.error().code() == ErrorCode::kPermissionDenied) {
      const std::string reason = event.reason;
      return refuse(std::move(event), reason);
    }
    return failed(std::move(event), read.error(), id);
  }
  if (Status recorded = deps_.audit.record(std::move(event)); !recorded.ok()) {
    OPENSSL_cleanse(read->content.data(), read->content.size());
    return recorded.error();
  }
  return read;
}

}  // namespace th::documents
