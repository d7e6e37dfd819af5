// MessageStore: the messages of conversations. The body is sealed, and each
// row carries an integrity tag over the body, its conversation, sender and
// client reference (layout() tells the integrity check how).
//
// Calls take the caller's session; stateless apart from the DataProtection
// reference, thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <vector>

#include "messaging/conversation.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/result.h"

namespace th::messaging {

// Which messages of a conversation: seq > after and seq < before (0 for no
// bound), at most limit of them, oldest first; with only `before`, the
// newest ones below it.
struct MessageRange {
  std::int64_t after = 0;
  std::int64_t before = 0;
  std::size_t limit = 100;
};

class MessageStore {
 public:
  explicit MessageStore(storage::DataProtection& protection) : protection_(protection) {}

  static const storage::SealedTableLayout& layout();

  // Inside the transaction that claimed message.seq.
  Status insert(soci::session& session, const Message& message);

  // The message a sender already posted under client_ref, if any (a retried
  // send returns it instead of posting twice).
  Result<std::optional<Message>> find_by_client_ref(soci::session& session,
                                                    const std::string& conversation_id,
                                                    const std::string& sender_id,
                                                    const std::string& client_ref);

  // kDataLoss when a row fails its integrity check.
  Result<std::vector<Message>> range(soci::session& session, const std::string& conversation_id,
                                     const MessageRange& range);

 private:
  Result<std::vector<Message>> decode_all(soci::rowset<soci::row>& rows);

  storage::DataProtection& protection_;
};

}  // namespace th::messaging
