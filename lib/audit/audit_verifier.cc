#include "audit/audit_verifier.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <vector>

#include "audit/audit_rows.h"
#include "audit/checkpoint_store.h"
#include "audit/log_entry.h"
#include "audit/merkle_frontier.h"
#include "audit/merkle_tree.h"
#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::audit {
namespace {

constexpr int kCheckpointPage = 100;

EventRow decode_event(const soci::row& row) {
  using storage::column_int64;
  using storage::column_text;
  EventRow event;
  event.seq = column_int64(row, 0);
  event.id = column_text(row, 1);
  event.occurred_at = column_int64(row, 2);
  event.actor_user_id = column_text(row, 3);
  event.actor_role = column_text(row, 4);
  event.action = column_text(row, 5);
  event.resource_type = column_text(row, 6);
  event.resource_id = column_text(row, 7);
  event.patient_id = column_text(row, 8);
  event.outcome = column_text(row, 9);
  event.emergency = column_int64(row, 10);
  event.request_id = column_text(row, 11);
  event.node = column_text(row, 12);
  event.body = column_text(row, 13);
  event.leaf_hash_hex = column_text(row, 14);
  return event;
}

// One page of the log: its events and their rows in audit_event_patients.
struct Page {
  std::vector<EventRow> events;
  std::map<long long, std::vector<std::string>> patients;
};

// What a check finds: a failure, nothing (all held), or an Error when the
// database could not be read.
using Finding = Result<std::optional<VerificationFailure>>;

Finding failure_at(std::uint64_t seq, std::string reason) {
  return std::optional<VerificationFailure>(VerificationFailure{seq, std::move(reason)});
}

Finding passed() {
  return std::optional<VerificationFailure>();
}

// The first column that says something other than the body, if any.
std::optional<std::string> differing_column(const EventRow& row, const AuditEvent& event) {
  const std::pair<const char*, bool> columns[] = {
      {"id", row.id == event.id},
      {"occurred_at", row.occurred_at == event.occurred_at},
      {"actor_user_id", row.actor_user_id == event.actor_user_id},
      {"actor_role", row.actor_role == event.actor_role},
      {"action", row.action == event.action},
      {"resource_type", row.resource_type == event.resource_type},
      {"resource_id", row.resource_id == event.resource_id},
      {"patient_id", row.patient_id == event.patient_id},
      {"outcome", row.outcome == audit_outcome_name(event.outcome)},
      {"emergency", row.emergency == (event.emergency ? 1 : 0)},
      {"request_id", row.request_id == event.request_id},
      {"node", row.node == event.node},
  };
  for (const auto& [name, same] : columns) {
    if (!same) {
      return std::string(name);
    }
  }
  return std::nullopt;
}

// The walk of one verify() call.
class Walk {
 public:
  Walk(storage::Database& database, std::string_view public_key_raw, int page_size)
      : database_(database), public_key_raw_(public_key_raw), page_size_(page_size) {}

  Result<VerificationReport> run();

 private:
  Result<Page> read_page(long long after) const;
  Finding check_row(const EventRow& row, Page& page);
  Finding check_checkpoints();
  Finding check_end(long long after);
  Result<const StoredCheckpoint*> next_checkpoint();
  Finding root_mismatch(const StoredCheckpoint& checkpoint) const;

