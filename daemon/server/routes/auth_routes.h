// Signing in and out, enrolment, password change, MFA, and the caller's own
// identity and sessions.
#pragma once

#include "server/access_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_auth_routes(Router& router, AccessServices& access, ServiceContext& context);

}  // namespace th::server
