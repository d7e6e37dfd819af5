// The integrity check of stored personal data (HIPAA 164.312(c)(1)):
//
//   POST /api/v1/integrity/check    walk every registered table and report
//
// Requires integrity.check (the local operator and the compliance officer
// hold it). The reply is 200 whether or not rows failed:
//   {"ok": bool, "rows_checked": n,
//    "tables": [{"table", "rows_checked", "rows_failed"}],
//    "failures": [{"table", "row_id", "problems": ["..."]}]}
// and names rows by id only, never a stored value. Each check is recorded
// as an audit event (action "verify", resource type "personal_data"), with
// outcome error when any row failed.
#pragma once

#include "audit/audit_event.h"
#include "server/router.h"
#include "server/service_context.h"
#include "storage/integrity_scanner.h"

namespace th::server {

void add_integrity_routes(Router& router, const storage::IntegrityScanner& scanner,
                          audit::AuditSink& audit, ServiceContext& context);

}  // namespace th::server
