// Caller: who is asking and from where, as every domain service needs it to
// decide and to audit. Built by the HTTP layer from the request.
#pragma once

#include <string>

#include "access/principal.h"
#include "audit/audit_event.h"

namespace th::access {

struct Caller {
  Principal principal;
  std::string source_address;
  std::string user_agent;
  std::string request_id;
  std::string node;

  // An audit event pre-filled with the caller's identity and origin.
  audit::AuditEvent event(std::string action, std::string resource_type,
                          std::string resource_id = "") const {
    audit::AuditEvent event;
    event.actor_user_id = principal.user_id;
    event.actor_kind = std::string(principal_kind_name(principal.kind));
    event.actor_role = principal.role;
    event.session_id = principal.session_id;
    event.source_address = source_address;
    event.user_agent = user_agent;
    event.request_id = request_id;
    event.node = node;
    event.action = std::move(action);
    event.resource_type = std::move(resource_type);
    event.resource_id = std::move(resource_id);
    return event;
  }
};

}  // namespace th::access
