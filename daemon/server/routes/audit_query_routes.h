// The audit trail read back over HTTP, for holders of "audit.read":
//   GET /api/v1/audit/events                   search with filters, keyset pages
//   GET /api/v1/audit/reports/access           who touched one patient's data
//   GET /api/v1/audit/reports/user             one person's activity
//   GET /api/v1/audit/reports/emergency        every break-glass grant, its review
//                                              and the accesses made under it
//   GET /api/v1/audit/reports/failed-logins    refused sign-ins by actor and source
//   GET /api/v1/audit/export                   csv, ndjson or fhir, streamed
//
// Filters, wherever they apply: user, patient, action, resource, outcome,
// from, to (RFC 3339 or YYYY-MM-DD) and emergency=true; pages take limit
// (default 100, at most 1000) and after (the previous page's "next").
//
// An export covers the log as it stood when it was asked for; its headers
// X-Audit-Event-Count (events in the body) and X-Audit-Through-Seq (the
// newest position covered) let a client tell a complete export from one cut
// short.
//
// The auditors are audited: every search, report and export is recorded as
// an event (action search, report or export; resource type audit_event)
// before any of its data leaves, and is refused when that record fails.
#pragma once

#include "server/access_services.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_audit_query_routes(Router& router, AccessServices& access, ServiceContext& context);

}  // namespace th::server
