#include "server/notification_waiter.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace th::server {

NotificationWaiter::NotificationWaiter(storage::DatabaseOptions options, storage::Backend backend,
                                       std::string channel)
    : options_(std::move(options)), backend_(backend), channel_(std::move(channel)) {}

bool NotificationWaiter::wait(std::chrono::milliseconds period) {
  if (!listening()) {
    std::this_thread::sleep_for(period);
    return false;
  }
  auto payloads = listener_->wait(period);
  if (!payloads.ok()) {
    // Whatever was announced while the connection was down is found by the
    // caller's next poll, which runs at once.
    listener_.reset();
    return true;
  }
  return !payloads->empty();
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
