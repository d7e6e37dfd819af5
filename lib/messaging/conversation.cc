#include "messaging/conversation.h"

namespace th::messaging {

std::string_view conversation_kind_name(ConversationKind kind) {
  return kind == ConversationKind::kCare ? "care" : "staff";
}

bool parse_conversation_kind(std::string_view text, ConversationKind& kind) {
  if (text == "care") {
    kind = ConversationKind::kCare;
    return true;
  }
  if (text == "staff") {
    kind = ConversationKind::kStaff;
    return true;
  }
  return false;
}

}  // namespace th::messaging
