#include "messaging/messaging_service.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "audit/utf8.h"
#include "crypto/uuid.h"

namespace th::messaging {
namespace {

constexpr std::size_t kMaxHistoryLimit = 500;
constexpr std::size_t kSearchDepth = 1000;

Error not_found() {
  return Error(ErrorCode::kNotFound, "not_found: no such conversation");
}

Error permission_missing(std::string_view permission) {
  return Error(ErrorCode::kPermissionDenied,
               "forbidden: this requires the permission '" + std::string(permission) + "'");
}

bool plain_client_ref(const std::string& ref) {
  return ref.size() <= kMaxClientRefBytes && std::all_of(ref.begin(), ref.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                  c == '.' || c == ':';
         });
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  const auto found = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                 [](char a, char b) {
                                   return std::tolower(static_cast<unsigned char>(a)) ==
                                          std::tolower(static_cast<unsigned char>(b));
                                 });
  return found != haystack.end();
}

std::vector<std::string> member_ids_of(const std::vector<ConversationMember>& members) {
  std::vector<std::string> ids;
  ids.reserve(members.size());
  for (const ConversationMember& member : members) {
    ids.push_back(member.user_id);
  }
  return ids;
}

bool valid_attachments(const std::vector<std::string>& ids) {
  const std::set<std::string> unique(ids.begin(), ids.end());
  return ids.size() <= kMaxAttachments && unique.size() == ids.size() &&
         std::all_of(ids.begin(), ids.end(), [](const std::string& id) {
           return id.size() == 36 && std::all_of(id.begin(), id.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == '-';
                  });
         });
}

}  // namespace

Error MessagingService::refuse_attachment(const access::Caller& caller,
                                          const AttachmentRefusal& refusal) {
  audit::AuditEvent event = caller.event("attach", "document", refusal.document_id);
  event.patient_id = refusal.patient_id;
  event.outcome = audit::AuditOutcome::kDenied;
  event.reason = refusal.reason;
  (void)audited(std::move(event));
  return Error(ErrorCode::kPermissionDenied, "forbidden: " + refusal.reason);
}

Status MessagingService::audited(audit::AuditEvent event) {
  return deps_.audit.record(std::move(event));
}

Error MessagingService::deny(const access::Caller& caller, const std::string& resource_id,
                             const Error& error) {
  audit::AuditEvent event = caller.event("access", "conversation", resource_id);
  event.outcome = audit::AuditOutcome::kDenied;
  const std::string& message = error.message();
  event.reason = message.substr(0, message.find(':'));
  (void)audited(std::move(event));
  return error;
}

// The scope rule for one conversation: a member, and for a care
// conversation still the patient or on the patient's care team.
Result<bool> MessagingService::may_reach(soci::session& session, const Conversation& conversation,
                                         const access::Principal& principal) {
  if (!deps_.conversations.member(session, conversation.id, principal.user_id)) {
    return false;
  }
  if (conversation.kind == ConversationKind::kStaff) {
    return principal.patient_id.empty();
  }
  if (!principal.patient_id.empty()) {
    return principal.patient_id == conversation.patient_id;
  }
  return deps_.care_teams.is_member(session, conversation.patient_id, principal.user_id);
}

Result<Conversation> MessagingService::reachable(soci::session& session,
                                                 const std::string& conversation_id,
                                                 const access::Principal& principal) {
  auto conversation = deps_.conversations.find(session, conversation_id);
  if (!conversation.ok()) {
    return conversation.error();
  }
  if (!conversation->has_value()) {
    return not_found();
  }
  auto allowed = may_reach(session, **conversation, principal);
  if (!allowed.ok()) {
    return allowed.error();
  }
  if (!*allowed) {
    return not_found();
  }
  return std::move(**conversation);
}

