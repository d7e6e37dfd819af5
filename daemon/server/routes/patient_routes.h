// Patient records: creation, demographics, the clinical record, and
// emergency access to a record outside one's care team. Every read is
// scoped (PatientScope) and audited before the data leaves (fail closed).
#pragma once

#include "server/access_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_patient_routes(Router& router, AccessServices& access, ServiceContext& context);

}  // namespace th::server
