#include "server/hub/notification_loop.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "server/notification_waiter.h"

namespace th::server {

void NotificationLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void NotificationLoop::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

// The waiter reopens a lost connection; the empty payload it returns then
// carries nothing to hand over.
void NotificationLoop::run() {
  NotificationWaiter waiter(options_, storage::Backend::kPostgresql, channel_);
  while (!stopping_) {
    for (const std::string& payload : waiter.wait(std::chrono::milliseconds(250))) {
      if (payload.empty()) {
        continue;
      }
      try {
        handler_(payload);
      } catch (const std::exception& failure) {
        spdlog::error("a notification on {} could not be applied: {}", channel_, failure.what());
      }
    }
  }
}

}  // namespace th::server
