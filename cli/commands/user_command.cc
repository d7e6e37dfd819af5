// thctl user: the people and services that sign in, their enrolment codes and
// their account state.
#include <memory>

#include "commands/command.h"
#include "commands/csv_import.h"

namespace th::cli {
namespace {

const std::vector<Column> kUserColumns = {
    {"id", "id"},
    {"username", "username"},
    {"kind", "kind"},
    {"role", "role"},
    {"status", "status"},
    {"mfa_enabled", "MFA"},
    {"enrolled", "enrolled"},
    {"email", "email"},
    {"patient_id", "patient"},
    {"failed_logins", "failed sign-ins"},
    {"created_at", "created"},
};

const std::vector<Column> kUserListColumns = {
    {"id", "id"},
    {"username", "username"},
    {"kind", "kind"},
    {"role", "role"},
    {"status", "status"},
    {"mfa_enabled", "MFA"},
    {"enrolled", "enrolled"},
    {"email", "email"},
    {"created_at", "created"},
};

const std::vector<Column> kImportedColumns = {
    {"id", "id"},
    {"username", "username"},
    {"kind", "kind"},
    {"role", "role"},
    {"enrolment_code", "enrolment code (shown once)"},
};

struct UserOptions {
  std::string username;
  std::string role;
  std::string email;
  std::string kind;
  std::string patient;
  std::string target;  // ID or USERNAME of an existing user
  std::string file;
};

// POST /api/v1/users/{id}/{action} for the verbs that change account state.
struct UserAction {
  const char* verb;
  const char* description;
  const char* done;  // table output; the user's name follows
};

constexpr UserAction kActions[] = {
    {"disable", "Disable a user and revoke their sessions and tokens", "disabled user"},
    {"enable", "Enable a disabled user again", "enabled user"},
    {"unlock", "Unlock a user locked out by failed sign-ins", "unlocked user"},
    {"reset-mfa", "Remove a user's MFA so they enrol it again at next sign-in",
     "reset MFA of user"},
};

Status create_user(CommandEnv& env, ApiClient& client, const UserOptions& options) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("username", options.username);
  body->set("role", options.role);
  if (!options.email.empty()) {
    body->set("email", options.email);
  }
  if (!options.kind.empty()) {
    body->set("kind", options.kind);
  }
  if (!options.patient.empty()) {
    body->set("patient_mrn", options.patient);
  }
  auto user = call_object(client, "POST", "/api/v1/users", body);
  if (!user.ok()) {
    return user.error();
  }
  std::vector<Column> columns = kUserColumns;
  columns.push_back({"enrolment_code", "enrolment code"});
  show_record_with_secret(env, *user, columns, "enrolment_code", "enrolment code");
  const bool service = field_text(*user, "kind") == "service";
  if (service && !env.options.quiet && env.options.output == OutputFormat::kTable) {
    *env.out << "\nservice users never sign in; give this one a token with 'thctl token create "
                "--user "
             << options.username << " --name NAME'\n";
  }
  return ok_status();
}

Status list_users(CommandEnv& env, ApiClient& client) {
  auto users = get_items(client, "/api/v1/users");
  if (!users.ok()) {
    return users.error();
  }
  show_listing(env, *users, kUserListColumns);
  return ok_status();
}

Status show_user(CommandEnv& env, ApiClient& client, const std::string& target) {
  auto id = path_segment(target, "a user id or username");
  if (!id.ok()) {
    return id.error();
  }
  auto user = client.get_object("/api/v1/users/" + *id);
  if (!user.ok()) {
    return user.error();
  }
  show_record(env, *user, kUserColumns);
  return ok_status();
}

Status change_user(CommandEnv& env, ApiClient& client, const UserAction& action,
                   const std::string& target) {
  auto id = path_segment(target, "a user id or username");
  if (!id.ok()) {
    return id.error();
  }
  auto reply = call_object(client, "POST", "/api/v1/users/" + *id + "/" + action.verb);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, std::string(action.done) + " '" + target + "'");
  return ok_status();
}

Status reissue_enrolment(CommandEnv& env, ApiClient& client, const std::string& target) {
  auto id = path_segment(target, "a user id or username");
  if (!id.ok()) {
    return id.error();
  }
  auto reply = call_object(client, "POST", "/api/v1/users/" + *id + "/enrolment");
  if (!reply.ok()) {
    return reply.error();
  }
  (*reply)->set("username", target);
  show_record_with_secret(env, *reply, {{"username", "user"}, {"enrolment_code", "code"}},
                          "enrolment_code", "enrolment code");
  return ok_status();
}

Status import_users(CommandEnv& env, ApiClient& client, const std::string& file) {
  return import_csv_file(env, client, file, "/api/v1/users/import", kImportedColumns);
}

}  // namespace

void register_user_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<UserOptions>();
  CLI::App* user = app.add_subcommand("user", "Manage users: staff, patients and services");
  user->require_subcommand(1);

  CLI::App* create =
      add_verb(*user, "create", "Create a user and print their one-time enrolment code", env,
               [&env, options](ApiClient& c) { return create_user(env, c, *options); });
  create->add_option("--username", options->username, "sign-in name")->required();
  create->add_option("--role", options->role, "role the user holds")->required();
  create->add_option("--email", options->email, "contact address");
  create->add_option("--kind", options->kind, "staff, patient or service (default from the role)")
      ->check(CLI::IsMember({"staff", "patient", "service"}));
  create->add_option("--patient", options->patient, "MRN of the record a patient user reaches");

  add_verb(*user, "list", "List all users", env,
           [&env](ApiClient& c) { return list_users(env, c); });

  add_verb(*user, "show", "Show one user", env,
           [&env, options](ApiClient& c) { return show_user(env, c, options->target); })
      ->add_option("user", options->target, "ID or USERNAME")
      ->required();

  for (const UserAction& action : kActions) {
    add_verb(*user, action.verb, action.description, env,
             [&env, options, &action](ApiClient& c) {
               return change_user(env, c, action, options->target);
             })
        ->add_option("user", options->target, "ID or USERNAME")
        ->required();
  }

  add_verb(*user, "enrolment", "Issue a new enrolment code (the old one stops working)", env,
           [&env, options](ApiClient& c) { return reissue_enrolment(env, c, options->target); })
      ->add_option("user", options->target, "ID or USERNAME")
      ->required();

  add_verb(*user, "import", "Create the users of a CSV file, all or none", env,
           [&env, options](ApiClient& c) { return import_users(env, c, options->file); })
      ->add_option("file", options->file,
                   "CSV with a header: username,role and optionally email,kind,patient_mrn")
      ->required();
}

}  // namespace th::cli
