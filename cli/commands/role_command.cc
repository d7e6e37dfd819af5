// thctl role: the named sets of permissions users hold, their session idle
// timeouts and whether they require MFA.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kRoleColumns = {
    {"name", "name"},
    {"description", "description"},
    {"builtin", "built in"},
    {"mfa_required", "MFA required"},
    {"idle_timeout_seconds", "idle timeout (s)"},
    {"permissions", "permissions"},
};

const std::vector<Column> kRoleListColumns = {
    {"name", "name"},
    {"builtin", "built in"},
    {"mfa_required", "MFA required"},
    {"idle_timeout_seconds", "idle timeout (s)"},
    {"permissions", "permissions"},
};

struct RoleOptions {
  std::string name;
  std::string permission;
  std::vector<std::string> permissions;
  std::string description;
  int idle_timeout_seconds = 900;
  bool no_mfa = false;
};

// Table and CSV show the permissions as one space-separated cell; JSON keeps
// the daemon's array.
Poco::JSON::Object::Ptr for_display(const CommandEnv& env, const Poco::JSON::Object::Ptr& role) {
  return lists_as_text(env, role, {"permissions"});
}

Status list_roles(CommandEnv& env, ApiClient& client) {
  auto roles = get_items(client, "/api/v1/roles");
  if (!roles.ok()) {
    return roles.error();
  }
  Poco::JSON::Array::Ptr shown = new Poco::JSON::Array;
  for (std::size_t i = 0; i < (*roles)->size(); ++i) {
    shown->add(for_display(env, (*roles)->getObject(static_cast<unsigned>(i))));
  }
  show_listing(env, shown, kRoleListColumns);
  return ok_status();
}

Status show_role(CommandEnv& env, ApiClient& client, const std::string& name) {
  auto segment = path_segment(name, "a role name");
  if (!segment.ok()) {
    return segment.error();
  }
  auto role = client.get_object("/api/v1/roles/" + *segment);
  if (!role.ok()) {
    return role.error();
  }
  show_record(env, for_display(env, *role), kRoleColumns);
  return ok_status();
}

Status create_role(CommandEnv& env, ApiClient& client, const RoleOptions& options) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("name", options.name);
  body->set("description", options.description);
  body->set("idle_timeout_seconds", options.idle_timeout_seconds);
  body->set("mfa_required", !options.no_mfa);
  Poco::JSON::Array::Ptr permissions = new Poco::JSON::Array;
  for (const std::string& permission : options.permissions) {
    permissions->add(permission);
  }
  body->set("permissions", permissions);
  auto role = call_object(client, "POST", "/api/v1/roles", body);
  if (!role.ok()) {
    return role.error();
  }
  show_record(env, for_display(env, *role), kRoleColumns);
  return ok_status();
}

Status grant_permission(CommandEnv& env, ApiClient& client, const RoleOptions& options) {
  auto segment = path_segment(options.name, "a role name");
  if (!segment.ok()) {
    return segment.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("permission", options.permission);
  auto reply = call_object(client, "POST", "/api/v1/roles/" + *segment + "/permissions", body);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "granted '" + options.permission + "' to role '" + options.name + "'");
  return ok_status();
}

Status revoke_permission(CommandEnv& env, ApiClient& client, const RoleOptions& options) {
  auto segment = path_segment(options.name, "a role name");
  auto permission = path_segment(options.permission, "a permission");
  if (!segment.ok() || !permission.ok()) {
    return segment.ok() ? permission.error() : segment.error();
  }
  auto reply =
      call_object(client, "DELETE", "/api/v1/roles/" + *segment + "/permissions/" + *permission);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "revoked '" + options.permission + "' from role '" + options.name + "'");
  return ok_status();
}

}  // namespace

void register_role_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<RoleOptions>();
  CLI::App* role = app.add_subcommand("role", "Manage roles and their permissions");
  role->require_subcommand(1);

  add_verb(*role, "list", "List all roles", env,
           [&env](ApiClient& c) { return list_roles(env, c); });

  add_verb(*role, "show", "Show one role", env,
           [&env, options](ApiClient& c) { return show_role(env, c, options->name); })
      ->add_option("name", options->name, "NAME of the role")
      ->required();

  CLI::App* create = add_verb(*role, "create", "Create a role", env, [&env, options](ApiClient& c) {
    return create_role(env, c, *options);
  });
  create->add_option("name", options->name, "NAME of the new role")->required();
  create
      ->add_option("--permission", options->permissions,
                   "permissions it grants (repeatable, or separated by commas)")
      ->required()
      ->delimiter(',');
  create->add_option("--description", options->description, "what the role is for");
  create
      ->add_option("--idle-timeout", options->idle_timeout_seconds,
                   "seconds of inactivity that end a session")
      ->check(CLI::Range(60, 86400))
      ->capture_default_str();
  create->add_flag("--no-mfa", options->no_mfa, "do not require MFA of its users");

  CLI::App* grant =
      add_verb(*role, "grant", "Add a permission to a role", env,
               [&env, options](ApiClient& c) { return grant_permission(env, c, *options); });
  grant->add_option("name", options->name, "NAME of the role")->required();
  grant->add_option("permission", options->permission, "PERMISSION to add")->required();

  CLI::App* revoke =
      add_verb(*role, "revoke", "Remove a permission from a role", env,
               [&env, options](ApiClient& c) { return revoke_permission(env, c, *options); });
  revoke->add_option("name", options->name, "NAME of the role")->required();
  revoke->add_option("permission", options->permission, "PERMISSION to remove")->required();
}

}  // namespace th::cli
