#include "audit/audit_log.h"

#include <algorithm>
#include <set>

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

}  // namespace

// One caller's event, on its own stack, while it waits for the commit.
struct AuditLog::Pending {
  AuditEvent event;
  std::string event_json;  // canonical, without the position
  Status result;
  bool done = false;
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
  Pending pending{std::move(event), std::move(*json), ok_status(), false};

  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  while (!pending.done) {
    if (writing_ || tree_waiters_ > 0) {
      changed_.wait(lock);
      continue;
    }
    // This caller commits for everyone queued so far, itself included
    // unless the queue is longer than one batch.
    writing_ = true;
    const std::size_t count = std::min(queue_.size(), options_.max_batch);
    std::vector<Pending*> batch(queue_.begin(), queue_.begin() + static_cast<long>(count));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
    lock.unlock();
    const Status committed = commit(batch);
    lock.lock();
    for (Pending* member : batch) {
      member->result = committed;
      member->done = true;
    }
    if (committed.ok()) {
      appended_ += batch.size();
      ++batches_;
    }
    finish_writing(lock);
  }
  return pending.result;
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

Status AuditLog::commit(const std::vector<Pending*>& batch) {
  MerkleFrontier tree;
  const Status stored = database_.run_write_transaction([&](soci::session& session) -> Status {
    TH_RETURN_IF_ERROR(reconcile(session, tree));

    // One prepared statement per table, executed once per row with the
    // bound variables refilled.
    long long seq = 0;
    std::string outcome, body, leaf_hex, patient;
    int emergency = 0;
    AuditEvent row;
    soci::statement insert_event =
        (session.prepare
             << "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, "
                "action, resource_type, resource_id, patient_id, outcome, emergency, request_id, "
                "node, body, leaf_hash) VALUES (:seq, :id, :at, :actor, :role, :action, :rtype, "
                ":rid, :patient, :outcome, :emergency, :request, :node, :body, :leaf)",
         soci::use(seq), soci::use(row.id), soci::use(row.occurred_at),
         soci::use(row.actor_user_id), soci::use(row.actor_role), soci::use(row.action),
         soci::use(row.resource_type), soci::use(row.resource_id), soci::use(row.patient_id),
         soci::use(outcome), soci::use(emergency), soci::use(row.request_id), soci::use(row.node),
         soci::use(body), soci::use(leaf_hex));
    soci::statement insert_patient =
        (session.prepare << "INSERT INTO audit_event_patients (seq, patient_id) "
                            "VALUES (:seq, :patient)",
         soci::use(seq), soci::use(patient));

    for (Pending* pending : batch) {
      seq = static_cast<long long>(tree.size());
      auto entry = format_log_entry(pending->event_json, tree.size());
      if (!entry.ok()) {
        return entry.error();
      }
      const std::string leaf = leaf_hash(*entry);
      row = pending->event;
      outcome = std::string(audit_outcome_name(row.outcome));
      emergency = row.emergency ? 1 : 0;
      body = std::move(*entry);
      leaf_hex = crypto::hex_encode(leaf);
      insert_event.execute(true);
      // The index holds each patient once, whatever the listing repeated.
      const std::set<std::string> patients(row.patient_ids.begin(), row.patient_ids.end());
      for (const std::string& id : patients) {
        patient = id;
        insert_patient.execute(true);
      }
      TH_RETURN_IF_ERROR(tree.append(leaf));
    }
    return ok_status();
  });
  if (stored.ok()) {
    frontier_ = std::move(tree);
  }
  return stored;
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
