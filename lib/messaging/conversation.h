// The records of secure messaging: conversations, their members, and the
// messages posted to them, with the limits their fields must keep.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"

namespace th::messaging {

// A care conversation is about one patient: the patient (their user
// accounts) and members of their care team. A staff conversation is among
// staff only and concerns no patient.
enum class ConversationKind { kCare, kStaff };

std::string_view conversation_kind_name(ConversationKind kind);
// "care" or "staff"; false for anything else.
bool parse_conversation_kind(std::string_view text, ConversationKind& kind);

inline constexpr std::size_t kMaxSubjectBytes = 200;
inline constexpr std::size_t kMaxBodyBytes = 16 * 1024;
inline constexpr std::size_t kMaxClientRefBytes = 64;
inline constexpr std::size_t kMaxMembers = 50;
inline constexpr std::size_t kMaxAttachments = 5;

struct Conversation {
  std::string id;
  ConversationKind kind = ConversationKind::kCare;
  std::string patient_id;  // empty for staff conversations
  std::string subject;
  std::string created_by;
  UnixMicros created_at = 0;
  std::int64_t last_seq = 0;  // the newest message's sequence number
};

struct ConversationMember {
  std::string user_id;
  UnixMicros added_at = 0;
  std::int64_t read_seq = 0;  // the member has read everything up to here
};

struct Message {
  std::string id;
  std::string conversation_id;
  std::int64_t seq = 0;  // 1, 2, 3... within the conversation, assigned by the database
  std::string sender_id;
  UnixMicros sent_at = 0;
  std::string body;
  std::string client_ref;  // the sender's idempotency key, or empty
  // Ids of documents (documents/document.h) the message refers to; opening
  // one is a read of the document under its own checks.
  std::vector<std::string> attachments;
};

}  // namespace th::messaging
