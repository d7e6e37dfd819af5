#include "access/role_store.h"

#include <utility>

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

constexpr std::string_view kTable = "roles";
constexpr const char* kColumns =
    "name, description, builtin, mfa_required, idle_timeout_seconds, version, integrity_tag";
constexpr std::size_t kTagColumn = 6;

Error tampered(const std::string& name) {
  return Error(ErrorCode::kDataLoss, "role '" + name + "' failed its integrity check");
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
  role.version = storage::column_int64(row, 5);
  return role;
}

// The permission set as one field: sorted (the set's order) and joined by
// newlines, which no permission name contains.
std::string joined_permissions(const Role& role) {
  std::string joined;
  for (const std::string& permission : role.permissions) {
    joined += permission;
    joined += '\n';
  }
  return joined;
}

storage::StoredFields tagged_fields(const Role& role) {
  return {
      {"description", role.description},
      {"builtin", role.builtin ? "1" : "0"},
      {"mfa_required", role.mfa_required ? "1" : "0"},
      {"idle_timeout_seconds", std::to_string(role.idle_timeout_seconds)},
      {"permissions", joined_permissions(role)},
  };
}

std::string role_tag(const storage::DataProtection& protection, const Role& role) {
  return protection.integrity_tag(kTable, role.name, role.version, tagged_fields(role));
}

bool role_verifies(const storage::DataProtection& protection, const Role& role,
                   const std::string& tag) {
  return protection.verify_integrity(kTable, role.name, role.version, tagged_fields(role), tag);
}

// A role as stored: its row with its permissions, and the tag they must
// match.
struct StoredRole {
  Role role;
  std::string tag;
};

// Every role of `rows`, with its permissions: the rows are all read before
// the permissions are, since a session runs one statement at a time.
std::vector<StoredRole> read_roles(soci::session& session, soci::rowset<soci::row>& rows) {
  std::vector<StoredRole> stored;
  for (const soci::row& row : rows) {
    stored.push_back({decode(row), storage::column_text(row, kTagColumn)});
  }
  for (StoredRole& entry : stored) {
    load_permissions(session, entry.role);
  }
  return stored;
}

Result<Role> find_custom(RoleStore& store, soci::session& session, const std::string& name) {
  auto role = store.find(session, name);
  if (!role.ok()) {
    return role.error();
  }
  if (!*role) {
    return Error(ErrorCode::kNotFound, "no role named '" + name + "'");
  }
  if ((*role)->builtin) {
    return Error(ErrorCode::kFailedPrecondition,
                 "role '" + name + "' is built in and cannot be changed; create a custom role");
  }
  return **role;
}

// Pages of the roles table in name order, each role checked with its
// permissions as RoleStore reads it.
class RoleChecker final : public storage::RecordChecker {
 public:
  explicit RoleChecker(const storage::DataProtection& protection) : protection_(protection) {}

  std::string_view table() const override { return kTable; }

  Result<storage::CheckedPage> check_page(soci::session& session, const std::string& after_id,
                                          std::size_t limit) const override {
    storage::CheckedPage page;
    const long long rows_wanted = static_cast<long long>(limit);
    soci::rowset<soci::row> rows =
        (session.prepare << std::string("SELECT ") + kColumns +
                                " FROM roles WHERE name > :after ORDER BY name LIMIT :limit",
         soci::use(after_id), soci::use(rows_wanted));
    for (const StoredRole& stored : read_roles(session, rows)) {
      ++page.rows;
      page.last_id = stored.role.name;
      if (!role_verifies(protection_, stored.role, stored.tag)) {
        page.failures.push_back(
            {std::string(kTable), stored.role.name, {"integrity tag does not match"}});
      }
    }
    return page;
  }

 private:
  const storage::DataProtection& protection_;
};

}  // namespace

void RoleStore::install_builtin_roles(soci::session& session, UnixMicros now) {
  for (const RoleDefinition& definition : builtin_roles()) {
    Role role;
    role.name = definition.name;
    role.description = definition.description;
    role.builtin = true;
    role.mfa_required = definition.mfa_required;
    role.idle_timeout_seconds = definition.idle_timeout_seconds;
    role.permissions.insert(definition.permissions.begin(), definition.permissions.end());
    long long stored_version = 0;
    session << "SELECT version FROM roles WHERE name = :name", soci::use(role.name),
        soci::into(stored_version);
    role.version = session.got_data() ? stored_version + 1 : 1;
    const std::string integrity = role_tag(protection_, role);
    const int mfa = role.mfa_required ? 1 : 0;
    const long long version = role.version;
    session << "INSERT INTO roles (name, description, builtin, mfa_required, "
               "idle_timeout_seconds, created_at, version, integrity_tag) VALUES (:name, "
               ":description, 1, :mfa, :idle, :now, :version, :tag) ON CONFLICT (name) DO UPDATE "
               "SET description = excluded.description, builtin = 1, mfa_required = "
               "excluded.mfa_required, idle_timeout_seconds = excluded.idle_timeout_seconds, "
               "version = excluded.version, integrity_tag = excluded.integrity_tag",
        soci::use(role.name), soci::use(role.description), soci::use(mfa),
        soci::use(role.idle_timeout_seconds), soci::use(now), soci::use(version),
        soci::use(integrity);
    session << "DELETE FROM role_permissions WHERE role = :name", soci::use(role.name);
    for (const std::string& permission : role.permissions) {
      session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
          soci::use(role.name), soci::use(permission);
    }
  }
}

