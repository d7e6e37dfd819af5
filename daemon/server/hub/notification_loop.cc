#include "server/hub/notification_loop.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "storage/notification_listener.h"

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

void NotificationLoop::run() {
  std::unique_ptr<storage::NotificationListener> listener;
  while (!stopping_) {
    if (!listener) {
      auto opened = storage::NotificationListener::open(options_, channel_);
      if (!opened.ok()) {
        spdlog::warn("listening on {}: {}; retrying", channel_, opened.error().message());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      listener = std::move(*opened);
    }
    auto payloads = listener->wait(std::chrono::milliseconds(250));
    if (!payloads.ok()) {
      spdlog::warn("listening on {}: {}; reconnecting", channel_, payloads.error().message());
      listener.reset();
      continue;
    }
    for (const std::string& payload : *payloads) {
      try {
        handler_(payload);
      } catch (const std::exception& failure) {
        spdlog::error("a notification on {} could not be applied: {}", channel_, failure.what());
      }
    }
  }
}

}  // namespace th::server
