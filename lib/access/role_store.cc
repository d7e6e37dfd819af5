#include "access/role_store.h"

#include "access/builtin_roles.h"
#include "access/permission.h"
#include "storage/row_values.h"

namespace th::access {
namespace {

Status validate_role_name(const std::string& name) {
  if (name.empty() || name.size() > 48) {
    return Error(ErrorCode::kInvalidArgument, "role name must be 1 to 48 characters");
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Error(ErrorCode::kInvalidArgument,
                   "role name may contain only lower-case letters, digits and '_'");
    }
  }
  return ok_status();
}

Status validate_permission(const std::string& permission) {
  if (!is_known_permission(permission)) {
    return Error(ErrorCode::kInvalidArgument, "unknown permission '" + permission + "'");
  }
  return ok_status();
}

void load_permissions(soci::session& session, Role& role) {
  soci::rowset<std::string> rows =
      (session.prepare << "SELECT permission FROM role_permissions WHERE role = :role",
       soci::use(role.name));
  for (const std::string& permission : rows) {
    role.permissions.insert(permission);
  }
}

Role decode(const soci::row& row) {
  Role role;
  role.name = row.get<std::string>(0);
  role.description = row.get<std::string>(1);
  role.builtin = storage::column_bool(row, 2);
  role.mfa_required = storage::column_bool(row, 3);
  role.idle_timeout_seconds = static_cast<int>(storage::column_int64(row, 4));
  return role;
}

Result<Role> find_custom(RoleStore& store, soci::session& session, const std::string& name) {
  auto role = store.find(session, name);
  if (!role) {
    return Error(ErrorCode::kNotFound, "no role named '" + name + "'");
  }
  if (role->builtin) {
    return Error(ErrorCode::kFailedPrecondition,
                 "role '" + name + "' is built in and cannot be changed; create a custom role");
  }
  return *role;
}

}  // namespace

void RoleStore::install_builtin_roles(soci::session& session, UnixMicros now) {
  for (const RoleDefinition& definition : builtin_roles()) {
    const std::string name(definition.name);
    const std::string description(definition.description);
    const int mfa = definition.mfa_required ? 1 : 0;
    session << "INSERT INTO roles (name, description, builtin, mfa_required, "
               "idle_timeout_seconds, created_at) VALUES (:name, :description, 1, :mfa, :idle, "
               ":now) ON CONFLICT (name) DO UPDATE SET description = excluded.description, "
               "builtin = 1",
        soci::use(name), soci::use(description), soci::use(mfa),
        soci::use(definition.idle_timeout_seconds), soci::use(now);
    session << "DELETE FROM role_permissions WHERE role = :name", soci::use(name);
    for (const std::string_view permission : definition.permissions) {
      const std::string text(permission);
      session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
          soci::use(name), soci::use(text);
    }
  }
}

std::optional<Role> RoleStore::find(soci::session& session, const std::string& name) {
  soci::row row;
  session << "SELECT name, description, builtin, mfa_required, idle_timeout_seconds "
             "FROM roles WHERE name = :name",
      soci::use(name), soci::into(row);
  if (!session.got_data()) {
    return std::nullopt;
  }
  Role role = decode(row);
  load_permissions(session, role);
  return role;
}

std::vector<Role> RoleStore::list(soci::session& session) {
  std::vector<Role> roles;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT name, description, builtin, mfa_required, "
                          "idle_timeout_seconds FROM roles ORDER BY builtin DESC, name");
  for (const soci::row& row : rows) {
    roles.push_back(decode(row));
  }
  for (Role& role : roles) {
    load_permissions(session, role);
  }
  return roles;
}

Status RoleStore::create(soci::session& session, const Role& role, UnixMicros now) {
  TH_RETURN_IF_ERROR(validate_role_name(role.name));
  for (const std::string& permission : role.permissions) {
    TH_RETURN_IF_ERROR(validate_permission(permission));
  }
  if (find(session, role.name)) {
    return Error(ErrorCode::kAlreadyExists, "a role named '" + role.name + "' exists");
  }
  const int mfa = role.mfa_required ? 1 : 0;
  session << "INSERT INTO roles (name, description, builtin, mfa_required, "
             "idle_timeout_seconds, created_at) VALUES (:name, :description, 0, :mfa, :idle, :now)",
      soci::use(role.name), soci::use(role.description), soci::use(mfa),
      soci::use(role.idle_timeout_seconds), soci::use(now);
  for (const std::string& permission : role.permissions) {
    session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
        soci::use(role.name), soci::use(permission);
  }
  return ok_status();
}

Status RoleStore::grant(soci::session& session, const std::string& role,
                        const std::string& permission) {
  TH_RETURN_IF_ERROR(validate_permission(permission));
  auto custom = find_custom(*this, session, role);
  if (!custom.ok()) {
    return custom.error();
  }
  if (!custom->permissions.contains(permission)) {
    session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
        soci::use(role), soci::use(permission);
  }
  return ok_status();
}

Status RoleStore::revoke(soci::session& session, const std::string& role,
                         const std::string& permission) {
  TH_RETURN_IF_ERROR(validate_permission(permission));
  auto custom = find_custom(*this, session, role);
  if (!custom.ok()) {
    return custom.error();
  }
  session << "DELETE FROM role_permissions WHERE role = :role AND permission = :permission",
      soci::use(role), soci::use(permission);
  return ok_status();
}

}  // namespace th::access
