// thctl careteam: which staff members treat a patient. Clinical access to a
// patient's record requires being on their care team (or an emergency grant).
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kMemberColumns = {
    {"patient_id", "patient"},
    {"user_id", "user"},
    {"added_by", "added by"},
    {"added_at", "added"},
};

struct CareTeamOptions {
  std::string patient;
  std::string user;
};

Result<std::string> care_team_path(const CareTeamOptions& options) {
  auto patient = path_segment(options.patient, "a patient id or MRN");
  if (!patient.ok()) {
    return patient.error();
  }
  return "/api/v1/patients/" + *patient + "/care-team";
}

Status add_member(CommandEnv& env, ApiClient& client, const CareTeamOptions& options) {
  auto path = care_team_path(options);
  if (!path.ok()) {
    return path.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("user", options.user);
  auto reply = call_object(client, "POST", *path, body);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply,
            "added '" + options.user + "' to the care team of '" + options.patient + "'");
  return ok_status();
}

Status remove_member(CommandEnv& env, ApiClient& client, const CareTeamOptions& options) {
  auto path = care_team_path(options);
  auto user = path_segment(options.user, "a user id or username");
  if (!path.ok() || !user.ok()) {
    return path.ok() ? user.error() : path.error();
  }
  auto reply = call_object(client, "DELETE", *path + "/" + *user);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply,
            "removed '" + options.user + "' from the care team of '" + options.patient + "'");
  return ok_status();
}

Status list_members(CommandEnv& env, ApiClient& client, const CareTeamOptions& options) {
  auto path = care_team_path(options);
  if (!path.ok()) {
    return path.error();
  }
  auto members = get_items(client, *path);
  if (!members.ok()) {
    return members.error();
  }
  show_listing(env, *members, kMemberColumns);
  return ok_status();
}

}  // namespace

void register_careteam_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<CareTeamOptions>();
  CLI::App* careteam = app.add_subcommand("careteam", "Manage the care teams of patients");
  careteam->require_subcommand(1);

  CLI::App* add = add_verb(*careteam, "add", "Put a staff member on a patient's care team", env,
                           [&env, options](ApiClient& c) { return add_member(env, c, *options); });
  add->add_option("--patient", options->patient, "ID or MRN of the patient")->required();
  add->add_option("--user", options->user, "ID or USERNAME of the staff member")->required();

  CLI::App* remove =
      add_verb(*careteam, "remove", "Take a staff member off a patient's care team", env,
               [&env, options](ApiClient& c) { return remove_member(env, c, *options); });
  remove->add_option("--patient", options->patient, "ID or MRN of the patient")->required();
  remove->add_option("--user", options->user, "ID or USERNAME of the staff member")->required();

  add_verb(*careteam, "list", "List a patient's care team", env,
           [&env, options](ApiClient& c) { return list_members(env, c, *options); })
      ->add_option("--patient", options->patient, "ID or MRN of the patient")
      ->required();
}

}  // namespace th::cli
