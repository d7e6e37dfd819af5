#include "audit/audit_event.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "audit/canonical_json.h"

namespace th::audit {

std::string_view audit_outcome_name(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kSuccess:
      return "success";
    case AuditOutcome::kDenied:
      return "denied";
    case AuditOutcome::kError:
      return "error";
  }
  return "error";
}

Result<std::string> canonical_event_json(const AuditEvent& event) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", event.id);
  object->set("occurred_at", format_rfc3339_micros(event.occurred_at));
  object->set("actor_user_id", event.actor_user_id);
  object->set("actor_kind", event.actor_kind);
  object->set("actor_role", event.actor_role);
  object->set("session_id", event.session_id);
  object->set("source_address", event.source_address);
  object->set("user_agent", event.user_agent);
  object->set("action", event.action);
  object->set("resource_type", event.resource_type);
  object->set("resource_id", event.resource_id);
  object->set("patient_id", event.patient_id);
  Poco::JSON::Array::Ptr patients = new Poco::JSON::Array;
  for (const std::string& patient : event.patient_ids) {
    patients->add(patient);
  }
  object->set("patient_ids", patients);
  object->set("outcome", std::string(audit_outcome_name(event.outcome)));
  object->set("reason", event.reason);
  object->set("emergency", event.emergency);
  object->set("request_id", event.request_id);
  object->set("node", event.node);
  return canonical_json(object);
}

}  // namespace th::audit
