// AuditVerifier: recomputes the audit log's Merkle tree from the stored rows
// and checks it against every signed checkpoint, to show that no event was
// changed, removed, inserted or moved.
//
// It reads audit_events in seq order, page by page (memory stays constant
// whatever the log's length), and checks for each position, in this order:
//   1. a row is stored at that seq (no gap);
//   2. its leaf_hash is SHA-256(0x00 || body);
//   3. the body is a well-formed event that records this very seq;
//   4. the row's indexed columns (id, occurred_at, actor_user_id,
//      actor_role, action, resource_type, resource_id, patient_id, outcome,
//      emergency, request_id, node) say what the body says, and the rows of
//      audit_event_patients for the seq are exactly the body's patient_ids;
// and at each checkpoint's tree size that the checkpoint's note carries a
// valid signature by the audit key, that what it signs matches the stored
// columns, and that the recomputed root equals the signed root. A checkpoint
// beyond the end of the stored log means events were removed from the end.
//
// The first failure ends the walk and is reported with the position it
// concerns. When only a root disagrees (rows rewritten together with their
// hashes and columns), the checkpoint's stored frontier, once it is shown to
// lead to the signed root, narrows the position down to the first perfect
// subtree that differs, and the failure names the first seq of that subtree.
//
// What it cannot see: events appended after the newest checkpoint by someone
// writing to the database directly look like any other event until a later
// checkpoint covers them, and a database rolled back together with its
// checkpoints needs a copy of a newer checkpoint kept elsewhere to be caught.
//
// Thread-safe (no state beyond its configuration); each verify() leases one
// session per page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/database.h"
#include "util/result.h"

namespace th::audit {

struct VerificationFailure {
  std::uint64_t seq = 0;
  std::string reason;
};

struct VerificationReport {
  std::uint64_t events_checked = 0;
  std::uint64_t checkpoints_checked = 0;
  std::optional<VerificationFailure> failure;

  bool ok() const { return !failure.has_value(); }
};

class AuditVerifier {
 public:
  // `public_key_raw` is the 32-byte Ed25519 key checkpoints are signed with.
  AuditVerifier(storage::Database& database, std::string public_key_raw, int page_size = 1000)
      : database_(database), public_key_raw_(std::move(public_key_raw)), page_size_(page_size) {}

  // The report of one complete walk. An Error only when the database could
  // not be read; everything wrong with what it holds is a failure in the
  // report.
  [[nodiscard]] Result<VerificationReport> verify() const;

 private:
  storage::Database& database_;
  std::string public_key_raw_;
  int page_size_;
};

}  // namespace th::audit
