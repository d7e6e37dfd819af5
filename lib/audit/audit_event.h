// AuditEvent: one entry of the audit trail (HIPAA 164.312(b)).
//
// Identifiers only: no names, notes or other personal values. An event says
// who (actor), from where (source, user agent, node), did what (action) to
// which thing (resource type and id) belonging to which patient(s), with what
// outcome, why (reason, required for emergency access) and under which
// request. A listing or search names every patient its results contained.
// The canonical JSON of an event (RFC 8785) is what the Merkle tree hashes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"
#include "util/result.h"

namespace th::audit {

enum class AuditOutcome { kSuccess, kDenied, kError };

std::string_view audit_outcome_name(AuditOutcome outcome);

struct AuditEvent {
  std::string id;              // UUID, set by the sink when empty
  UnixMicros occurred_at = 0;  // set by the sink when 0
  std::string actor_user_id;   // empty for anonymous or the local operator
  std::string actor_kind;      // anonymous, local_operator, user, service
  std::string actor_role;
  std::string session_id;
  std::string source_address;
  std::string user_agent;
  std::string action;  // create, read, update, delete, execute, login, logout, search, ...
  std::string resource_type;
  std::string resource_id;
  std::string patient_id;                // the patient the data belongs to, if one
  std::vector<std::string> patient_ids;  // for listings and searches: every patient returned
  AuditOutcome outcome = AuditOutcome::kSuccess;
  std::string reason;
  bool emergency = false;  // access under a break-glass grant
  std::string request_id;
  std::string node;
};

// The RFC 8785 canonical JSON of the event: its leaf bytes in the log.
Result<std::string> canonical_event_json(const AuditEvent& event);

// Where events go. record() returns only after the event is durable; a
// caller about to send personal data must not send it when record() fails
// (fail closed). Implementations are thread-safe.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual Status record(AuditEvent event) = 0;
};

}  // namespace th::audit