// Who may be in a conversation: for a care one, the patient's own users and
// the patient's care team; for a staff one, active staff.
Status MessagingService::check_members(soci::session& session, const ConversationDraft& draft,
                                       const std::vector<std::string>& member_ids) {
  for (const std::string& id : member_ids) {
    auto user = deps_.users.find_by_id(session, id);
    if (!user.ok()) {
      return user.error();
    }
    if (!user->has_value() || (*user)->status != access::UserStatus::kActive) {
      return Error(ErrorCode::kInvalidArgument, "invalid_payload: a member is not an active user");
    }
    const access::User& member = **user;
    if (draft.kind == ConversationKind::kStaff) {
      if (member.kind != access::UserKind::kStaff) {
        return Error(ErrorCode::kInvalidArgument,
                     "invalid_payload: a staff conversation has staff members only");
      }
      continue;
    }
    const bool own_patient =
        member.kind == access::UserKind::kPatient && member.patient_id == draft.patient_id;
    const bool on_team = member.kind == access::UserKind::kStaff &&
                         deps_.care_teams.is_member(session, draft.patient_id, member.id);
    if (!own_patient && !on_team) {
      return Error(ErrorCode::kInvalidArgument,
                   "invalid_payload: members must be the patient or on the patient's care team");
    }
  }
  return ok_status();
}

Result<ConversationView> MessagingService::create(const ConversationDraft& draft,
                                                  const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.send")) {
    return permission_missing("message.send");
  }
  if (draft.subject.size() > kMaxSubjectBytes || !audit::is_valid_utf8(draft.subject)) {
    return Error(ErrorCode::kInvalidArgument, "invalid_payload: subject is at most 200 bytes");
  }
  if (draft.kind == ConversationKind::kCare && draft.patient_id.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: a care conversation names a patient");
  }
  std::set<std::string> unique(draft.member_ids.begin(), draft.member_ids.end());
  unique.insert(principal.user_id);
  if (unique.size() < 2 || unique.size() > kMaxMembers) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: a conversation has 2 to 50 members, the creator included");
  }

  ConversationView view;
  view.conversation.id = crypto::new_uuid_v4();
  view.conversation.kind = draft.kind;
  view.conversation.patient_id = draft.kind == ConversationKind::kCare ? draft.patient_id : "";
  view.conversation.subject = draft.subject;
  view.conversation.created_by = principal.user_id;
  view.conversation.created_at = deps_.clock.now_micros();
  for (const std::string& id : unique) {
    view.members.push_back({id, view.conversation.created_at, 0});
  }
  ConversationDraft effective = draft;
  effective.patient_id = view.conversation.patient_id;

  auto created = deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(check_members(session, effective, {unique.begin(), unique.end()}));
    return deps_.conversations.insert(session, view.conversation, view.members);
  });
  audit::AuditEvent event = caller.event("create", "conversation", view.conversation.id);
  event.patient_id = view.conversation.patient_id;
  if (!created.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = created.error().message().substr(0, created.error().message().find(':'));
    (void)audited(std::move(event));
    return created.error();
  }
  TH_RETURN_IF_ERROR(audited(std::move(event)));
  return view;
}

Result<std::vector<ConversationView>> MessagingService::list_own(const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.read")) {
    return permission_missing("message.read");
  }
  auto listed =
      deps_.database.run([&](soci::session& session) -> Result<std::vector<ConversationView>> {
        auto conversations = deps_.conversations.for_user(session, principal.user_id);
        if (!conversations.ok()) {
          return conversations.error();
        }
        std::vector<ConversationView> views;
        for (Conversation& conversation : *conversations) {
          auto allowed = may_reach(session, conversation, principal);
          if (!allowed.ok()) {
            return allowed.error();
          }
          if (*allowed) {
            views.push_back({conversation, deps_.conversations.members(session, conversation.id)});
          }
        }
        return views;
      });
  if (!listed.ok()) {
    return listed.error();
  }
  audit::AuditEvent event = caller.event("read", "conversation");
  std::set<std::string> patients;
  for (const ConversationView& view : *listed) {
    if (!view.conversation.patient_id.empty()) {
      patients.insert(view.conversation.patient_id);
    }
  }
  event.patient_ids.assign(patients.begin(), patients.end());
  TH_RETURN_IF_ERROR(audited(std::move(event)));
  return listed;
}

