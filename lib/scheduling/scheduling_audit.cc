#include "scheduling/scheduling_audit.h"

namespace th::scheduling {

std::string actor_of(const access::Caller& caller) {
  return caller.principal.user_id.empty()
             ? std::string(access::principal_kind_name(caller.principal.kind))
             : caller.principal.user_id;
}

void mark_failure(audit::AuditEvent& event, const Error& error, bool hidden) {
  const bool refused = hidden || error.code() == ErrorCode::kPermissionDenied;
  event.outcome = refused ? audit::AuditOutcome::kDenied : audit::AuditOutcome::kError;
  if (event.reason.empty()) {
    event.reason = std::string(error_code_name(error.code()));
  }
}

}  // namespace th::scheduling
