// thctl calendar: practitioners' private calendar feeds. A feed URL carries
// its secret token; rotating issues a new one (shown once) and ends the old.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

struct CalendarOptions {
  std::string practitioner;
};

Result<std::string> practitioner_path(const CalendarOptions& options) {
  auto id = path_segment(options.practitioner, "a practitioner id");
  if (!id.ok()) {
    return id.error();
  }
  return "/api/v1/practitioners/" + *id + "/calendar-token";
}

Status rotate_token(CommandEnv& env, ApiClient& client, const CalendarOptions& options) {
  auto path = practitioner_path(options);
  if (!path.ok()) {
    return path.error();
  }
  auto issued = call_object(client, "POST", *path);
  if (!issued.ok()) {
    return issued.error();
  }
  const std::vector<Column> columns = {
      {"id", "id"},
      {"practitioner_id", "practitioner"},
      {"created_at", "created"},
      {"feed_url", "feed url"},
  };
  show_record_with_secret(env, *issued, columns, "feed_url", "feed URL");
  return ok_status();
}

Status revoke_token(CommandEnv& env, ApiClient& client, const CalendarOptions& options) {
  auto path = practitioner_path(options);
  if (!path.ok()) {
    return path.error();
  }
  auto reply = call_object(client, "DELETE", *path);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "the calendar feed of '" + options.practitioner + "' no longer works");
  return ok_status();
}

}  // namespace

void register_calendar_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<CalendarOptions>();
  CLI::App* calendar = app.add_subcommand("calendar", "Manage practitioners' calendar feeds");
  calendar->require_subcommand(1);
  CLI::App* token = calendar->add_subcommand("token", "The secret tokens in feed URLs");
  token->require_subcommand(1);

  add_verb(*token, "rotate", "Issue a new feed URL (shown once) and end the old one", env,
           [&env, options](ApiClient& c) { return rotate_token(env, c, *options); })
      ->add_option("--practitioner", options->practitioner, "user ID of the practitioner")
      ->required();
  add_verb(*token, "revoke", "End a practitioner's feed URL without a new one", env,
           [&env, options](ApiClient& c) { return revoke_token(env, c, *options); })
      ->add_option("--practitioner", options->practitioner, "user ID of the practitioner")
      ->required();
}

}  // namespace th::cli
