// thctl practitioner: practitioners' scheduling profiles: NPI, the states
// they are licensed in (visits are booked only in those), time zone and slot
// length. Setting a profile is credentialing (user.manage: the local
// operator and administrators); reading one needs appointment.read.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kPractitionerColumns = {
    {"user_id", "user"},
    {"npi", "NPI"},
    {"license_states", "licensed in"},
    {"time_zone", "time zone"},
    {"slot_minutes", "slot minutes"},
    {"display_name", "display name"},
};

struct PractitionerOptions {
  std::string user;
  std::string npi;
  std::string licenses;
  std::string time_zone;
  int slot_minutes = 20;
  std::string states;  // license add|remove
  std::string display_name;
};

Status change_licenses(CommandEnv& env, ApiClient& client, const PractitionerOptions& options,
                       const char* change) {
  auto user = path_segment(options.user, "a user id or username");
  if (!user.ok()) {
    return user.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set(change, options.states);
  auto practitioner =
      call_object(client, "POST", "/api/v1/practitioners/" + *user + "/licenses", body);
  if (!practitioner.ok()) {
    return practitioner.error();
  }
  show_record(env, *practitioner, kPractitionerColumns);
  return ok_status();
}

Status set_practitioner(CommandEnv& env, ApiClient& client, const PractitionerOptions& options) {
  auto user = path_segment(options.user, "a user id or username");
  if (!user.ok()) {
    return user.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("npi", options.npi);
  body->set("license_states", options.licenses);
  body->set("time_zone", options.time_zone);
  body->set("slot_minutes", options.slot_minutes);
  body->set("display_name", options.display_name);
  auto practitioner = call_object(client, "PUT", "/api/v1/practitioners/" + *user, body);
  if (!practitioner.ok()) {
    return practitioner.error();
  }
  show_record(env, *practitioner, kPractitionerColumns);
  return ok_status();
}

Status list_practitioners(CommandEnv& env, ApiClient& client) {
  auto practitioners = get_items(client, "/api/v1/practitioners");
  if (!practitioners.ok()) {
    return practitioners.error();
  }
  show_listing(env, *practitioners, kPractitionerColumns);
  return ok_status();
}

Status show_practitioner(CommandEnv& env, ApiClient& client, const std::string& target) {
  auto id = path_segment(target, "a practitioner's user id");
  if (!id.ok()) {
    return id.error();
  }
  auto practitioner = client.get_object("/api/v1/practitioners/" + *id);
  if (!practitioner.ok()) {
    return practitioner.error();
  }
  show_record(env, *practitioner, kPractitionerColumns);
  return ok_status();
}

}  // namespace

void register_practitioner_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<PractitionerOptions>();
  CLI::App* practitioner =
      app.add_subcommand("practitioner", "Practitioners' licenses, time zones and slot lengths");
  practitioner->require_subcommand(1);

  CLI::App* set =
      add_verb(*practitioner, "set", "Create or replace a practitioner's profile", env,
               [&env, options](ApiClient& c) { return set_practitioner(env, c, *options); });
  set->add_option("user", options->user, "ID or USERNAME of the staff member")->required();
  set->add_option("--npi", options->npi, "National Provider Identifier, 10 digits")->required();
  set->add_option("--license", options->licenses, "states licensed in, e.g. CA,OR")->required();
  set->add_option("--time-zone", options->time_zone, "IANA time zone, e.g. America/Denver")
      ->required();
  set->add_option("--slot-minutes", options->slot_minutes, "length of a slot, 5 to 240")
      ->capture_default_str();
  set->add_option("--display-name", options->display_name,
                  "name patients read in reminders, e.g. \"Dr. Lee\"");

  CLI::App* license = practitioner->add_subcommand("license",
                                                   "Add or remove the states a practitioner is "
                                                   "licensed in");
  license->require_subcommand(1);
  const std::pair<const char*, const char*> kLicenseVerbs[] = {
      {"add", "Add states to a practitioner's licenses"},
      {"remove", "Remove states from a practitioner's licenses"},
  };
  for (const auto& [verb, description] : kLicenseVerbs) {
    const std::string change = verb;
    CLI::App* command =
        add_verb(*license, verb, description, env, [&env, options, change](ApiClient& c) {
          return change_licenses(env, c, *options, change.c_str());
        });
    command->add_option("user", options->user, "ID or USERNAME of the practitioner")->required();
    command->add_option("--state", options->states, "states, e.g. CA or CA,OR")->required();
  }

  add_verb(*practitioner, "list", "List practitioners", env,
           [&env](ApiClient& c) { return list_practitioners(env, c); });

  add_verb(*practitioner, "show", "Show one practitioner's profile", env,
           [&env, options](ApiClient& c) { return show_practitioner(env, c, options->user); })
      ->add_option("user", options->user, "user ID of the practitioner")
      ->required();
}

}  // namespace th::cli
