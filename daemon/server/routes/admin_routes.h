// Administration of users, roles, care teams, sessions, tokens and the
// review of emergency access. Each route requires its own permission.
#pragma once

#include "server/access_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_admin_routes(Router& router, AccessServices& access, ServiceContext& context);

}  // namespace th::server
