#include "audit/fhir_audit_event.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <set>
#include <string_view>

namespace th::audit {
namespace {

constexpr const char* kDicomSystem = "http://dicom.nema.org/resources/ontology/DCM";
constexpr const char* kRestfulSystem = "http://hl7.org/fhir/restful-interaction";
constexpr const char* kActReasonSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
constexpr const char* kSourceTypeSystem =
    "http://terminology.hl7.org/CodeSystem/security-source-type";
constexpr const char* kEntityTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
constexpr const char* kObjectRoleSystem = "http://terminology.hl7.org/CodeSystem/object-role";
constexpr const char* kRoleSystem = "urn:telehealthd:role";

using Object = Poco::JSON::Object;
using Array = Poco::JSON::Array;

Object::Ptr coding(const std::string& system, const std::string& code,
                   const std::string& display = "") {
  Object::Ptr object = new Object;
  object->set("system", system);
  object->set("code", code);
  if (!display.empty()) {
    object->set("display", display);
  }
  return object;
}

Object::Ptr concept_of(const Object::Ptr& code, const std::string& text = "") {
  Array::Ptr codings = new Array;
  codings->add(code);
  Object::Ptr object = new Object;
  object->set("coding", codings);
  if (!text.empty()) {
    object->set("text", text);
  }
  return object;
}

bool is_authentication(const std::string& action) {
  return action == "login" || action == "logout" || action == "lockout" || action == "enrol" ||
         action == "password_change" || action.starts_with("mfa_");
}

// The DICOM event type that best names what happened; the checks run from
// the most specific to the most general.
Object::Ptr event_type(const AuditEvent& event) {
  if (is_authentication(event.action)) {
    return coding(kDicomSystem, "110114", "User Authentication");
  }
  if (event.action == "export") {
    return coding(kDicomSystem, "110106", "Export");
  }
  if (event.resource_type == "audit_event") {
    return coding(kDicomSystem, "110101", "Audit Log Used");
  }
  if (event.action == "access" && event.outcome == AuditOutcome::kDenied) {
    return coding(kDicomSystem, "110113", "Security Alert");
  }
  if (!event.patient_id.empty() || !event.patient_ids.empty() ||
      event.resource_type.starts_with("patient")) {
    return coding(kDicomSystem, "110110", "Patient Record");
  }
  if (event.action == "search") {
    return coding(kDicomSystem, "110112", "Query");
  }
  return coding(kDicomSystem, "110100", "Application Activity");
}

Array::Ptr event_subtypes(const AuditEvent& event) {
  Array::Ptr subtypes = new Array;
  const std::string& action = event.action;
  if (action == "read" || action == "create" || action == "update" || action == "delete") {
    subtypes->add(coding(kRestfulSystem, action));
  } else if (action == "search") {
    subtypes->add(coding(kRestfulSystem, "search-type"));
  } else if (action == "login") {
    subtypes->add(coding(kDicomSystem, "110122", "Login"));
  } else if (action == "logout") {
    subtypes->add(coding(kDicomSystem, "110123", "Logout"));
  }
  subtypes->add(coding(kActionSystem, action));
  return subtypes;
}

std::string_view outcome_code(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::kSuccess:
      return "0";
    case AuditOutcome::kDenied:
      return "4";
    case AuditOutcome::kError:
      return "8";
  }
  return "8";
}

// "203.0.113.5:41234" and "[2001:db8::1]:41234" without their ports.
std::string address_without_port(const std::string& address) {
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const auto colon = address.find(':');
  if (colon != std::string::npos && address.find(':', colon + 1) == std::string::npos) {
    return address.substr(0, colon);
  }
  return address;
}

Object::Ptr agent_of(const AuditEvent& event) {
  Object::Ptr who = new Object;
  if (!event.actor_user_id.empty()) {
    Object::Ptr identifier = new Object;
    identifier->set("system", kUserSystem);
    identifier->set("value", event.actor_user_id);
    who->set("identifier", identifier);
  } else {
    who->set("display", event.actor_kind.empty() ? std::string("anonymous") : event.actor_kind);
  }
  Object::Ptr agent = new Object;
  agent->set("who", who);
  if (!event.actor_role.empty()) {
    Array::Ptr roles = new Array;
    roles->add(concept_of(coding(kRoleSystem, event.actor_role), event.actor_role));
    agent->set("role", roles);
  }
  agent->set("requestor", true);
  if (!event.source_address.empty() && event.source_address != "local") {
    Object::Ptr network = new Object;
    network->set("address", address_without_port(event.source_address));
    network->set("type", "2");
    agent->set("network", network);
  }
  return agent;
}

Object::Ptr source_of(const AuditEvent& event) {
  Object::Ptr identifier = new Object;
  identifier->set("system", kNodeSystem);
  identifier->set("value", event.node);
  Object::Ptr observer = new Object;
  observer->set("identifier", identifier);
  observer->set("display", event.node);
  Array::Ptr types = new Array;
  types->add(coding(kSourceTypeSystem, "4", "Application Server"));
  Object::Ptr source = new Object;
  source->set("site", "telehealthd");
  source->set("observer", observer);
  source->set("type", types);
  return source;
}

Object::Ptr patient_entity(const std::string& patient_id) {
  Object::Ptr what = new Object;
  what->set("reference", "Patient/" + patient_id);
  Object::Ptr entity = new Object;
  entity->set("what", what);
  entity->set("type", coding(kEntityTypeSystem, "1", "Person"));
  entity->set("role", coding(kObjectRoleSystem, "1", "Patient"));
  return entity;
}

Object::Ptr detail(const std::string& type, const std::string& value) {
  Object::Ptr object = new Object;
  object->set("type", type);
  object->set("valueString", value);
  return object;
}

// The thing acted on. Always present, so every AuditEvent says what it is
// about even when no patient is involved (a sign-in, a settings change).
Object::Ptr resource_entity(const AuditEvent& event) {
  Object::Ptr what = new Object;
  if (!event.resource_id.empty()) {
    Object::Ptr identifier = new Object;
    identifier->set("system", kResourceSystemPrefix + event.resource_type);
    identifier->set("value", event.resource_id);
    what->set("identifier", identifier);
  }
  what->set("display",
            event.resource_type.empty() ? std::string("unspecified") : event.resource_type);
  Array::Ptr details = new Array;
  const std::pair<const char*, const std::string*> named_values[] = {
      {"request_id", &event.request_id},
      {"session_id", &event.session_id},
      {"reason", &event.reason},
      {"user_agent", &event.user_agent},
  };
  for (const auto& [type, value] : named_values) {
    if (!value->empty()) {
      details->add(detail(type, *value));
    }
  }
  Object::Ptr entity = new Object;
  entity->set("what", what);
  entity->set("type", coding(kEntityTypeSystem, "2", "System Object"));
  if (details->size() > 0) {
    entity->set("detail", details);
  }
  return entity;
}

Array::Ptr entities_of(const AuditEvent& event) {
  Array::Ptr entities = new Array;
  std::set<std::string> named;
  if (!event.patient_id.empty()) {
    entities->add(patient_entity(event.patient_id));
    named.insert(event.patient_id);
  }
  for (const std::string& patient : event.patient_ids) {
    if (!patient.empty() && named.insert(patient).second) {
      entities->add(patient_entity(patient));
    }
  }
  entities->add(resource_entity(event));
  return entities;
}

}  // namespace

