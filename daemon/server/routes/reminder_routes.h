// The outbox for operators, and patients' reminder preferences:
//   GET  /api/v1/reminders?status=&limit=            system.status
//   POST /api/v1/reminders/{id}/retry                system.manage
//   GET  /api/v1/me/reminder-preferences             a patient's own
//   PUT  /api/v1/me/reminder-preferences
//   GET  /api/v1/patients/{id}/reminder-preferences  patient.demographics, in scope
//   PUT  /api/v1/patients/{id}/reminder-preferences  patient.write, in scope
// Listings carry ids, kinds, times and errors, never a recipient or a text.
#pragma once

#include "server/access_services.h"
#include "server/notify_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_reminder_routes(Router& router, NotifyServices& notify, AccessServices& access,
                         ServiceContext& context);

}  // namespace th::server
