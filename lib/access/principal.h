// Principal: who is making a request, as established by authentication.
// Built once per request and read-only afterwards.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace th::access {

enum class PrincipalKind {
  kAnonymous,      // nothing presented, or nothing valid
  kLocalOperator,  // a process of root or the admin group on the admin socket
  kUser,           // a person signed in with a session
  kService,        // a script using a service token
  kGuest,          // an invited visit participant with a guest session: one visit, nothing else
};

struct Principal {
  PrincipalKind kind = PrincipalKind::kAnonymous;
  std::string user_id;     // empty for anonymous and the local operator
  std::string username;    // the signed-in user's own, for display
  std::string role;        // role name whose permissions apply
  std::string session_id;  // session or token id, for audit
  std::set<std::string, std::less<>> permissions;
  std::string patient_id;  // for patient users: the only patient they may reach
  // Signed in, but the role requires MFA and none is enrolled yet: only the
  // enrolment endpoints (and sign-out) are open until it is.
  bool mfa_enrolment_required = false;
  unsigned local_uid = 0;  // for the local operator: the peer's uid
  // For guests: the one visit (appointment id) their session reaches.
  std::string guest_appointment_id;

  bool is_authenticated() const { return kind != PrincipalKind::kAnonymous; }
  bool has_permission(std::string_view permission) const {
    return permissions.find(permission) != permissions.end();
  }
};

std::string_view principal_kind_name(PrincipalKind kind);

// The principal of a process on the admin socket. It acts for the host's
// system administrator: provisioning, sessions, tokens, keys, integrity and
// audit verification, status. Like the admin role, it holds no permission to
// read clinical data (separation of duties).
Principal make_local_operator(unsigned uid);

}  // namespace th::access
