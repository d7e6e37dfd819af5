#include "server/systemd_notifier.h"

#include <systemd/sd-daemon.h>

#include <string>

namespace th::server {

void SystemdNotifier::ready(std::string_view status) const {
  const std::string message = "READY=1\nSTATUS=" + std::string(status);
  sd_notify(0, message.c_str());
}

void SystemdNotifier::reloading() const {
  sd_notify(0, "RELOADING=1");
}

void SystemdNotifier::stopping() const {
  sd_notify(0, "STOPPING=1");
}

void SystemdNotifier::status(std::string_view text) const {
  const std::string message = "STATUS=" + std::string(text);
  sd_notify(0, message.c_str());
}

void SystemdNotifier::watchdog_ping() const {
  sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::milliseconds> SystemdNotifier::watchdog_interval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(usec / 2000);
}

}  // namespace th::server
