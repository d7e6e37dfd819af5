#include "access/principal.h"

namespace th::access {

std::string_view principal_kind_name(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kAnonymous:
      return "anonymous";
    case PrincipalKind::kLocalOperator:
      return "local_operator";
    case PrincipalKind::kUser:
      return "user";
    case PrincipalKind::kService:
      return "service";
    case PrincipalKind::kGuest:
      return "guest";
  }
  return "anonymous";
}

Principal make_local_operator(unsigned uid) {
  static constexpr std::string_view kPermissions[] = {
      "user.manage",   "role.manage",   "careteam.manage", "session.manage",
      "token.manage",  "audit.verify",  "integrity.check", "keys.manage",
      "system.status", "system.manage", "patient.write",
  };
  Principal principal;
  principal.kind = PrincipalKind::kLocalOperator;
  principal.role = "local_operator";
  principal.local_uid = uid;
  principal.permissions.insert(std::begin(kPermissions), std::end(kPermissions));
  return principal;
}

}  // namespace th::access
