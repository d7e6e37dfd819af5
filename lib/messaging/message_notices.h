// MessageNotices: telling a member by email that a secure message waits for
// them, when they have not read it within a delay (a clinician who is not
// signed in, say), without carrying anything of the message. The messaging
// service calls queue() inside the transaction that stores each message,
// once per member other than the sender, and withdraw() inside the
// transaction that moves a member's read mark; so a notice exists exactly
// when its message does, and a message read in time cancels its notice.
// after_commit() runs after either commits.
//
// Implementations are thread-safe. Session methods throw what SOCI throws
// (the surrounding Database call converts it) or return an error, which
// fails the post or the read mark.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>

#include "util/clock.h"
#include "util/result.h"

namespace th::messaging {

struct UnreadMessage {
  std::string conversation_id;
  std::string recipient_id;   // a member other than the sender
  std::int64_t seq = 0;       // the new message
  std::int64_t read_seq = 0;  // the recipient's read mark before it
  UnixMicros posted_at = 0;
};

class MessageNotices {
 public:
  virtual ~MessageNotices() = default;
  [[nodiscard]] virtual Status queue(soci::session& session, const UnreadMessage& unread) = 0;
  // The reader has now read everything up to seq.
  [[nodiscard]] virtual Status withdraw(soci::session& session, const std::string& conversation_id,
                                        const std::string& reader_id, std::int64_t seq) = 0;
  virtual void after_commit() = 0;
};

}  // namespace th::messaging
