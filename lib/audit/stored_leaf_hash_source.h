// StoredLeafHashSource: the leaf hashes of the audit log as stored in
// audit_events (one row per leaf, seq = leaf index, leaf_hash in hex), read
// for Merkle roots and proofs.
//
// Reads on the session it is given, so inside the caller's transaction when
// there is one, in pages of ordered range queries: memory stays constant
// whatever the range. A missing seq is kDataLoss naming it, as is a stored
// hash that is not 64 hex digits. SOCI's exceptions pass through, as in the
// lambdas given to storage::Database.
//
// Not thread-safe: it uses the caller's session.
#pragma once

#include <soci/soci.h>

#include "audit/leaf_hash_source.h"

namespace th::audit {

class StoredLeafHashSource final : public LeafHashSource {
 public:
  explicit StoredLeafHashSource(soci::session& session, int page_size = 4096)
      : session_(session), page_size_(page_size) {}

  [[nodiscard]] Status visit_range(std::uint64_t begin, std::uint64_t end,
                                   const Visitor& visit) const override;

 private:
  soci::session& session_;
  int page_size_;
};

// One past the largest stored seq: the size of the log if nothing is
// missing. 0 for an empty log.
[[nodiscard]] std::uint64_t stored_log_size(soci::session& session);

}  // namespace th::audit
