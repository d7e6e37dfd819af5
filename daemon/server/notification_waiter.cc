#include "server/notification_waiter.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace th::server {

NotificationWaiter::NotificationWaiter(storage::DatabaseOptions options, storage::Backend backend,
                                       std::string channel)
    : options_(std::move(options)), backend_(backend), channel_(std::move(channel)) {}

std::vector<std::string> NotificationWaiter::wait(std::chrono::milliseconds period) {
  if (!listening()) {
    std::this_thread::sleep_for(period);
    return {};
  }
  auto payloads = listener_->wait(period);
  if (!payloads.ok()) {
    spdlog::warn("listening on {}: {}; reconnecting", channel_, payloads.error().message());
    listener_.reset();
    return {std::string()};
  }
  return std::move(*payloads);
}

// Opens the listening connection when there is none and an attempt is due.
bool NotificationWaiter::listening() {
  if (listener_ || backend_ != storage::Backend::kPostgresql) {
    return listener_ != nullptr;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    return false;
  }
  next_attempt_ = now + std::chrono::seconds(1);
  auto opened = storage::NotificationListener::open(options_, channel_);
  if (!opened.ok()) {
    if (!outage_reported_) {
      spdlog::warn("not listening on {}, polling only: {}", channel_, opened.error().message());
      outage_reported_ = true;
    }
    return false;
  }
  if (outage_reported_) {
    spdlog::info("listening on {} again", channel_);
    outage_reported_ = false;
  }
  listener_ = std::move(*opened);
  return true;
}

}  // namespace th::server