Result<PostedMessage> MessagingService::send(const std::string& conversation_id,
                                             const std::string& body, const std::string& client_ref,
                                             const access::Caller& caller,
                                             const std::vector<std::string>& attachments) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.send")) {
    return permission_missing("message.send");
  }
  if (body.empty() || body.size() > kMaxBodyBytes || !audit::is_valid_utf8(body)) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: body is 1 to 16384 bytes of UTF-8 text");
  }
  if (!plain_client_ref(client_ref)) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: client_ref is at most 64 letters, digits or -_.:");
  }
  if (!valid_attachments(attachments)) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: attachments are at most 5 distinct document ids");
  }
  if (!attachments.empty() && attachments_ == nullptr) {
    return Error(ErrorCode::kFailedPrecondition,
                 "failed_precondition: this daemon takes no attachments");
  }

  PostedMessage posted;
  std::optional<AttachmentRefusal> refusal;
  Conversation conversation;
  std::vector<std::string> member_ids;
  auto sent = deps_.database.run_write_transaction([&](soci::session& session) -> Status {
    auto found = reachable(session, conversation_id, principal);
    if (!found.ok()) {
      return found.error();
    }
    conversation = std::move(*found);
    const std::vector<ConversationMember> members =
        deps_.conversations.members(session, conversation_id);
    member_ids = member_ids_of(members);
    if (!client_ref.empty()) {
      auto earlier = deps_.messages.find_by_client_ref(session, conversation_id, principal.user_id,
                                                       client_ref);
      if (!earlier.ok()) {
        return earlier.error();
      }
      if (earlier->has_value()) {
        posted.message = std::move(**earlier);
        posted.duplicate = true;
        return ok_status();
      }
    }
    if (!attachments.empty()) {
      auto checked = attachments_->check(session, principal, conversation, attachments);
      if (!checked.ok()) {
        return checked.error();
      }
      refusal = std::move(*checked);
      if (refusal) {
        return Error(ErrorCode::kPermissionDenied, "forbidden: " + refusal->reason);
      }
    }
    Message& message = posted.message;
    message.id = crypto::new_uuid_v4();
    message.conversation_id = conversation_id;
    message.seq = deps_.conversations.claim_next_seq(session, conversation_id);
    message.sender_id = principal.user_id;
    message.sent_at = deps_.clock.now_micros();
    message.body = body;
    message.client_ref = client_ref;
    message.attachments = attachments;
    TH_RETURN_IF_ERROR(deps_.messages.insert(session, message));
    return plan_notices(session, message, members);
  });
  if (!sent.ok()) {
    if (sent.error().code() == ErrorCode::kNotFound) {
      return deny(caller, conversation_id, sent.error());
    }
    if (refusal) {
      return refuse_attachment(caller, *refusal);
    }
    return sent.error();
  }
  if (notices_ != nullptr && !posted.duplicate) {
    notices_->after_commit();
  }
  audit::AuditEvent event = caller.event("create", "message", posted.message.id);
  event.patient_id = conversation.patient_id;
  TH_RETURN_IF_ERROR(audited(std::move(event)));
  if (events_ != nullptr && !posted.duplicate) {
    events_->message_posted(conversation, member_ids, posted.message);
  }
  return posted;
}

Result<std::vector<Message>> MessagingService::history(const std::string& conversation_id,
                                                       const MessageRange& range,
                                                       const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.read")) {
    return permission_missing("message.read");
  }
  if (range.limit == 0 || range.limit > kMaxHistoryLimit || range.after < 0 || range.before < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: limit is 1 to 500 and cursors are not negative");
  }
  std::string patient_id;
  auto messages = deps_.database.run([&](soci::session& session) -> Result<std::vector<Message>> {
    auto conversation = reachable(session, conversation_id, principal);
    if (!conversation.ok()) {
      return conversation.error();
    }
    patient_id = conversation->patient_id;
    return deps_.messages.range(session, conversation_id, range);
  });
  if (!messages.ok()) {
    if (messages.error().code() == ErrorCode::kNotFound) {
      return deny(caller, conversation_id, messages.error());
    }
    return messages.error();
  }
  audit::AuditEvent event = caller.event("read", "message", conversation_id);
  event.patient_id = patient_id;
  TH_RETURN_IF_ERROR(audited(std::move(event)));
  return messages;
}

