// Practitioners' calendar feeds:
//   POST   /api/v1/practitioners/{id}/calendar-token   token.manage: a new
//          token (revoking the one in force), shown once with the feed URL
//   DELETE /api/v1/practitioners/{id}/calendar-token   token.manage
//   GET    /api/v1/calendar/{token}.ics                public: the token is
//          the credential
// The feed's token is never logged: the request log and metrics name the
// route pattern, and audit events name the token's id.
#pragma once

#include "server/access_services.h"
#include "server/notify_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_calendar_routes(Router& router, NotifyServices& notify, AccessServices& access,
                         ServiceContext& context);

}  // namespace th::server
