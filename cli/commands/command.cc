#include "commands/command.h"

#include "exit_codes.h"

namespace th::cli {

void print_error(std::string_view message) {
  std::cerr << "thctl: error: " << message << "\n";
}

void run_command(CommandEnv& env, const std::function<Status(ApiClient&)>& body) {
  const auto format = parse_output_format(env.output_name);
  if (!format.ok()) {
    print_error(format.error().message());
    env.exit_code = kExitUsage;
    return;
  }
  env.options.output = *format;
  ApiClient client(env.options);
  const Status status = body(client);
  if (!status.ok()) {
    print_error(status.error().message());
    env.exit_code = exit_code_for(status.error().code());
  }
}

}  // namespace th::cli
