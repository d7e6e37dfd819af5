// RoleStore: roles and the permissions they grant. Built-in roles are
// rewritten from builtin_roles() at every start and cannot be changed
// through the store; custom roles hold any subset of the known permissions.
//
// Every role row carries a version and an integrity tag (DataProtection)
// over its flags, idle limit and whole permission set, so that a database
// writer who adds a permission to a role, or lifts its MFA requirement, has
// the role refused (kDataLoss) instead of obeyed. Tags are checked on every
// read, and by `thctl integrity check` through checker().
//
// Methods run on a caller's session; stateless apart from the protection it
// is given, and thread-safe.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/data_protection.h"
#include "storage/record_checker.h"
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
  std::int64_t version = 1;  // raised by every change
};

class RoleStore {
 public:
  explicit RoleStore(storage::DataProtection& protection) : protection_(protection) {}

  // Inserts or rewrites the built-in roles, with fresh tags. Idempotent.
  void install_builtin_roles(soci::session& session, UnixMicros now);

  // nullopt for no such role; kDataLoss when the role fails its integrity
  // check.
  Result<std::optional<Role>> find(soci::session& session, const std::string& name);
  // kDataLoss naming the first role that fails its integrity check.
  Result<std::vector<Role>> list(soci::session& session);

  // A custom role. kInvalidArgument for a bad name or unknown permission,
  // kAlreadyExists for a taken name.
  Status create(soci::session& session, const Role& role, UnixMicros now);
  // Adds or removes one permission of a custom role; kFailedPrecondition for
  // a built-in role.
  Status grant(soci::session& session, const std::string& role, const std::string& permission);
  Status revoke(soci::session& session, const std::string& role, const std::string& permission);

  // Tags the roles stored before roles carried tags; returns how many. Only
  // for the one-time backfill (access/integrity_backfill.h).
  std::uint64_t tag_untagged_rows(soci::session& session);

  // The integrity check of the roles table, permissions included.
  std::unique_ptr<storage::RecordChecker> checker() const;

 private:
  Status write_permissions(soci::session& session, const Role& changed);

  storage::DataProtection& protection_;
};

}  // namespace th::access
