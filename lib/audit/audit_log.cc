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

// Rows per INSERT on PostgreSQL (see AuditLogOptions::rows_per_statement):
// 64 events of 15 columns are 960 bound values; patient links are smaller.
constexpr std::size_t kPostgresqlRowsPerStatement = 64;
constexpr std::size_t kPatientRowsPerEventRow = 4;

// One audit_events row, as bound to its INSERT.
struct EventRow {
  long long seq = 0;
  std::string id;
  long long occurred_at = 0;
  std::string actor_user_id;
  std::string actor_role;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  std::string patient_id;
  std::string outcome;
  int emergency = 0;
  std::string request_id;
  std::string node;
  std::string body;
  std::string leaf_hex;
};
constexpr std::size_t kEventColumns = 15;
constexpr const char* kInsertEvents =
    "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, action, "
    "resource_type, resource_id, patient_id, outcome, emergency, request_id, node, body, "
    "leaf_hash) VALUES ";

// One audit_event_patients row.
struct PatientRow {
  long long seq = 0;
  std::string patient_id;
};
constexpr std::size_t kPatientColumns = 2;
constexpr const char* kInsertPatients =
    "INSERT INTO audit_event_patients (seq, patient_id) VALUES ";

void bind_row(soci::details::prepare_temp_type& prepared, EventRow& row) {
  prepared, soci::use(row.seq), soci::use(row.id), soci::use(row.occurred_at),
      soci::use(row.actor_user_id), soci::use(row.actor_role), soci::use(row.action),
      soci::use(row.resource_type), soci::use(row.resource_id), soci::use(row.patient_id),
      soci::use(row.outcome), soci::use(row.emergency), soci::use(row.request_id),
      soci::use(row.node), soci::use(row.body), soci::use(row.leaf_hex);
}

void bind_row(soci::details::prepare_temp_type& prepared, PatientRow& row) {
  prepared, soci::use(row.seq), soci::use(row.patient_id);
}

// "(:v0, :v1), (:v2, :v3)" for two rows of two columns: placeholders bound
// in order. SQLite gets "?" instead, since it looks each name up among the
// ones before it, which takes long for hundreds of them.
std::string values_list(storage::Backend backend, std::size_t rows, std::size_t columns) {
  const bool named = backend == storage::Backend::kPostgresql;
  std::string text;
  std::size_t number = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    text += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < columns; ++column) {
      text += column == 0 ? "" : ", ";
      text += named ? ":v" + std::to_string(number++) : "?";
    }
    text += ")";
  }
  return text;
}

// Inserts the rows `per_statement` at a time through one prepared statement
// bound to a group of slots that each group is moved into, then the rest
// through a statement of their size.
template <typename Row>
void insert_rows(soci::session& session, storage::Backend backend, const char* insert,
                 std::size_t columns, std::vector<Row>& rows, std::size_t per_statement) {
  std::size_t done = 0;
  while (done < rows.size()) {
    const std::size_t group = std::min(per_statement, rows.size() - done);
    std::vector<Row> slots(group);
    soci::details::prepare_temp_type prepared =
        (session.prepare << std::string(insert) + values_list(backend, group, columns));
    for (Row& slot : slots) {
      bind_row(prepared, slot);
    }
    soci::statement statement(prepared);
    while (rows.size() - done >= group) {
      const auto first = rows.begin() + static_cast<long>(done);
      std::move(first, first + static_cast<long>(group), slots.begin());
      statement.execute(true);
      done += group;
    }
  }
}

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

    // Positions and hashes first, then the rows.
    std::vector<EventRow> events;
    std::vector<PatientRow> patients;
    events.reserve(batch.size());
    for (Pending* pending : batch) {
      const std::uint64_t seq = tree.size();
      auto entry = format_log_entry(pending->event_json, seq);
      if (!entry.ok()) {
        return entry.error();
      }
      const std::string leaf = leaf_hash(*entry);
      const AuditEvent& event = pending->event;
      events.push_back(EventRow{
          static_cast<long long>(seq), event.id, event.occurred_at, event.actor_user_id,
          event.actor_role, event.action, event.resource_type, event.resource_id, event.patient_id,
          std::string(audit_outcome_name(event.outcome)), event.emergency ? 1 : 0, event.request_id,
          event.node, std::move(*entry), crypto::hex_encode(leaf)});
      // The index holds each patient once, whatever the listing repeated.
      const std::set<std::string> listed(event.patient_ids.begin(), event.patient_ids.end());
      for (const std::string& id : listed) {
        patients.push_back(PatientRow{static_cast<long long>(seq), id});
      }
      TH_RETURN_IF_ERROR(tree.append(leaf));
    }
    const storage::Backend backend = database_.backend();
    std::size_t per_statement = options_.rows_per_statement;
    if (per_statement == 0) {
      per_statement = backend == storage::Backend::kPostgresql ? kPostgresqlRowsPerStatement : 1;
    }
    insert_rows(session, backend, kInsertEvents, kEventColumns, events, per_statement);
    insert_rows(session, backend, kInsertPatients, kPatientColumns, patients,
                per_statement * kPatientRowsPerEventRow);
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
