// MessageEvents: what the messaging service announces after a commit, for
// whoever delivers it live (the daemon's WebSocket hub, and through it the
// other daemons). Called on the thread that made the change, after its
// audit event is recorded; implementations are thread-safe and must not
// throw.
#pragma once

#include <string>
#include <vector>

#include "messaging/conversation.h"

namespace th::messaging {

class MessageEvents {
 public:
  virtual ~MessageEvents() = default;

  // A message was posted; member_ids are the conversation's members.
  virtual void message_posted(const Conversation& conversation,
                              const std::vector<std::string>& member_ids,
                              const Message& message) = 0;

  // A member's read mark moved to seq.
  virtual void message_read(const Conversation& conversation,
                            const std::vector<std::string>& member_ids,
                            const std::string& reader_id, std::int64_t seq) = 0;
};

}  // namespace th::messaging
