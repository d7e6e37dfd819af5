// NotificationLoop: a thread that LISTENs on one PostgreSQL channel and
// hands every payload to a handler, reconnecting (once a second) after
// losing its connection. Shared by the relays between daemons (messages,
// visit rooms). A notification missed while reconnecting is lost: callers
// keep the database the source of truth. Thread-safe; start() once.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "storage/database.h"

namespace th::server {

class NotificationLoop {
 public:
  using Handler = std::function<void(const std::string& payload)>;

  NotificationLoop(storage::DatabaseOptions options, std::string channel, Handler handler)
      : options_(std::move(options)), channel_(std::move(channel)), handler_(std::move(handler)) {}
  ~NotificationLoop() { stop(); }

  void start();
  void stop();

 private:
  void run();

  storage::DatabaseOptions options_;
  std::string channel_;
  Handler handler_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace th::server
