// thctl reminder: the outbox of messages to patients (booking notices and
// reminders). Listings show ids, kinds, times and errors, never a recipient
// or a message text.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kReminderColumns = {
    {"id", "id"},
    {"channel", "channel"},
    {"kind", "kind"},
    {"status", "status"},
    {"reference", "about"},
    {"due_at", "due"},
    {"attempts", "attempts"},
    {"next_attempt_at", "next attempt"},
    {"sent_at", "sent"},
    {"last_error", "last error"},
};

struct ReminderOptions {
  std::string status;
  int limit = 100;
  std::string id;
};

Status list_reminders(CommandEnv& env, ApiClient& client, const ReminderOptions& options) {
  std::string path = "/api/v1/reminders?limit=" + std::to_string(options.limit);
  if (!options.status.empty()) {
    path += "&status=" + options.status;
  }
  auto reminders = get_items(client, path);
  if (!reminders.ok()) {
    return reminders.error();
  }
  show_listing(env, *reminders, kReminderColumns);
  return ok_status();
}

Status retry_reminder(CommandEnv& env, ApiClient& client, const ReminderOptions& options) {
  auto id = path_segment(options.id, "a message id");
  if (!id.ok()) {
    return id.error();
  }
  auto reply = call_object(client, "POST", "/api/v1/reminders/" + *id + "/retry");
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "message '" + options.id + "' will be sent again");
  return ok_status();
}

}  // namespace

void register_reminder_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<ReminderOptions>();
  CLI::App* reminder =
      app.add_subcommand("reminder", "Inspect and retry messages to patients (the outbox)");
  reminder->require_subcommand(1);

  CLI::App* list =
      add_verb(*reminder, "list", "List queued, sent and failed messages", env,
               [&env, options](ApiClient& c) { return list_reminders(env, c, *options); });
  list->add_option("--status", options->status, "only messages in this state")
      ->check(CLI::IsMember({"pending", "sending", "sent", "failed", "cancelled"}));
  list->add_option("--limit", options->limit, "at most this many, newest first (default 100)")
      ->check(CLI::Range(1, 1000));

  add_verb(*reminder, "retry", "Send a failed message again", env,
           [&env, options](ApiClient& c) { return retry_reminder(env, c, *options); })
      ->add_option("id", options->id, "ID of the message")
      ->required();
}

}  // namespace th::cli
