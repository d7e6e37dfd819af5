// The built-in roles and what each may do.
//
// Separation of duties is part of the definitions: admin provisions people
// and roles but holds no clinical permission; compliance_officer reads the
// audit trail and reviews emergency access but reads no clinical notes;
// front_desk sees demographics and schedules only. The definitions are the
// binary's: the daemon rewrites the built-in rows at every start, so an
// upgrade that changes a role applies everywhere at once, and built-in roles
// cannot be edited through the API. Custom roles hold any subset of the
// permission list.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace th::access {

struct RoleDefinition {
  std::string_view name;
  std::string_view description;
  std::vector<std::string_view> permissions;
  bool mfa_required;
  int idle_timeout_seconds;  // automatic log-off after this long without activity
};

const std::vector<RoleDefinition>& builtin_roles();

// The patient role: the only one whose holders are patients.
inline constexpr std::string_view kPatientRole = "patient";

}  // namespace th::access