  storage::Database& database_;
  std::string_view public_key_raw_;
  int page_size_;
  MerkleFrontier tree_;
  VerificationReport report_;
  std::deque<StoredCheckpoint> checkpoints_;
  std::optional<std::uint64_t> checkpoint_cursor_;
  bool checkpoints_exhausted_ = false;
};

Result<VerificationReport> Walk::run() {
  // A checkpoint of the empty log is checked before any event.
  auto failure = check_checkpoints();
  long long after = std::numeric_limits<long long>::min();
  while (failure.ok() && !failure->has_value()) {
    auto page = read_page(after);
    if (!page.ok()) {
      return page.error();
    }
    if (page->events.empty()) {
      failure = check_end(after);
      break;
    }
    for (const EventRow& row : page->events) {
      failure = check_row(row, *page);
      if (!failure.ok() || failure->has_value()) {
        break;
      }
      ++report_.events_checked;
      failure = check_checkpoints();
      if (!failure.ok() || failure->has_value()) {
        break;
      }
    }
    after = page->events.back().seq;
  }
  if (!failure.ok()) {
    return failure.error();
  }
  report_.failure = std::move(*failure);
  return report_;
}

Result<Page> Walk::read_page(long long after) const {
  return database_.run([&](soci::session& session) {
    Page page;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT seq, id, occurred_at, actor_user_id, actor_role, action, "
                            "resource_type, resource_id, patient_id, outcome, emergency, "
                            "request_id, node, body, leaf_hash FROM audit_events "
                            "WHERE seq > :after ORDER BY seq LIMIT :limit",
         soci::use(after), soci::use(page_size_));
    for (const soci::row& row : rows) {
      page.events.push_back(decode_event(row));
    }
    if (page.events.empty()) {
      return page;
    }
    const long long last = page.events.back().seq;
    soci::rowset<soci::row> links =
        (session.prepare << "SELECT seq, patient_id FROM audit_event_patients "
                            "WHERE seq > :after AND seq <= :last",
         soci::use(after), soci::use(last));
    for (const soci::row& link : links) {
      page.patients[storage::column_int64(link, 0)].push_back(storage::column_text(link, 1));
    }
    return page;
  });
}

Finding Walk::check_row(const EventRow& row, Page& page) {
  const std::uint64_t seq = tree_.size();
  const auto position = static_cast<long long>(seq);
  if (row.seq > position) {
    return failure_at(seq, "no event is stored at seq " + std::to_string(seq) +
                               " (the next stored is seq " + std::to_string(row.seq) +
                               "): an event was deleted or moved");
  }
  if (row.seq < position) {
    return failure_at(seq,
                      "an event is stored at seq " + std::to_string(row.seq) + ", outside the log");
  }
  const std::string leaf = leaf_hash(row.body);
  if (crypto::hex_encode(leaf) != row.leaf_hash_hex) {
    return failure_at(seq,
                      "the stored leaf hash does not match the event body: the body or "
                      "its hash was changed");
  }
  auto entry = parse_log_entry(row.body);
  if (!entry.ok()) {
    return failure_at(seq, entry.error().message());
  }
  if (entry->seq != seq) {
    return failure_at(seq, "the event body records seq " + std::to_string(entry->seq) +
                               ": events were inserted, deleted or reordered");
  }
  if (auto column = differing_column(row, entry->event)) {
    return failure_at(seq, "column '" + *column + "' does not match the event body");
  }

  // The patient index: every link below this seq belongs to no event.
  if (!page.patients.empty() && page.patients.begin()->first < row.seq) {
    const long long orphan = page.patients.begin()->first;
    return failure_at(seq, "audit_event_patients has rows for seq " + std::to_string(orphan) +
                               ", which has no event");
  }
  std::vector<std::string> linked;
  if (auto found = page.patients.find(row.seq); found != page.patients.end()) {
    linked = std::move(found->second);
    page.patients.erase(found);
  }
  std::sort(linked.begin(), linked.end());
  const std::set<std::string> expected(entry->event.patient_ids.begin(),
                                       entry->event.patient_ids.end());
  if (!std::equal(linked.begin(), linked.end(), expected.begin(), expected.end())) {
    return failure_at(seq, "audit_event_patients does not list the patients of the event body");
  }

  const Status appended = tree_.append(leaf);
  if (!appended.ok()) {
    return appended.error();
  }
  return passed();
}

