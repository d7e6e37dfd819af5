// The FHIR R4 (4.0.1) AuditEvent resource for one audit event, for exports
// that other systems (SIEMs, audit record repositories, FHIR servers) read.
//
// The mapping:
//   id              the event id
//   type            a DICOM event id: 110114 User Authentication, 110106
//                   Export, 110101 Audit Log Used, 110113 Security Alert,
//                   110110 Patient Record, 110112 Query, else 110100
//                   Application Activity
//   subtype         the FHIR restful interaction where one fits (read,
//                   create, update, delete, search-type), DICOM 110122 Login
//                   and 110123 Logout, and always the event's own action
//                   under kActionSystem, so nothing is lost
//   action          C, R, U, D or E from the event's action
//   recorded        the event time, RFC 3339 with microseconds
//   outcome         0 success, 4 denied (minor failure), 8 error (serious)
//   outcomeDesc     the reason, for events that did not succeed
//   purposeOfEvent  v3 ActReason BTG (break the glass) for emergency access
//   agent[0]        the actor, requestor = true: who (user id, or the kind of
//                   actor for the local operator and anonymous callers),
//                   role, and network address (type 2, IP address)
//   source          observer = the node that wrote the event, type 4
//                   (application server)
//   entity          Patient/<id> (role 1, patient) for the event's patient
//                   and for each patient a listing returned, then the
//                   resource acted on, with the request id, session id and
//                   reason as details
//
// Pure functions; safe to call from any thread.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "audit/audit_event.h"

namespace th::audit {

// Code systems of the identifiers this project puts in AuditEvents.
inline constexpr const char* kActionSystem = "urn:telehealthd:audit-action";
inline constexpr const char* kUserSystem = "urn:telehealthd:user";
inline constexpr const char* kNodeSystem = "urn:telehealthd:node";
// The resource type is appended: urn:telehealthd:resource:patient_record.
inline constexpr const char* kResourceSystemPrefix = "urn:telehealthd:resource:";

Poco::JSON::Object::Ptr fhir_audit_event(const AuditEvent& event);

// The FHIR AuditEvent.action code (C, R, U, D or E) for an event action.
std::string fhir_action_code(const std::string& action);

}  // namespace th::audit
