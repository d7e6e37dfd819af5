// GuestCredentials: how the HTTP layer turns a guest session secret into a
// guest principal, without the access layer knowing where guest sessions
// come from (the scheduling layer's invitations). Guest session secrets
// begin with kGuestSessionPrefix, which no other bearer secret can (it holds
// a '.', outside base64url), so the authenticator knows whom to ask.
// Implementations are thread-safe.
#pragma once

#include <string_view>

#include "access/principal.h"
#include "util/result.h"

namespace th::access {

inline constexpr std::string_view kGuestSessionPrefix = "guest.";

class GuestCredentials {
 public:
  virtual ~GuestCredentials() = default;
  // The guest principal of a live guest session; kUnauthenticated whose
  // message starts with a reason code (invalid_token, session_expired,
  // session_revoked) otherwise.
  virtual Result<Principal> authenticate_guest(std::string_view secret) = 0;
};

}  // namespace th::access
