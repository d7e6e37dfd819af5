// The telehealthd lifecycle: configure, open storage, migrate, listen, report
// ready, then serve until a signal asks for a reload (SIGHUP) or a drain
// (SIGTERM, SIGINT).
//
// main() parses the command line into DaemonOptions and calls run_daemon();
// everything else about the daemon lives here and in the files beside it.
#pragma once

#include <string>

namespace th::server {

inline constexpr const char* kDefaultConfigPath = "/etc/telehealthd/telehealthd.toml";

struct DaemonOptions {
  std::string config_path = kDefaultConfigPath;
  bool config_given = false;  // --config was on the command line
  bool check_config = false;  // validate and exit
  bool print_config = false;  // print every effective key and exit
  bool dev = false;           // development instance inside state_dir
  std::string state_dir = "state";
  std::string listen_override;  // --listen ADDR:PORT
};

// Exit codes of the daemon process.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 64;

// Runs the daemon to completion and returns the process exit code. Start-up
// failures are reported as one log line and kExitFailure.
int run_daemon(const DaemonOptions& options);

}  // namespace th::server
