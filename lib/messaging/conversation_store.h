// ConversationStore: conversations and their members in the database. The
// subject is sealed, and each conversation row carries an integrity tag
// over the subject, kind, patient and creator (layout() tells the integrity
// check how).
//
// Sequence numbers of messages are handed out here, in the database: a
// send claims the next number with an UPDATE of the conversation's row
// inside its transaction, so concurrent senders, through any number of
// daemons, are serialised on that row and get 1, 2, 3... with no gap and no
// repeat (messages' UNIQUE (conversation_id, seq) is the backstop).
//
// Calls take the caller's session (inside its transaction where they
// write); stateless apart from the DataProtection reference, thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "messaging/conversation.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/result.h"

namespace th::messaging {

class ConversationStore {
 public:
  explicit ConversationStore(storage::DataProtection& protection) : protection_(protection) {}

  static const storage::SealedTableLayout& layout();

  Status insert(soci::session& session, const Conversation& conversation,
                const std::vector<ConversationMember>& members);

  // kDataLoss when the row fails its integrity check.
  Result<std::optional<Conversation>> find(soci::session& session, const std::string& id);

  // The conversations a user is a member of, newest activity first.
  Result<std::vector<Conversation>> for_user(soci::session& session, const std::string& user_id);

  std::vector<ConversationMember> members(soci::session& session, const std::string& id);
  std::optional<ConversationMember> member(soci::session& session, const std::string& id,
                                           const std::string& user_id);

  // Inside a write transaction: the next sequence number of the
  // conversation, already recorded as its last.
  std::int64_t claim_next_seq(soci::session& session, const std::string& id);

  // Moves the member's read mark forward to seq (never back, never past
  // the last message). True when it moved.
  bool mark_read(soci::session& session, const std::string& id, const std::string& user_id,
                 std::int64_t seq);

 private:
  Result<Conversation> decode(const soci::row& row);

  storage::DataProtection& protection_;
};

}  // namespace th::messaging
