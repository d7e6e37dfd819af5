// The key-encryption-key API: where a rotation stands, and the rotation
// itself. Both routes require keys.manage (the local operator and the admin
// role hold it).
//
//   GET  /api/v1/keys/status   the current KEK, the KEKs this daemon holds,
//                              and each data key's purpose, KEK and times
//   POST /api/v1/keys/rotate   re-wrap every data key under the current KEK
//
// Only ids travel: KEK ids, data key ids, purposes and times, never key
// material. Each rotation, done or failed, is recorded as an audit event
// (action "rotate", resource "key", the current KEK's id as the resource id)
// before the reply is sent.
#pragma once

#include "audit/audit_event.h"
#include "server/router.h"
#include "server/service_context.h"
#include "storage/key_ring_protection.h"

namespace th::server {

void add_key_routes(Router& router, storage::KeyRingProtection& protection, audit::AuditSink& audit,
                    ServiceContext& context);

}  // namespace th::server
