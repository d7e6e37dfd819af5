#include "documents/document_attachments.h"

namespace th::documents {

Result<std::optional<messaging::AttachmentRefusal>> DocumentAttachments::check(
    soci::session& session, const access::Principal& sender,
    const messaging::Conversation& conversation, const std::vector<std::string>& document_ids) {
  using Refusal = std::optional<messaging::AttachmentRefusal>;
  const auto refused = [](const std::string& id, const std::string& patient_id,
                          std::string reason) {
    return Refusal(messaging::AttachmentRefusal{id, patient_id, std::move(reason)});
  };
  for (const std::string& id : document_ids) {
    if (!sender.has_permission("document.read")) {
      return refused(id, "", "this requires the permission 'document.read'");
    }
    auto found = documents_.find(session, id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return refused(id, "", "no such document");
    }
    const Document& document = **found;
    if (conversation.kind == messaging::ConversationKind::kCare &&
        document.patient_id != conversation.patient_id) {
      return refused(id, document.patient_id, "the document is not the conversation's patient's");
    }
    auto decision = scope_.decide(session, sender, document.patient_id,
                                  access::PatientDataKind::kClinical, "document.read");
    if (!decision.ok()) {
      return decision.error();
    }
    if (!decision->allowed) {
      return refused(id, document.patient_id, decision->denial_reason);
    }
  }
  return Refusal();
}

}  // namespace th::documents
