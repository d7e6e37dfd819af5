// NotificationWaiter: a pause that ends early when another daemon announces
// a change. A loop that polls the database for changes (the security event
// log, say) waits on it instead of sleeping: on PostgreSQL it LISTENs on a
// channel and returns as soon as a notification arrives there, so the poll
// runs within milliseconds of the change; on SQLite (one daemon), or while
// the listening connection is down, it simply sleeps for the period. The
// poll stays the source of truth either way: a notification only says "look
// now".
//
// It never fails: a lost connection is reopened on a later wait, at most
// once a second, and the log hears of it once per outage. The relays
// between daemons (hub/notification_loop.h) read the payloads through one
// too. One thread uses a waiter.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/notification_listener.h"

namespace th::server {

class NotificationWaiter {
 public:
  // `channel` is a fixed name from the code.
  NotificationWaiter(storage::DatabaseOptions options, storage::Backend backend,
                     std::string channel);

  // Returns once notifications arrived on the channel (their payloads) or
  // `period` passed without one (none). After a lost connection it returns
  // a single empty payload at once: whatever was announced while it was
  // down is found by the caller's poll of the database.
  std::vector<std::string> wait(std::chrono::milliseconds period);

 private:
  bool listening();

  storage::DatabaseOptions options_;
  storage::Backend backend_;
  std::string channel_;
  std::unique_ptr<storage::NotificationListener> listener_;
  std::chrono::steady_clock::time_point next_attempt_{};
  bool outage_reported_ = false;
};

}  // namespace th::server
