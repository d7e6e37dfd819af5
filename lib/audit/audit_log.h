// AuditLog: the append-only audit trail in the database, whose events are
// the leaves of an RFC 6962 Merkle tree (leaf i has seq i; its leaf hash is
// SHA-256(0x00 || canonical JSON)).
//
// record() assigns the next position and returns once the event is
// committed. Appends are serialised across daemons: a transaction-scoped
// advisory lock on PostgreSQL, the write lock on SQLite.
// Thread-safe.
#pragma once

#include <atomic>

#include "audit/audit_event.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::audit {

class AuditLog final : public AuditSink {
 public:
  AuditLog(storage::Database& database, const Clock& clock, std::string node)
      : database_(database), clock_(clock), node_(std::move(node)) {}

  Status record(AuditEvent event) override;

  std::uint64_t appended() const { return appended_.load(); }

 private:
  storage::Database& database_;
  const Clock& clock_;
  std::string node_;
  std::atomic<std::uint64_t> appended_{0};
};

}  // namespace th::audit