// Checks every checkpoint of the tree's current size.
Finding Walk::check_checkpoints() {
  for (;;) {
    auto next = next_checkpoint();
    if (!next.ok()) {
      return next.error();
    }
    const StoredCheckpoint* checkpoint = *next;
    if (checkpoint == nullptr || checkpoint->tree_size != tree_.size()) {
      return passed();
    }
    const std::uint64_t last = tree_.size() == 0 ? 0 : tree_.size() - 1;
    auto signed_checkpoint = open_stored_checkpoint(*checkpoint, public_key_raw_);
    if (!signed_checkpoint.ok()) {
      return failure_at(last, signed_checkpoint.error().message());
    }
    if (signed_checkpoint->root_hash != tree_.root()) {
      return root_mismatch(*checkpoint);
    }
    ++report_.checkpoints_checked;
    checkpoints_.pop_front();
  }
}

// After the last stored event: nothing may refer to positions beyond it.
Finding Walk::check_end(long long after) {
  auto next = next_checkpoint();
  if (!next.ok()) {
    return next.error();
  }
  if (*next != nullptr) {
    return failure_at(tree_.size(), "the checkpoint at tree size " +
                                        std::to_string((*next)->tree_size) + " covers events " +
                                        "beyond the " + std::to_string(tree_.size()) +
                                        " stored: events were removed from the end");
  }
  auto orphan = database_.run([after](soci::session& session) {
    long long seq = 0;
    soci::indicator indicator = soci::i_null;
    session << "SELECT MIN(seq) FROM audit_event_patients WHERE seq > :after", soci::use(after),
        soci::into(seq, indicator);
    return indicator == soci::i_ok ? std::optional<long long>(seq) : std::nullopt;
  });
  if (!orphan.ok()) {
    return orphan.error();
  }
  if (orphan->has_value()) {
    return failure_at(tree_.size(), "audit_event_patients has rows for seq " +
                                        std::to_string(**orphan) + ", which has no event");
  }
  return passed();
}

// The checkpoint with the smallest tree size not yet checked, or null.
Result<const StoredCheckpoint*> Walk::next_checkpoint() {
  if (checkpoints_.empty() && !checkpoints_exhausted_) {
    auto page = database_.run([this](soci::session& session) {
      return CheckpointStore().page(session, checkpoint_cursor_, kCheckpointPage);
    });
    if (!page.ok()) {
      return page.error();
    }
    checkpoints_exhausted_ = page->empty();
    for (StoredCheckpoint& checkpoint : *page) {
      checkpoint_cursor_ = checkpoint.tree_size;
      checkpoints_.push_back(std::move(checkpoint));
    }
  }
  return checkpoints_.empty() ? nullptr : &checkpoints_.front();
}

// The recomputed root differs from a validly signed one. A tree of n leaves
// is one perfect subtree per set bit of n, largest first; where the
// checkpoint's stored frontier leads to the signed root, comparing subtree
// roots tells which of those subtrees holds the change.
Finding Walk::root_mismatch(const StoredCheckpoint& checkpoint) const {
  const std::uint64_t size = checkpoint.tree_size;
  std::uint64_t first = 0;
  std::uint64_t last = size - 1;
  auto stored = trusted_frontier(checkpoint, public_key_raw_);
  if (stored.ok()) {
    const auto& expected = stored->subtree_roots();
    const auto& actual = tree_.subtree_roots();
    std::uint64_t start = 0;
    for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
      const std::uint64_t width = std::bit_floor(size - start);
      if (expected[i] != actual[i]) {
        first = start;
        last = start + width - 1;
        break;
      }
      start += width;
    }
  }
  return failure_at(first, "the events at seq " + std::to_string(first) + " to " +
                               std::to_string(last) + " do not hash to the root signed at tree " +
                               "size " + std::to_string(size) +
                               ": an event was rewritten together with its stored hash");
}

}  // namespace

Result<VerificationReport> AuditVerifier::verify() const {
  Walk walk(database_, public_key_raw_, page_size_);
  return walk.run();
}

}  // namespace th::audit