Result<std::optional<Role>> RoleStore::find(soci::session& session, const std::string& name) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns + " FROM roles WHERE name = :name",
       soci::use(name));
  std::vector<StoredRole> stored = read_roles(session, rows);
  if (stored.empty()) {
    return std::optional<Role>();
  }
  if (!role_verifies(protection_, stored.front().role, stored.front().tag)) {
    return tampered(name);
  }
  return std::optional<Role>(std::move(stored.front().role));
}

Result<std::vector<Role>> RoleStore::list(soci::session& session) {
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM roles ORDER BY builtin DESC, name");
  std::vector<Role> roles;
  for (StoredRole& stored : read_roles(session, rows)) {
    if (!role_verifies(protection_, stored.role, stored.tag)) {
      return tampered(stored.role.name);
    }
    roles.push_back(std::move(stored.role));
  }
  return roles;
}

Status RoleStore::create(soci::session& session, const Role& role, UnixMicros now) {
  TH_RETURN_IF_ERROR(validate_role_name(role.name));
  for (const std::string& permission : role.permissions) {
    TH_RETURN_IF_ERROR(validate_permission(permission));
  }
  long long taken = 0;
  session << "SELECT COUNT(*) FROM roles WHERE name = :name", soci::use(role.name),
      soci::into(taken);
  if (taken > 0) {
    return Error(ErrorCode::kAlreadyExists, "a role named '" + role.name + "' exists");
  }
  Role stored = role;
  stored.builtin = false;
  stored.version = 1;
  const std::string integrity = role_tag(protection_, stored);
  const int mfa = stored.mfa_required ? 1 : 0;
  const long long version = stored.version;
  session << "INSERT INTO roles (name, description, builtin, mfa_required, "
             "idle_timeout_seconds, created_at, version, integrity_tag) VALUES (:name, "
             ":description, 0, :mfa, :idle, :now, :version, :tag)",
      soci::use(stored.name), soci::use(stored.description), soci::use(mfa),
      soci::use(stored.idle_timeout_seconds), soci::use(now), soci::use(version),
      soci::use(integrity);
  for (const std::string& permission : stored.permissions) {
    session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
        soci::use(stored.name), soci::use(permission);
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
  if (custom->permissions.contains(permission)) {
    return ok_status();
  }
  session << "INSERT INTO role_permissions (role, permission) VALUES (:role, :permission)",
      soci::use(role), soci::use(permission);
  custom->permissions.insert(permission);
  return write_permissions(session, *custom);
}

Status RoleStore::revoke(soci::session& session, const std::string& role,
                         const std::string& permission) {
  TH_RETURN_IF_ERROR(validate_permission(permission));
  auto custom = find_custom(*this, session, role);
  if (!custom.ok()) {
    return custom.error();
  }
  if (!custom->permissions.contains(permission)) {
    return ok_status();
  }
  session << "DELETE FROM role_permissions WHERE role = :role AND permission = :permission",
      soci::use(role), soci::use(permission);
  custom->permissions.erase(permission);
  return write_permissions(session, *custom);
}

// The role's row takes the tag of its changed permission set, at the next
// version; a concurrent change of the same role makes this one fail instead
// of overwriting it.
Status RoleStore::write_permissions(soci::session& session, const Role& changed) {
  Role next = changed;
  next.version = changed.version + 1;
  const long long old_version = changed.version;
  const long long new_version = next.version;
  const std::string integrity = role_tag(protection_, next);
  soci::statement update =
      (session.prepare << "UPDATE roles SET version = :newv, integrity_tag = :tag "
                          "WHERE name = :name AND version = :oldv",
       soci::use(new_version), soci::use(integrity), soci::use(next.name), soci::use(old_version));
  update.execute(true);
  if (update.get_affected_rows() != 1) {
    return Error(ErrorCode::kConflict, "role '" + next.name + "' changed concurrently; try again");
  }
  return ok_status();
}

std::uint64_t RoleStore::tag_untagged_rows(soci::session& session) {
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM roles WHERE integrity_tag = ''");
  const std::vector<StoredRole> untagged = read_roles(session, rows);
  for (const StoredRole& stored : untagged) {
    const long long version = stored.role.version;
    const std::string integrity = role_tag(protection_, stored.role);
    session << "UPDATE roles SET integrity_tag = :tag WHERE name = :name AND version = :version "
               "AND integrity_tag = ''",
        soci::use(integrity), soci::use(stored.role.name), soci::use(version);
  }
  return untagged.size();
}

std::unique_ptr<storage::RecordChecker> RoleStore::checker() const {
  return std::make_unique<RoleChecker>(protection_);
}

}  // namespace th::access
