// The stored shape of the audit trail: one audit_events row per event, at
// its position `seq` (its leaf index), and one audit_event_patients row per
// patient the event names, which is how searches by patient find events that
// listed many. The writer (audit_log.cc, audit_row_insert.cc) and the
// verifier (audit_verifier.cc) share these so that they cannot disagree on a
// column.
#pragma once

#include <string>
#include <vector>

namespace th::audit {

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
  long long emergency = 0;  // 1 or 0
  std::string request_id;
  std::string node;
  std::string body;  // the positioned log entry (log_entry.h)
  std::string leaf_hash_hex;
};

struct PatientRow {
  long long seq = 0;
  std::string patient_id;
};

// A batch of positioned events ready to be written.
struct AuditRows {
  std::vector<EventRow> events;
  std::vector<PatientRow> patients;
};

}  // namespace th::audit
