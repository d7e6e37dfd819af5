// AttachmentPolicy: whether a sender may attach documents to a message in
// a conversation. Messaging knows only document ids; the document layer
// (documents/document_attachments.h) implements the rule, so messaging
// does not depend on it.
//
// Implementations are thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "messaging/conversation.h"
#include "util/result.h"

namespace th::messaging {

// The first attachment refused, and why (a short sentence without stored
// values), for the audit trail and the error.
struct AttachmentRefusal {
  std::string document_id;
  std::string patient_id;  // the document's patient, when it exists
  std::string reason;
};

class AttachmentPolicy {
 public:
  virtual ~AttachmentPolicy() = default;

  // Runs inside the send's transaction. No refusal means every document may
  // be attached. Errors are the database's, or kDataLoss for a document
  // that failed its integrity check.
  virtual Result<std::optional<AttachmentRefusal>> check(
      soci::session& session, const access::Principal& sender, const Conversation& conversation,
      const std::vector<std::string>& document_ids) = 0;
};

}  // namespace th::messaging