std::string fhir_action_code(const std::string& action) {
  static constexpr std::string_view kReads[] = {"read", "search", "report", "export"};
  static constexpr std::string_view kUpdates[] = {
      "update", "enable",    "disable",           "grant",          "revoke",
      "review", "mfa_reset", "enrolment_reissue", "password_change"};
  if (action == "create") {
    return "C";
  }
  if (action == "delete") {
    return "D";
  }
  if (std::find(std::begin(kReads), std::end(kReads), action) != std::end(kReads)) {
    return "R";
  }
  if (std::find(std::begin(kUpdates), std::end(kUpdates), action) != std::end(kUpdates)) {
    return "U";
  }
  return "E";
}

Poco::JSON::Object::Ptr fhir_audit_event(const AuditEvent& event) {
  Object::Ptr resource = new Object;
  resource->set("resourceType", "AuditEvent");
  if (!event.id.empty()) {
    resource->set("id", event.id);
  }
  resource->set("type", event_type(event));
  resource->set("subtype", event_subtypes(event));
  resource->set("action", fhir_action_code(event.action));
  resource->set("recorded", format_rfc3339_micros(event.occurred_at));
  resource->set("outcome", std::string(outcome_code(event.outcome)));
  if (event.outcome != AuditOutcome::kSuccess && !event.reason.empty()) {
    resource->set("outcomeDesc", event.reason);
  }
  if (event.emergency) {
    Array::Ptr purposes = new Array;
    purposes->add(concept_of(coding(kActReasonSystem, "BTG", "break the glass")));
    resource->set("purposeOfEvent", purposes);
  }
  Array::Ptr agents = new Array;
  agents->add(agent_of(event));
  resource->set("agent", agents);
  resource->set("source", source_of(event));
  resource->set("entity", entities_of(event));
  return resource;
}

}  // namespace th::audit
