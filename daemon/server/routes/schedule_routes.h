// Routes for what can be booked: practitioners' profiles, visit types,
// availability and its exceptions, slot search, and a practitioner's day.
#pragma once

#include "scheduling/scheduling_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_schedule_routes(Router& router, scheduling::SchedulingServices& scheduling,
                         ServiceContext& context);

}  // namespace th::server
