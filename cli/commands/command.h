// The contract between thctl's main() and its commands.
//
// Each noun (status, user, role, ...) lives in its own file and exposes one
// registrar that adds its subcommands to the CLI11 app. A command's callback
// calls run_command() with its body; the body returns a Status, and
// run_command() prints a failure the one way thctl prints failures
// ("thctl: error: <message>" on stderr) and records the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "cli_context.h"
#include "client/api_client.h"
#include "util/result.h"

namespace th::cli {

struct CommandEnv {
  GlobalOptions options;
  std::string output_name = "table";
  int exit_code = 0;
  std::ostream* out = &std::cout;
};

void run_command(CommandEnv& env, const std::function<Status(ApiClient&)>& body);

// Prints "thctl: error: <message>" to stderr.
void print_error(std::string_view message);

using NounRegistrar = void (*)(CLI::App& app, CommandEnv& env);

// One registrar per noun file.
void register_status_command(CLI::App& app, CommandEnv& env);

}  // namespace th::cli
