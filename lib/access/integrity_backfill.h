// The one-time integrity tagging of rows written before their tables carried
// tags: user accounts and emergency-access grants (schema migration 10),
// sessions, service tokens and roles (migration 14).
//
// SQL cannot compute the HMAC, so each migration leaves those rows with an
// empty tag and a pending marker row in integrity_backfills; the daemon, which
// holds the keys, calls backfill_integrity_tags() right after migrating and
// before it serves anything. One write transaction claims each pending
// marker, tags every untagged row of its tables and records how many, so several daemons
// starting together on one PostgreSQL tag them exactly once: the others wait
// on the marker row's lock and then find it claimed. From then on an empty
// tag fails its check like any other mismatch, so blanking a tag cannot
// bypass it.
//
// A marker set back to pending by hand while its tables hold tagged rows is
// not honoured (nothing of it is tagged, and the result says so): on a real
// first run no row has a tag yet, because no daemon serves before its own
// backfill (and built-in roles are rewritten, tagged, only after it).
//
// Safe to call from any thread; audit the result after it returns (never
// from inside the transaction).
#pragma once

#include <cstdint>

#include "storage/data_protection.h"
#include "storage/database.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::access {

struct IntegrityBackfill {
  bool ran = false;      // this call claimed a marker (false when all were done)
  bool refused = false;  // a marker was pending but its rows were already tagged
  std::uint64_t users_tagged = 0;
  std::uint64_t grants_tagged = 0;
  std::uint64_t sessions_tagged = 0;  // sign-in sessions and service tokens
  std::uint64_t roles_tagged = 0;
};

// Fails only when the database does (kUnavailable, kInternal).
[[nodiscard]] Result<IntegrityBackfill> backfill_integrity_tags(storage::Database& database,
                                                                storage::DataProtection& protection,
                                                                UnixMicros now);

}  // namespace th::access
