// Operational endpoints: liveness, readiness, metrics and daemon status.
#pragma once

#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

// /healthz, /readyz and /metrics are public and carry no personal data;
// /api/v1/status requires system.status.
void add_system_routes(Router& router, ServiceContext& context);

}  // namespace th::server
