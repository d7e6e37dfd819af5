// The audit log's integrity API: verification, signed checkpoints, the
// signing key's public half, and inclusion and consistency proofs. Every
// route requires audit.verify (the local operator and the compliance officer
// hold it). Searches and reports of the events themselves live elsewhere.
//
//   POST /api/v1/audit/verify                         walk and check the log
//   GET  /api/v1/audit/checkpoint                     the newest checkpoint
//   POST /api/v1/audit/checkpoint                     sign one now
//   GET  /api/v1/audit/public-key                     PEM and verifier key
//   GET  /api/v1/audit/proofs/inclusion/{event_id}    ?tree_size=N optional
//   GET  /api/v1/audit/proofs/consistency             ?from=N&to=M
//
// Hashes travel as lower-case hex; a checkpoint's note travels as its exact
// text. Each verification is itself recorded as an audit event (action
// "verify"); checkpoints are not, since an event would grow the tree they
// describe.
#pragma once

#include "audit/audit_event.h"
#include "audit/checkpointer.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_audit_log_routes(Router& router, audit::Checkpointer& checkpointer,
                          audit::AuditSink& audit, ServiceContext& context);

}  // namespace th::server
