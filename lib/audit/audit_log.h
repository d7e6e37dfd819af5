// AuditLog: the append-only audit trail in the database, whose events are
// the leaves of an RFC 6962 Merkle tree. Leaf i is the row with seq i; its
// bytes are the event's canonical JSON with "seq": i (see log_entry.h) and
// its leaf hash, stored in hex, is SHA-256(0x00 || those bytes).
//
// Group commit. record() returns once its event is committed and durable
// (SQLite runs with synchronous=FULL; PostgreSQL with its default
// synchronous_commit). Callers that arrive while a transaction is being
// committed queue up, and the first of them to find the log idle commits
// everything queued in one transaction: one disk flush for many events, in
// the order the callers queued. If that transaction fails, every caller in
// it gets the error, and none of their events is stored (fail closed). On
// PostgreSQL's fast path (below) a batch's commit does not wait for the
// disk: the next batch is written while it is flushed, and its callers are
// answered only once a later synchronous commit has returned, which
// PostgreSQL's in-order log makes a proof that theirs is on disk. If that
// wait fails (the connection is lost) the callers get the error although
// their events may be stored: the same uncertainty as a lost connection
// during any COMMIT, and the safe side for an audit trail.
//
// Several daemons may share one PostgreSQL database. The first append of a
// daemon, and any append after the stored log stopped ending where this
// daemon last saw it, runs the locked path: a transaction that takes an
// advisory lock (on SQLite, the database's write lock), reads the stored
// tail under it, catches the in-memory tree up with the events other daemons
// appended, and inserts. Every other batch on PostgreSQL takes the fast
// path: one autocommitted statement that inserts the batch only if it gets
// the same advisory lock without waiting and the stored log still ends at
// the position this daemon knows (see audit_row_insert.h); otherwise the
// batch goes the locked path. Positions never collide either way; what the
// fast path saves is the transaction's four extra round trips, which on a
// busy machine cost more than the disk flush does.
//
// The tree. The log keeps the Merkle frontier of every event committed so
// far (O(log n) hashes) so the root is known without re-reading the log. The
// first transaction restores it: from the newest checkpoint whose signature
// verifies with options.checkpoint_public_key and whose stored frontier
// leads to its signed root, then the events after it; from every stored
// leaf when there is no such checkpoint. A position missing from the stored
// log (a deleted row) stops appends with kDataLoss rather than building on a
// broken tree.
//
// Thread-safe. Errors: the database's (kUnavailable, kConflict for an event
// id that is already stored, ...), kDataLoss for a stored log that cannot be
// extended, kInvalidArgument for an event that cannot be serialised.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "audit/audit_event.h"
#include "audit/audit_rows.h"
#include "audit/merkle_frontier.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::audit {

struct AuditLogOptions {
  // Most events committed in one transaction.
  std::size_t max_batch = 512;
  // Rows per INSERT statement when a batch is written; 0 picks the
  // backend's best: 64 on PostgreSQL, where each statement is a round trip
  // (and so a batch costs a few instead of two per event), 1 on SQLite,
  // which runs in this process and is fastest re-running one small prepared
  // statement.
  std::size_t rows_per_statement = 0;
  // The 32-byte Ed25519 public key of the checkpoint signer; empty to
  // restore the tree from the stored leaves alone.
  std::string checkpoint_public_key;
};

class AuditLog final : public AuditSink {
 public:
  AuditLog(storage::Database& database, const Clock& clock, std::string node,
           AuditLogOptions options = {});
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Fills in an empty id (a new UUID), a zero occurred_at (now) and an empty
  // node (this daemon's), then appends the event as described above.
  Status record(AuditEvent event) override;

  // Runs `visit` inside an append transaction: under the append lock, with
  // the tree reconciled with every event stored so far by any daemon. What
  // `visit` writes commits with the transaction; an error from it rolls the
  // transaction back and is returned. Appends wait meanwhile. This is how
  // checkpoints are taken at a size no other daemon can be appending to.
  using TreeVisitor = std::function<Status(soci::session& session, const MerkleFrontier& tree)>;
  Status with_tree(const TreeVisitor& visit);

  // Events in the log as of the last transaction this daemon committed.
  std::uint64_t tree_size() const;
  // Events this daemon appended, and the transactions it took to do so.
  std::uint64_t appended() const;
  std::uint64_t batches() const;

  storage::Database& database() const { return database_; }

 private:
  struct Pending;

  void commit_queued(std::unique_lock<std::mutex>& lock);
  Status commit(const std::vector<Pending*>& batch, bool& flush_awaited);
  Status wait_until_durable();
  Status append_under_lock(const std::vector<Pending*>& batch);
  Result<bool> append_at_known_tail(const std::vector<Pending*>& batch);
  static Result<AuditRows> position(const std::vector<Pending*>& batch, MerkleFrontier& tree);
  Status reconcile(soci::session& session, MerkleFrontier& tree) const;
  MerkleFrontier starting_tree(soci::session& session, std::uint64_t stored) const;
  void finish_writing(std::unique_lock<std::mutex>& lock);

  storage::Database& database_;
  const Clock& clock_;
  const std::string node_;
  const AuditLogOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending*> queue_;   // guarded by mutex_
  bool writing_ = false;         // guarded by mutex_: a transaction is open
  int tree_waiters_ = 0;         // guarded by mutex_: with_tree() callers waiting
  MerkleFrontier frontier_;      // read and written only while writing_ is held
  bool tail_known_ = false;      // likewise: frontier_ was the stored log once
  std::uint64_t tree_size_ = 0;  // guarded by mutex_
  std::uint64_t appended_ = 0;   // guarded by mutex_
  std::uint64_t batches_ = 0;    // guarded by mutex_
};

}  // namespace th::audit
