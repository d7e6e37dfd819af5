// Permissions: the fine-grained rights that roles grant and API routes
// require. Deny by default: a principal may do only what one of these, held
// through its role, allows; every route declares the one it needs.
#pragma once

#include <span>
#include <string_view>

namespace th::access {

// The complete list. Names are stable identifiers used in configuration,
// custom roles and audit events.
inline constexpr std::string_view kAllPermissions[] = {
    "patient.read",          // clinical view of a patient in one's scope
    "patient.write",         // change a patient's record
    "patient.demographics",  // names, contact, schedule (front desk)
    "note.read",             // clinical notes
    "note.write",
    "note.sign",
    "message.read",
    "message.send",
    "document.read",   // a patient's uploaded documents, in one's scope
    "document.write",  // upload a document to a patient's record
    "appointment.read",
    "appointment.write",
    "schedule.manage",  // availability, visit types
    "audit.read",
    "audit.verify",
    "user.manage",
    "role.manage",
    "careteam.manage",
    "session.manage",  // revoke other people's sessions
    "token.manage",
    "billing.read",
    "billing.export",
    "breach.manage",
    "baa.manage",
    "emergency.access",
    "emergency.review",
    "integrity.check",
    "keys.manage",
    "system.status",
    "system.manage",
};

bool is_known_permission(std::string_view name);

}  // namespace th::access
