// Routes for guests of video visits: inviting, listing and revoking the
// invitations of an appointment (staff and the patient), redeeming a guest
// link (anonymous: the secret is in the body, never in a URL that could be
// logged), and the guest's own view of their visit (a guest session only).
// Redeeming with "cookie": true (the browser's guest page) puts the guest
// session in the th_session cookie and answers its CSRF token instead of
// the secret; without it the secret is answered, for a bearer header.
#pragma once

#include "scheduling/scheduling_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_invitation_routes(Router& router, scheduling::SchedulingServices& scheduling,
                           ServiceContext& context);

}  // namespace th::server
