#include "audit/audit_log.h"

#include <algorithm>
#include <set>

#include "audit/audit_row_insert.h"
#include "audit/checkpoint_store.h"
#include "audit/log_entry.h"
#include "audit/merkle_tree.h"
#include "audit/stored_leaf_hash_source.h"
#include "crypto/encoding.h"
#include "crypto/uuid.h"

namespace th::audit {
namespace {

// Serialises appends among daemons sharing one PostgreSQL.
constexpr long long kAppendLockKey = 0x6175'6469'746c'6f67LL;

// Rows per INSERT on PostgreSQL's locked path (see
// AuditLogOptions::rows_per_statement): 64 events of 15 columns are 960
// bound values.
constexpr std::size_t kPostgresqlRowsPerStatement = 64;

}  // namespace

// One caller's event, on its own stack, while it waits for the commit.
struct AuditLog::Pending {
  AuditEvent event;
  std::string event_json;  // canonical, without the position
  Status result;
  bool taken = false;  // in a batch being committed
  bool done = false;   // result is final
};

AuditLog::AuditLog(storage::Database& database, const Clock& clock, std::string node,
                   AuditLogOptions options)
    : database_(database), clock_(clock), node_(std::move(node)), options_(std::move(options)) {}

Status AuditLog::record(AuditEvent event) {
  if (event.id.empty()) {
    event.id = crypto::new_uuid_v4();
  }
  if (event.occurred_at == 0) {
    event.occurred_at = clock_.now_micros();
  }
  if (event.node.empty()) {
    event.node = node_;
  }
  // Serialised here, in the caller's thread, so the committing thread only
  // adds positions and hashes.
  auto json = canonical_event_json(event);
  if (!json.ok()) {
    return json.error();
  }
  Pending pending{std::move(event), std::move(*json), ok_status(), false, false};

  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  while (!pending.done) {
    if (pending.taken || writing_ || tree_waiters_ > 0) {
      changed_.wait(lock);
      continue;
    }
    // This caller commits for everyone queued so far, itself included
    // unless the queue is longer than one batch.
    commit_queued(lock);
  }
  return pending.result;
}

void AuditLog::commit_queued(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  const std::size_t count = std::min(queue_.size(), options_.max_batch);
  std::vector<Pending*> batch(queue_.begin(), queue_.begin() + static_cast<long>(count));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
  for (Pending* member : batch) {
    member->taken = true;
  }
  lock.unlock();
  bool flush_awaited = false;
  Status committed = commit(batch, flush_awaited);
  lock.lock();
  if (flush_awaited) {
    // The rows are committed and the tree extended: the next batch may be
    // written while this one's commit reaches the disk.
    finish_writing(lock);
    lock.unlock();
    committed = wait_until_durable();
    lock.lock();
  }
  for (Pending* member : batch) {
    member->result = committed;
    member->done = true;
  }
  if (committed.ok()) {
    appended_ += batch.size();
    ++batches_;
  }
  if (flush_awaited) {
    lock.unlock();
    changed_.notify_all();
    lock.lock();
  } else {
    finish_writing(lock);
  }
}

Status AuditLog::with_tree(const TreeVisitor& visit) {
  std::unique_lock lock(mutex_);
  ++tree_waiters_;
  changed_.wait(lock, [this] { return !writing_; });
  --tree_waiters_;
  writing_ = true;
  lock.unlock();

  MerkleFrontier tree;
  const Status done = database_.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(reconcile(session, tree));
    return visit(session, tree);
  });
  lock.lock();
  if (done.ok()) {
    frontier_ = std::move(tree);
    tail_known_ = true;
  }
  finish_writing(lock);
  return done;
}

void AuditLog::finish_writing(std::unique_lock<std::mutex>& lock) {
  tree_size_ = frontier_.size();
  writing_ = false;
  lock.unlock();
  changed_.notify_all();
  lock.lock();
}

std::uint64_t AuditLog::tree_size() const {
  std::lock_guard lock(mutex_);
  return tree_size_;
}

std::uint64_t AuditLog::appended() const {
  std::lock_guard lock(mutex_);
  return appended_;
}

std::uint64_t AuditLog::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

Status AuditLog::commit(const std::vector<Pending*>& batch, bool& flush_awaited) {
  flush_awaited = false;
  if (database_.backend() == storage::Backend::kPostgresql && tail_known_) {
    auto appended = append_at_known_tail(batch);
    if (appended.ok() && *appended) {
      flush_awaited = true;
      return ok_status();
    }
    // A collision on a position means another daemon appended first: the
    // locked path catches up with it (and reports a real conflict, such as
    // an event id already stored, itself).
    if (!appended.ok() && appended.error().code() != ErrorCode::kConflict) {
      return appended.error();
    }
  }
  return append_under_lock(batch);
}

