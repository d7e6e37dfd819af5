// telehealthd: parses the command line and hands over to the server library.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "server/daemon.h"
#include "version.h"

int main(int argc, char** argv) {
  th::server::DaemonOptions options;
  CLI::App app{"telehealthd: the telehealth clinic-operations daemon"};
  app.set_version_flag("--version", std::string("telehealthd ") + th::kVersion);
  auto* config =
      app.add_option("--config", options.config_path, "configuration file")->capture_default_str();
  app.add_flag("--check-config", options.check_config, "validate the configuration and exit");
  app.add_flag("--print-config", options.print_config, "print every effective setting and exit");
  app.add_flag("--dev", options.dev, "development instance kept inside --state-dir");
  auto* state_dir =
      app.add_option("--state-dir", options.state_dir, "folder of the development instance")
          ->capture_default_str();
  app.add_option("--listen", options.listen_override, "override server.listen (ADDR:PORT)");
  try {
    app.parse(argc, argv);
    if (state_dir->count() > 0 && !options.dev) {
      throw CLI::ValidationError("--state-dir", "requires --dev");
    }
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : th::server::kExitUsage;
  }
  options.config_given = config->count() > 0;
  return th::server::run_daemon(options);
}
