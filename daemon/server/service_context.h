// ServiceContext: the long-lived services that route handlers use. Owned by
// the Daemon, which outlives every request; handlers hold references only.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "config/config.h"
#include "server/metrics.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::server {

struct ServiceContext {
  const Clock* clock = nullptr;
  storage::Database* database = nullptr;
  Metrics* metrics = nullptr;
  std::string node_name;
  std::string storage_backend;
  std::string certificate_file;
  UnixMicros started_at = 0;
  // Set by the daemon after migration; /readyz compares it to what the
  // database reports.
  int schema_version = 0;
};

}  // namespace th::server
