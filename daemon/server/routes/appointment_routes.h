// Routes for appointments and the waiting room: booking, listing, reading,
// rescheduling, cancelling, the visit steps, and a practitioner's queue.
#pragma once

#include "scheduling/scheduling_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_appointment_routes(Router& router, scheduling::SchedulingServices& scheduling,
                            ServiceContext& context);

}  // namespace th::server
