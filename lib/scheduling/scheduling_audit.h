// Small helpers the scheduling services share for their audit events and
// the "who did it" columns. Pure functions; thread-safe.
#pragma once

#include <string>

#include "access/caller.h"
#include "audit/audit_event.h"

namespace th::scheduling {

// Who did it, as stored in booked_by, cancelled_by and updated_by: the user
// id, or the principal kind for the local operator.
std::string actor_of(const access::Caller& caller);

// Sets the event's outcome from a failed result: kDenied for refusals
// (kPermissionDenied, and kNotFound when the record exists but is hidden),
// kError otherwise, with the error code as the reason when none is set.
void mark_failure(audit::AuditEvent& event, const Error& error, bool hidden);

}  // namespace th::scheduling
