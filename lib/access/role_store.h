// RoleStore: roles and the permissions they grant. Built-in roles are
// rewritten from builtin_roles() at every start and cannot be changed
// through the store; custom roles hold any subset of the known permissions.
// Methods run on a caller's session; stateless and thread-safe.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/clock.h"
#include "util/result.h"

namespace th::access {

struct Role {
  std::string name;
  std::string description;
  bool builtin = false;
  bool mfa_required = true;
  int idle_timeout_seconds = 900;
  std::set<std::string, std::less<>> permissions;
};

class RoleStore {
 public:
  // Inserts or rewrites the built-in roles. Idempotent.
  void install_builtin_roles(soci::session& session, UnixMicros now);

  std::optional<Role> find(soci::session& session, const std::string& name);
  std::vector<Role> list(soci::session& session);

  // A custom role. kInvalidArgument for a bad name or unknown permission,
  // kAlreadyExists for a taken name.
  Status create(soci::session& session, const Role& role, UnixMicros now);
  // Adds or removes one permission of a custom role; kFailedPrecondition for
  // a built-in role.
  Status grant(soci::session& session, const std::string& role, const std::string& permission);
  Status revoke(soci::session& session, const std::string& role, const std::string& permission);
};

}  // namespace th::access
