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
  // The same from the secret's hash (hash_bearer_secret), for a connection
  // that keeps only the hash, such as a WebSocket re-checking its session.
  virtual Result<Principal> authenticate_guest_hash(const std::string& secret_hash) = 0;
};

}  // namespace th::access
