#include "audit/audit_log.h"

#include "audit/merkle_tree.h"
#include "crypto/encoding.h"
#include "crypto/uuid.h"

namespace th::audit {
namespace {

// Serialises appends among daemons sharing one PostgreSQL.
constexpr long long kAppendLockKey = 0x6175'6469'746c'6f67LL;

}  // namespace

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
  auto body = canonical_event_json(event);
  if (!body.ok()) {
    return body.error();
  }
  const std::string leaf = crypto::hex_encode(leaf_hash(*body));
  const std::string outcome(audit_outcome_name(event.outcome));
  const int emergency = event.emergency ? 1 : 0;
  const bool postgresql = database_.backend() == storage::Backend::kPostgresql;
  Status stored = database_.run_write_transaction([&](soci::session& session) {
    if (postgresql) {
      session << "SELECT pg_advisory_xact_lock(:key)", soci::use(kAppendLockKey);
    }
    long long seq = 0;
    soci::indicator indicator = soci::i_ok;
    session << "SELECT MAX(seq) FROM audit_events", soci::into(seq, indicator);
    seq = indicator == soci::i_ok ? seq + 1 : 0;
    session << "INSERT INTO audit_events (seq, id, occurred_at, actor_user_id, actor_role, "
               "action, resource_type, resource_id, patient_id, outcome, emergency, request_id, "
               "node, body, leaf_hash) VALUES (:seq, :id, :at, :actor, :role, :action, :rtype, "
               ":rid, :patient, :outcome, :emergency, :request, :node, :body, :leaf)",
        soci::use(seq), soci::use(event.id), soci::use(event.occurred_at),
        soci::use(event.actor_user_id), soci::use(event.actor_role), soci::use(event.action),
        soci::use(event.resource_type), soci::use(event.resource_id), soci::use(event.patient_id),
        soci::use(outcome), soci::use(emergency), soci::use(event.request_id),
        soci::use(event.node), soci::use(*body), soci::use(leaf);
    for (const std::string& patient : event.patient_ids) {
      session << "INSERT INTO audit_event_patients (seq, patient_id) VALUES (:seq, :patient)",
          soci::use(seq), soci::use(patient);
    }
  });
  if (stored.ok()) {
    ++appended_;
  }
  return stored;
}

}  // namespace th::audit
