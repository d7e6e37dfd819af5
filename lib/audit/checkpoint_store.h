// CheckpointStore: the audit_checkpoints table, where every signed
// checkpoint of the audit log is kept beside the Merkle frontier of the tree
// it covers.
//
// Rows are only inserted (triggers refuse UPDATE and DELETE, as for the
// events). A row's columns repeat what its signed note says so that they can
// be queried; open_stored_checkpoint() is the one way to trust a row, since
// anybody able to write to the database can write a row.
//
// The store holds no state: its members run on a session the caller leases
// (inside the caller's transaction when it has one) and let SOCI's
// exceptions through, as the lambdas given to storage::Database may.
// Safe to use from any thread.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/merkle_frontier.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::audit {

struct StoredCheckpoint {
  std::uint64_t tree_size = 0;
  std::string root_hash_hex;  // lower-case hex of the 32-byte root
  std::int64_t timestamp_millis = 0;
  std::string origin;
  std::string note;          // the signed note, byte for byte as signed
  std::string frontier_hex;  // hex of MerkleFrontier::serialize() at tree_size
  std::string node;          // the daemon that signed it
  UnixMicros created_at = 0;
};

class CheckpointStore {
 public:
  void insert(soci::session& session, const StoredCheckpoint& checkpoint) const;

  // The checkpoint with the largest tree size, if there is any.
  std::optional<StoredCheckpoint> latest(soci::session& session) const;

  // The checkpoint with the largest tree size not above `tree_size`.
  std::optional<StoredCheckpoint> latest_at_most(soci::session& session,
                                                 std::uint64_t tree_size) const;

  // The checkpoint of exactly `tree_size` leaves.
  std::optional<StoredCheckpoint> at_size(soci::session& session, std::uint64_t tree_size) const;

  // Up to `limit` checkpoints with tree size above `after` (all of them for
  // no `after`), smallest first.
  std::vector<StoredCheckpoint> page(soci::session& session, std::optional<std::uint64_t> after,
                                     int limit) const;

  // The origin of the earliest checkpoint: the origin this installation's
  // log has had since its first checkpoint.
  std::optional<std::string> first_origin(soci::session& session) const;
};

// Checks a stored checkpoint: its note carries a valid Ed25519 signature by
// `public_key_raw` under the key name `checkpoint.origin`, and the signed body
// says the same origin, tree size, root and timestamp as the row's columns.
// Returns the signed checkpoint; kDataLoss saying which check failed
// otherwise.
[[nodiscard]] Result<Checkpoint> open_stored_checkpoint(const StoredCheckpoint& checkpoint,
                                                        std::string_view public_key_raw);

// The frontier stored with a checkpoint, after open_stored_checkpoint() and
// a check that the frontier has the checkpoint's size and root. kDataLoss
// otherwise.
[[nodiscard]] Result<MerkleFrontier> trusted_frontier(const StoredCheckpoint& checkpoint,
                                                      std::string_view public_key_raw);

}  // namespace th::audit
