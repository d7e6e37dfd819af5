// NotificationListener: PostgreSQL's LISTEN/NOTIFY, for telling the other
// daemons sharing a database that something changed (a message was posted)
// without polling and without new infrastructure. A notification carries ids
// only: the database stays the source of truth, and whoever is told reads
// the change from it.
//
// The listener holds a connection of its own (libpq, outside the pool),
// since a pooled session would miss notifications between leases. One
// thread uses it; notify() goes through the pool and is thread-safe.
// Delivery is at most once and only while connected: a listener that
// reconnects may have missed some, which callers cover by reading from
// their own cursors.
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "util/result.h"

namespace th::storage {

class NotificationListener {
 public:
  // Connects and listens on `channel` (a fixed name from the code). Fails
  // with kFailedPrecondition for SQLite, kUnavailable when the server cannot
  // be reached.
  static Result<std::unique_ptr<NotificationListener>> open(const DatabaseOptions& options,
                                                            const std::string& channel);
  ~NotificationListener();

  NotificationListener(const NotificationListener&) = delete;
  NotificationListener& operator=(const NotificationListener&) = delete;

  // The payloads that arrive within timeout (possibly none). kUnavailable
  // when the connection is lost: open a new listener.
  Result<std::vector<std::string>> wait(std::chrono::milliseconds timeout);

 private:
  explicit NotificationListener(void* connection) : connection_(connection) {}
  void* connection_;  // PGconn, kept out of this header
};

// Sends payload (at most 7999 bytes) to the listeners of channel when the
// surrounding transaction commits (at once outside one). PostgreSQL only.
void notify(soci::session& session, const std::string& channel, const std::string& payload);

}  // namespace th::storage
