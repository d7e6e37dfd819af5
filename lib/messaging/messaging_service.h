// MessagingService: secure messaging between a patient and their care team,
// and among staff.
//
// Who may do what:
//   - message.send to create a conversation or post to one, message.read to
//     list, read, search and mark read;
//   - a care conversation concerns one patient; its members are that
//     patient's own user accounts and members of the patient's care team,
//     and every operation checks that again (a clinician who left the care
//     team loses the conversation, though still listed as a member);
//   - a staff conversation has staff members only;
//   - a conversation the caller may not reach is reported as not found
//     (kNotFound "not_found: ..."), like one that does not exist, and the
//     refusal is audited.
// Every operation is audited after its transaction commits, with the
// patient's id for care conversations; results are returned only once
// their event is recorded (fail closed). After a post or a read mark, the
// MessageEvents observer is told, for live delivery; inside their
// transactions, MessageNotices plans (or withdraws) the email notices of
// unread messages.
// A message may refer to up to kMaxAttachments documents; the
// AttachmentPolicy decides inside the send's transaction whether the sender
// may attach each, and a refusal (kPermissionDenied "forbidden: ...") is
// audited as a denied attach of that document. Without a policy, no
// message carries attachments.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/caller.h"
#include "access/care_team_store.h"
#include "access/user_store.h"
#include "audit/audit_event.h"
#include "messaging/attachment_policy.h"
#include "messaging/conversation_store.h"
#include "messaging/message_events.h"
#include "messaging/message_notices.h"
#include "messaging/message_store.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::messaging {

struct ConversationDraft {
  ConversationKind kind = ConversationKind::kCare;
  std::string patient_id;               // care conversations only
  std::vector<std::string> member_ids;  // besides the creator, who is always a member
  std::string subject;                  // optional, at most kMaxSubjectBytes
};

struct ConversationView {
  Conversation conversation;
  std::vector<ConversationMember> members;
};

struct PostedMessage {
  Message message;
  bool duplicate = false;  // a retried send: the message posted the first time
};

struct MessagingDeps {
  storage::Database& database;
  ConversationStore& conversations;
  MessageStore& messages;
  access::UserStore& users;
  access::CareTeamStore& care_teams;
  audit::AuditSink& audit;
  const Clock& clock;
};

class MessagingService {
 public:
  explicit MessagingService(MessagingDeps deps) : deps_(deps) {}

  // Not thread-safe: set once at start-up, before the service is shared.
  void set_events(MessageEvents* events) { events_ = events; }
  // Where the email notices of unread messages go; none when unset. Set
  // once at start-up too.
  void set_notices(MessageNotices* notices) { notices_ = notices; }
  // Who may attach what; set once at start-up too.
  void set_attachments(AttachmentPolicy* attachments) { attachments_ = attachments; }

  // kInvalidArgument for a bad draft or a member who may not be in it
  // (naming the rule, never the member's data).
  Result<ConversationView> create(const ConversationDraft& draft, const access::Caller& caller);

  // The caller's conversations, newest first.
  Result<std::vector<ConversationView>> list_own(const access::Caller& caller);

  // Posts body (1 to kMaxBodyBytes of UTF-8) with up to kMaxAttachments
  // distinct document ids. A client_ref already used by this sender in this
  // conversation returns the earlier message instead.
  Result<PostedMessage> send(const std::string& conversation_id, const std::string& body,
                             const std::string& client_ref, const access::Caller& caller,
                             const std::vector<std::string>& attachments = {});

  // Messages in range (MessageRange), limit at most 500.
  Result<std::vector<Message>> history(const std::string& conversation_id,
                                       const MessageRange& range, const access::Caller& caller);

  // Messages of the caller's conversations whose body contains text
  // (ignoring ASCII case), newest first, at most limit; looks at the newest
  // 1000 messages of each conversation.
  Result<std::vector<Message>> search(const std::string& text, std::size_t limit,
                                      const access::Caller& caller);

  // The conversation and its members' ids, for delivering a change another
  // daemon announced. Not a read on anyone's behalf, so neither checked nor
  // audited: what is then delivered is read per recipient through
  // history(), which is both.
  Result<std::pair<Conversation, std::vector<std::string>>> delivery_target(
      const std::string& conversation_id);

  // Moves the caller's read mark to seq; returns whether it moved.
  Result<bool> mark_read(const std::string& conversation_id, std::int64_t seq,
                         const access::Caller& caller);

 private:
  Result<Conversation> reachable(soci::session& session, const std::string& conversation_id,
                                 const access::Principal& principal);
  Result<bool> may_reach(soci::session& session, const Conversation& conversation,
                         const access::Principal& principal);
  Status plan_notices(soci::session& session, const Message& message,
                      const std::vector<ConversationMember>& members);
  Status check_members(soci::session& session, const ConversationDraft& draft,
                       const std::vector<std::string>& member_ids);
  // Audits the refusal and returns the error.
  Error deny(const access::Caller& caller, const std::string& resource_id, const Error& error);
  Status audited(audit::AuditEvent event);
  Error refuse_attachment(const access::Caller& caller, const AttachmentRefusal& refusal);

  MessagingDeps deps_;
  MessageEvents* events_ = nullptr;
  MessageNotices* notices_ = nullptr;
  AttachmentPolicy* attachments_ = nullptr;
};

}  // namespace th::messaging
