// thctl status: what the daemon reports about itself.
#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kStatusColumns = {
    {"version", "version"},
    {"node", "node"},
    {"uptime_seconds", "uptime (s)"},
    {"storage_backend", "storage"},
    {"schema_version", "schema version"},
    {"database_reachable", "database reachable"},
    {"tls_certificate_expires_at", "TLS certificate expires"},
    {"tls_certificate_days_left", "TLS certificate days left"},
};

Status show_status(CommandEnv& env, ApiClient& client) {
  auto status = client.get_object("/api/v1/status");
  if (!status.ok()) {
    return status.error();
  }
  if (!env.options.quiet) {
    print_record(*env.out, env.options.output, *status, kStatusColumns);
  }
  return ok_status();
}

}  // namespace

void register_status_command(CLI::App& app, CommandEnv& env) {
  auto* status =
      app.add_subcommand("status", "Show the daemon's version, uptime, storage and TLS state");
  status->callback(
      [&env] { run_command(env, [&env](ApiClient& c) { return show_status(env, c); }); });
}

}  // namespace th::cli
