// Writing a batch of positioned audit rows (audit_rows.h), in one of two
// ways:
//
// insert_audit_rows() runs inside the append transaction, under the append
// lock, after the stored tail was read (AuditLog's locked path): prepared
// INSERTs of `per_statement` rows each, on either backend.
//
// insert_audit_rows_at_tail() is PostgreSQL's fast path for a daemon that
// already knows the stored tail: the whole batch in ONE autocommitted
// statement of constant text (every column bound as an array, see
// storage/postgresql_array.h), so a batch costs one round trip and one
// commit instead of a transaction of several statements. It stores the rows
// only if it gets the append lock without waiting and the largest stored
// position is the one just before the batch's first; two daemons racing for
// the same positions cannot both succeed, since the second one either finds
// the lock taken or its rows collide on the primary key.
//
// The fast path's commit does not wait for the disk: the caller must wait
// for durability itself before telling anyone the rows are stored.
//
// Both throw what SOCI throws; callers run them through storage::Database,
// which turns that into a Status (a collision being kConflict).
#pragma once

#include <soci/soci.h>

#include "audit/audit_rows.h"
#include "storage/database.h"

namespace th::audit {

void insert_audit_rows(soci::session& session, storage::Backend backend, AuditRows& rows,
                       std::size_t per_statement);

// True when the rows were stored; false, with nothing stored, when the
// append lock `lock_key` (the locked path's advisory lock) is held by
// another transaction, or the stored log does not end just before
// rows.events.front() (another daemon appended, or rows were removed from
// the end). rows.events must not be empty and must hold consecutive
// positions.
bool insert_audit_rows_at_tail(soci::session& session, const AuditRows& rows, long long lock_key);

}  // namespace th::audit
