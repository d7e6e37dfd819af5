// thctl access: review of emergency ("break-glass") access, where a
// clinician opened a record outside their care team and gave a reason.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kGrantColumns = {
    {"id", "id"},
    {"user_id", "user"},
    {"patient_id", "patient"},
    {"granted_at", "granted"},
    {"expires_at", "expires"},
    {"review_state", "review"},
    {"reviewed_by", "reviewed by"},
    {"reviewed_at", "reviewed"},
    {"reason", "reason"},
    {"review_comment", "comment"},
};

struct EmergencyOptions {
  bool pending = false;
  std::string id;
  std::string outcome;
  std::string comment;
};

Status list_grants(CommandEnv& env, ApiClient& client, const EmergencyOptions& options) {
  auto grants = get_items(
      client, "/api/v1/emergency-access" + query_string("pending", options.pending ? "true" : ""));
  if (!grants.ok()) {
    return grants.error();
  }
  show_listing(env, *grants, kGrantColumns);
  return ok_status();
}

Status review_grant(CommandEnv& env, ApiClient& client, const EmergencyOptions& options) {
  auto id = path_segment(options.id, "an emergency access id");
  if (!id.ok()) {
    return id.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("outcome", options.outcome);
  if (!options.comment.empty()) {
    body->set("comment", options.comment);
  }
  auto reply = call_object(client, "POST", "/api/v1/emergency-access/" + *id + "/review", body);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "recorded emergency access '" + options.id + "' as " + options.outcome);
  return ok_status();
}

}  // namespace

void register_access_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<EmergencyOptions>();
  CLI::App* access = app.add_subcommand("access", "Review access to patient records");
  access->require_subcommand(1);
  CLI::App* emergency =
      access->add_subcommand("emergency", "Emergency (break-glass) access and its review");
  emergency->require_subcommand(1);

  add_verb(*emergency, "list", "List emergency access grants", env, [&env, options](ApiClient& c) {
    return list_grants(env, c, *options);
  })->add_flag("--pending", options->pending, "only those not yet reviewed");

  CLI::App* review =
      add_verb(*emergency, "review", "Record the outcome of reviewing an emergency access", env,
               [&env, options](ApiClient& c) { return review_grant(env, c, *options); });
  review->add_option("id", options->id, "ID of the emergency access grant")->required();
  review->add_option("--outcome", options->outcome, "justified or unjustified")
      ->required()
      ->check(CLI::IsMember({"justified", "unjustified"}));
  review->add_option("--comment", options->comment, "the reviewer's note");
}

}  // namespace th::cli
