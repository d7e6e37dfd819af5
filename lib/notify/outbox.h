// Outbox: the durable queue of messages to patients (the outbox_messages
// table), written inside the transaction of the change it tells of and
// drained by the OutboxDispatcher.
//
// Queuing (enqueue, supersede) runs on the caller's session, inside the
// caller's transaction: a booking and its reminders commit together or not
// at all. A message whose dedupe key is already stored is not queued again.
//
// Sending is claim, send, report:
//   - claim() takes due messages in a short transaction of its own: on
//     PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, so daemons sharing
//     the database never take the same row; on SQLite under the write lock
//     of BEGIN IMMEDIATE. Each claimed row becomes `sending` with a lease (an
//     expiry, the node, a random claim token) and one more attempt counted.
//   - the caller sends outside any transaction;
//   - mark_sent(), mark_retry() or mark_failed() then change the row only if
//     the claim token still matches, so a sender whose lease ran out and
//     whose row was claimed again cannot overwrite the newer claim.
// A sender that dies mid-send leaves its row `sending`; once the lease has
// run out, the next claim takes it again. That is the one place a message
// can go out twice: the provider accepted it, and the sender died before it
// recorded that. Email carries a Message-ID that stays the same on every
// attempt, so receiving systems can drop the copy.
//
// A message is sealed while it waits and blanked (recipient, subject, body,
// attachment) once sent or cancelled: nothing personal stays behind.
//
// Thread-safe: no state beyond the DataProtection and the Clock, both
// shareable. Session methods throw what SOCI throws (Database::run converts
// it); the Database methods return errors.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/outbox_message.h"
#include "storage/data_protection.h"
#include "storage/database.h"
#include "storage/sealed_table_checker.h"
#include "util/clock.h"

namespace th::notify {

struct ClaimOptions {
  std::string node;                  // recorded as claimed_by
  std::size_t limit = 20;            // messages per claim
  std::int64_t lease_seconds = 300;  // how long a claim keeps others off
  int max_attempts = 8;              // a lapsed claim at this count fails the row
};

struct OutboxFilter {
  std::optional<OutboxStatus> status;  // any when empty
  std::string reference;               // any when empty
  std::size_t limit = 100;
};

class Outbox {
 public:
  Outbox(storage::DataProtection& protection, const Clock& clock)
      : protection_(protection), clock_(clock) {}

  // How rows are sealed, for `thctl integrity check`: four sealed fields,
  // each empty when absent or blanked; no tag.
  static const storage::SealedTableLayout& layout();

  // Queues `message` on the caller's session (and transaction). Returns
  // true when queued, false when a message with its dedupe key already
  // exists (that one is left as it is). kInvalidArgument for a message
  // without a dedupe key or recipient.
  [[nodiscard]] Result<bool> enqueue(soci::session& session, const NewMessage& message);

  // Cancels the pending messages about `reference` planned for a revision
  // below `revision` (the reminders of a visit that moved or was cancelled).
  // Messages being sent are left alone. Returns how many were cancelled.
  [[nodiscard]] Result<int> supersede(soci::session& session, std::string_view reference,
                                      std::int64_t revision);

  // Claims due messages (see above). Rows past their expiry, rows whose
  // lease ran out at their last allowed attempt, and rows whose sealed
  // fields do not open are failed instead of returned.
  [[nodiscard]] Result<std::vector<ClaimedMessage>> claim(storage::Database& database,
                                                          const ClaimOptions& options);

  // The outcome of a send. Each returns false when the claim was lost (the
  // row was claimed again after the lease ran out) and nothing was changed.
  [[nodiscard]] Result<bool> mark_sent(storage::Database& database, const ClaimedMessage& claimed);
  [[nodiscard]] Result<bool> mark_retry(storage::Database& database, const ClaimedMessage& claimed,
                                        UnixMicros next_attempt_at, std::string_view error);
  [[nodiscard]] Result<bool> mark_failed(storage::Database& database, const ClaimedMessage& claimed,
                                         std::string_view error);

  // Extends the lease of every row of a claim still being sent (the
  // dispatcher renews while it works through a batch, so a slow send never
  // outlives its lease while the sender is alive). Returns rows renewed.
  [[nodiscard]] Result<int> renew(storage::Database& database, const std::string& claim_token,
                                  std::int64_t lease_seconds);

  // Gives a claimed message back unsent (at shutdown), due at once and with
  // the attempt not counted. False when the claim was lost.
  [[nodiscard]] Result<bool> release(storage::Database& database, const ClaimedMessage& claimed);

  // For operators: newest first.
  [[nodiscard]] std::vector<OutboxEntry> list(soci::session& session, const OutboxFilter& filter);
  [[nodiscard]] std::optional<OutboxEntry> find(soci::session& session, const std::string& id);

  // Makes a failed message pending again, due now, with its attempts reset.
  // kNotFound for an unknown id, kFailedPrecondition for a message that has
  // not failed (a sent message is never sent again this way).
  [[nodiscard]] Status retry(soci::session& session, const std::string& id);

 private:
  Result<std::string> seal(std::string_view value, std::string_view column, const std::string& id);
  Result<std::string> open(std::string_view stored, std::string_view column, const std::string& id);
  Result<bool> finish(storage::Database& database, const ClaimedMessage& claimed,
                      OutboxStatus outcome, UnixMicros next_attempt_at, std::string_view error);

  storage::DataProtection& protection_;
  const Clock& clock_;
};

}  // namespace th::notify