Result<std::vector<Message>> MessagingService::search(const std::string& text, std::size_t limit,
                                                      const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.read")) {
    return permission_missing("message.read");
  }
  if (text.empty() || text.size() > 200 || limit == 0 || limit > kMaxHistoryLimit) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: search text is 1 to 200 bytes and limit 1 to 500");
  }
  std::set<std::string> patients;
  auto found = deps_.database.run([&](soci::session& session) -> Result<std::vector<Message>> {
    auto conversations = deps_.conversations.for_user(session, principal.user_id);
    if (!conversations.ok()) {
      return conversations.error();
    }
    std::vector<Message> matches;
    for (const Conversation& conversation : *conversations) {
      auto allowed = may_reach(session, conversation, principal);
      if (!allowed.ok()) {
        return allowed.error();
      }
      if (!*allowed) {
        continue;
      }
      MessageRange newest;
      newest.before = conversation.last_seq + 1;
      newest.limit = kSearchDepth;
      auto messages = deps_.messages.range(session, conversation.id, newest);
      if (!messages.ok()) {
        return messages.error();
      }
      for (Message& message : *messages) {
        if (contains_ignoring_case(message.body, text)) {
          if (!conversation.patient_id.empty()) {
            patients.insert(conversation.patient_id);
          }
          matches.push_back(std::move(message));
        }
      }
    }
    std::sort(matches.begin(), matches.end(),
              [](const Message& a, const Message& b) { return a.sent_at > b.sent_at; });
    if (matches.size() > limit) {
      matches.resize(limit);
    }
    return matches;
  });
  if (!found.ok()) {
    return found.error();
  }
  audit::AuditEvent event = caller.event("search", "message");
  event.patient_ids.assign(patients.begin(), patients.end());
  TH_RETURN_IF_ERROR(audited(std::move(event)));
  return found;
}

Result<std::pair<Conversation, std::vector<std::string>>> MessagingService::delivery_target(
    const std::string& conversation_id) {
  return deps_.database.run(
      [&](soci::session& session) -> Result<std::pair<Conversation, std::vector<std::string>>> {
        auto conversation = deps_.conversations.find(session, conversation_id);
        if (!conversation.ok()) {
          return conversation.error();
        }
        if (!conversation->has_value()) {
          return not_found();
        }
        return std::make_pair(std::move(**conversation),
                              member_ids_of(deps_.conversations.members(session, conversation_id)));
      });
}

// Every member but the sender may get a notice of the new message.
Status MessagingService::plan_notices(soci::session& session, const Message& message,
                                      const std::vector<ConversationMember>& members) {
  if (notices_ == nullptr) {
    return ok_status();
  }
  for (const ConversationMember& member : members) {
    if (member.user_id == message.sender_id) {
      continue;
    }
    UnreadMessage unread{message.conversation_id, member.user_id, message.seq, member.read_seq,
                         message.sent_at};
    TH_RETURN_IF_ERROR(notices_->queue(session, unread));
  }
  return ok_status();
}

Result<bool> MessagingService::mark_read(const std::string& conversation_id, std::int64_t seq,
                                         const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  if (!principal.has_permission("message.read")) {
    return permission_missing("message.read");
  }
  if (seq <= 0) {
    return Error(ErrorCode::kInvalidArgument, "invalid_payload: seq must be positive");
  }
  Conversation conversation;
  std::vector<std::string> member_ids;
  auto moved = deps_.database.run_write_transaction([&](soci::session& session) -> Result<bool> {
    auto found = reachable(session, conversation_id, principal);
    if (!found.ok()) {
      return found.error();
    }
    conversation = std::move(*found);
    member_ids = member_ids_of(deps_.conversations.members(session, conversation_id));
    const bool moved_mark =
        deps_.conversations.mark_read(session, conversation_id, principal.user_id, seq);
    if (moved_mark && notices_ != nullptr) {
      TH_RETURN_IF_ERROR(notices_->withdraw(session, conversation_id, principal.user_id, seq));
    }
    return moved_mark;
  });
  if (!moved.ok()) {
    if (moved.error().code() == ErrorCode::kNotFound) {
      return deny(caller, conversation_id, moved.error());
    }
    return moved.error();
  }
  if (*moved && events_ != nullptr) {
    events_->message_read(conversation, member_ids, principal.user_id, seq);
  }
  return moved;
}

}  // namespace th::messaging
