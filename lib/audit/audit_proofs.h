// AuditProofs: RFC 6962 inclusion and consistency proofs for the stored
// audit log, each tied to stored signed checkpoints so that anyone holding
// the audit public key can check them with a few lines of code.
//
// Proofs are computed from the stored leaf hashes (reading each leaf of the
// tree at most once, in ordered pages) and verified against the signed root
// before they are returned: a proof that would not check out, because
// stored rows no longer match the checkpoint, is refused with kDataLoss and
// a pointer to `thctl audit verify` instead of being handed out.
//
// Thread-safe; each call leases one database session for its duration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint_store.h"
#include "storage/database.h"
#include "util/result.h"

namespace th::audit {

struct InclusionProof {
  std::string event_id;
  std::uint64_t leaf_index = 0;
  std::string body;                     // the leaf bytes
  std::string leaf_hash;                // 32 raw bytes
  std::vector<std::string> audit_path;  // raw 32-byte hashes, leaf's sibling first
  StoredCheckpoint checkpoint;          // the tree it proves inclusion in
};

struct ConsistencyProof {
  StoredCheckpoint from;
  StoredCheckpoint to;
  std::vector<std::string> path;  // raw 32-byte hashes (RFC 9162 2.1.4)
};

class AuditProofs {
 public:
  explicit AuditProofs(storage::Database& database) : database_(database) {}

  // Proves that the event with this id is in the checkpoint of `tree_size`
  // leaves, or in the newest checkpoint when none is given. kNotFound for an
  // unknown event or checkpoint size; kFailedPrecondition when the
  // checkpoint does not cover the event (it is newer: sign a checkpoint).
  [[nodiscard]] Result<InclusionProof> prove_event(
      std::string_view event_id, std::optional<std::uint64_t> tree_size = std::nullopt) const;

  // Proves that the checkpoint of `from` leaves is a prefix of that of `to`.
  // Both must be stored checkpoint sizes (kNotFound otherwise) with
  // from <= to (kInvalidArgument otherwise).
  [[nodiscard]] Result<ConsistencyProof> prove_consistency(std::uint64_t from,
                                                           std::uint64_t to) const;

 private:
  storage::Database& database_;
};

}  // namespace th::audit
