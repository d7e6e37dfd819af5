// DocumentAttachments: the rule for attaching documents to messages.
//
//   - the sender holds document.read and may read each document under the
//     care-team scope (DocumentService's rule);
//   - in a care conversation, each document is that conversation's
//     patient's;
//   - in a staff conversation, each document's patient is in the sender's
//     scope (the rule above), whoever's it is; recipients still need their
//     own scope to open a document (GET /api/v1/documents/ID/content).
// Stateless apart from its references; thread-safe.
#pragma once

#include "access/patient_scope.h"
#include "documents/document_store.h"
#include "messaging/attachment_policy.h"

namespace th::documents {

class DocumentAttachments final : public messaging::AttachmentPolicy {
 public:
  DocumentAttachments(DocumentStore& documents, access::PatientScope& scope)
      : documents_(documents), scope_(scope) {}

  Result<std::optional<messaging::AttachmentRefusal>> check(
      soci::session& session, const access::Principal& sender,
      const messaging::Conversation& conversation,
      const std::vector<std::string>& document_ids) override;

 private:
  DocumentStore& documents_;
  access::PatientScope& scope_;
};

}  // namespace th::documents
