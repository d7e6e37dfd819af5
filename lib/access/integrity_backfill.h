// The one-time integrity tagging of user accounts and emergency-access
// grants written before their rows carried tags (schema migration 9).
//
// SQL cannot compute the HMAC, so the migration leaves those rows with an
// empty tag and a pending row in integrity_backfills; the daemon, which
// holds the keys, calls backfill_integrity_tags() right after migrating and
// before it serves anything. One write transaction claims the pending
// marker, tags every untagged row and records how many, so several daemons
// starting together on one PostgreSQL tag them exactly once: the others wait
// on the marker row's lock and then find it claimed. From then on an empty
// tag fails its check like any other mismatch, so blanking a tag cannot
// bypass it.
//
// A marker set back to pending by hand while tagged rows exist is not
// honoured (nothing is tagged, and the result says so): on a real first run
// no row has a tag yet, because no daemon serves before its own backfill.
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
  bool ran = false;      // this call claimed the marker (false when already done)
  bool refused = false;  // the marker was pending but rows were already tagged
  std::uint64_t users_tagged = 0;
  std::uint64_t grants_tagged = 0;
};

// Fails only when the database does (kUnavailable, kInternal).
[[nodiscard]] Result<IntegrityBackfill> backfill_integrity_tags(storage::Database& database,
                                                                storage::DataProtection& protection,
                                                                UnixMicros now);

}  // namespace th::access
