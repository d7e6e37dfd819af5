// thctl: the telehealthd administration tool. Parses the global options and
// dispatches to the command files in commands/.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "commands/command.h"
#include "exit_codes.h"
#include "version.h"

namespace {

// The nouns thctl knows, each registered by its own file.
constexpr th::cli::NounRegistrar kNouns[] = {
    th::cli::register_status_command,       th::cli::register_user_command,
    th::cli::register_role_command,         th::cli::register_careteam_command,
    th::cli::register_session_command,      th::cli::register_token_command,
    th::cli::register_access_command,       th::cli::register_patient_command,
    th::cli::register_audit_command,        th::cli::register_audit_query_command,
    th::cli::register_integrity_command,    th::cli::register_keys_command,
    th::cli::register_practitioner_command, th::cli::register_appointment_command,
    th::cli::register_schedule_command,     th::cli::register_reminder_command,
    th::cli::register_calendar_command,     th::cli::register_document_command,
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  th::cli::CommandEnv env;
  env.options.url = env_or("THCTL_URL", "");
  env.options.token_file = env_or("THCTL_TOKEN_FILE", "");

  CLI::App app{"thctl: administer a telehealthd daemon"};
  app.set_version_flag("--version", std::string("thctl ") + th::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--socket", env.options.socket_path, "admin socket of the local daemon")
      ->capture_default_str();
  app.add_option("--url", env.options.url, "https://HOST:PORT of a remote daemon (THCTL_URL)");
  app.add_option("--token-file", env.options.token_file,
                 "file holding a bearer token for --url (THCTL_TOKEN_FILE)");
  app.add_option("--ca-file", env.options.ca_file, "CA certificate to trust for --url");
  app.add_option("--output,-o", env.output_name, "table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  app.add_flag("--quiet,-q", env.options.quiet, "print nothing on success");

  for (const th::cli::NounRegistrar registrar : kNouns) {
    registrar(app, env);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) {
      return app.exit(error);
    }
    const std::string unknown =
        th::cli::unknown_command_message(app, std::vector<std::string>(argv + 1, argv + argc));
    th::cli::print_error(unknown.empty() ? error.what() : unknown);
    return th::cli::kExitUsage;
  }
  return env.exit_code;
}
