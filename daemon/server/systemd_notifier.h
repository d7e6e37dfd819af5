// SystemdNotifier: the daemon's side of Type=notify. Every call is a no-op
// when the daemon was not started by systemd (no NOTIFY_SOCKET), so the same
// code runs under systemd, in a terminal and in tests.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace th::server {

class SystemdNotifier {
 public:
  void ready(std::string_view status) const;
  void reloading() const;
  void stopping() const;
  void status(std::string_view text) const;
  void watchdog_ping() const;

  // Half of WatchdogSec when the unit enables the watchdog, else nothing.
  std::optional<std::chrono::milliseconds> watchdog_interval() const;
};

}  // namespace th::server