// The fast path commits without waiting for the flush. PostgreSQL writes
// its log in order and flushes it in order, so once any later commit that
// waits for its flush has returned, the batch is on disk too: a transaction
// whose only write is a transactional logical-decoding message is the
// smallest such commit (no table, no row; any role may emit one). Batches
// waiting here at once share PostgreSQL's group commit.
Status AuditLog::wait_until_durable() {
  return database_.run([](soci::session& session) {
    session << "SELECT pg_logical_emit_message(true, 'telehealthd.audit', '')";
  });
}

Status AuditLog::append_under_lock(const std::vector<Pending*>& batch) {
  MerkleFrontier tree;
  const Status stored = database_.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(reconcile(session, tree));
    auto rows = position(batch, tree);
    if (!rows.ok()) {
      return rows.error();
    }
    const storage::Backend backend = database_.backend();
    std::size_t per_statement = options_.rows_per_statement;
    if (per_statement == 0) {
      per_statement = backend == storage::Backend::kPostgresql ? kPostgresqlRowsPerStatement : 1;
    }
    insert_audit_rows(session, backend, *rows, per_statement);
    return ok_status();
  });
  if (stored.ok()) {
    frontier_ = std::move(tree);
    tail_known_ = true;
  }
  return stored;
}

Result<bool> AuditLog::append_at_known_tail(const std::vector<Pending*>& batch) {
  MerkleFrontier tree = frontier_;
  auto rows = position(batch, tree);
  if (!rows.ok()) {
    return rows.error();
  }
  auto appended = database_.run([&](soci::session& session) {
    return insert_audit_rows_at_tail(session, *rows, kAppendLockKey);
  });
  if (appended.ok() && *appended) {
    frontier_ = std::move(tree);
  }
  return appended;
}

// Positions and leaf hashes, extending `tree` by the batch in queue order.
Result<AuditRows> AuditLog::position(const std::vector<Pending*>& batch, MerkleFrontier& tree) {
  AuditRows rows;
  rows.events.reserve(batch.size());
  for (Pending* pending : batch) {
    const std::uint64_t seq = tree.size();
    auto entry = format_log_entry(pending->event_json, seq);
    if (!entry.ok()) {
      return entry.error();
    }
    const std::string leaf = leaf_hash(*entry);
    const AuditEvent& event = pending->event;
    rows.events.push_back(EventRow{
        static_cast<long long>(seq), event.id, event.occurred_at, event.actor_user_id,
        event.actor_role, event.action, event.resource_type, event.resource_id, event.patient_id,
        std::string(audit_outcome_name(event.outcome)), event.emergency ? 1 : 0, event.request_id,
        event.node, std::move(*entry), crypto::hex_encode(leaf)});
    // The index holds each patient once, whatever the listing repeated.
    const std::set<std::string> listed(event.patient_ids.begin(), event.patient_ids.end());
    for (const std::string& id : listed) {
      rows.patients.push_back(PatientRow{static_cast<long long>(seq), id});
    }
    TH_RETURN_IF_ERROR(tree.append(leaf));
  }
  return rows;
}

// Under the append lock: start from the tree this daemon knows and add what
// is stored beyond it, which other daemons appended.
Status AuditLog::reconcile(soci::session& session, MerkleFrontier& tree) const {
  if (database_.backend() == storage::Backend::kPostgresql) {
    session << "SELECT pg_advisory_xact_lock(:key)", soci::use(kAppendLockKey);
  }
  const std::uint64_t stored = stored_log_size(session);
  tree = frontier_;
  // An empty tree over a stored log is the first transaction; a tree larger
  // than the stored log means the database went back (a restored backup, or
  // rows removed from the end): start again from what is stored.
  if ((tree.size() == 0 && stored > 0) || tree.size() > stored) {
    tree = starting_tree(session, stored);
  }
  if (tree.size() == stored) {
    return ok_status();
  }
  StoredLeafHashSource source(session);
  const Status read = source.visit_range(
      tree.size(), stored, [&tree](std::string_view leaf) { return tree.append(leaf); });
  if (!read.ok()) {
    return read.error().with_context("extend the audit log");
  }
  return ok_status();
}

MerkleFrontier AuditLog::starting_tree(soci::session& session, std::uint64_t stored) const {
  if (options_.checkpoint_public_key.empty()) {
    return MerkleFrontier();
  }
  const auto checkpoint = CheckpointStore().latest_at_most(session, stored);
  if (!checkpoint) {
    return MerkleFrontier();
  }
  // A checkpoint that does not verify is ignored here; thctl audit verify
  // reports it.
  auto frontier = trusted_frontier(*checkpoint, options_.checkpoint_public_key);
  return frontier.ok() ? std::move(*frontier) : MerkleFrontier();
}

}  // namespace th::audit
