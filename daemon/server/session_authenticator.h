// SessionAuthenticator: the TLS listener's Authenticator. Accepts
//   Authorization: Bearer <session or service token>   (API clients, thctl)
//   Cookie: th_session=<session token>                 (the browser client)
// A cookie-authenticated request that can change state (anything but GET and
// HEAD) must also carry X-CSRF-Token, the value login returned, derived from
// the session secret so that no other site can know it.
// Requests with "X-Background: 1" (polling) do not count as activity for the
// idle timeout. A secret (bearer or cookie) that begins with
// access::kGuestSessionPrefix is an invited guest's session and is checked
// by the GuestCredentials given (refused when there are none); a guest's
// browser holds it in the same cookie, under the same CSRF rule.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "access/credential_cache.h"
#include "access/guest_credentials.h"
#include "server/authenticator.h"

namespace th::server {

inline constexpr const char* kSessionCookie = "th_session";

// The CSRF token belonging to a session secret.
std::string csrf_token_for(std::string_view session_secret);

// The Set-Cookie value that hands a browser a session secret for
// max_age_seconds: Secure, HttpOnly, SameSite=Strict, on the whole origin.
std::string session_cookie(std::string_view session_secret, std::int64_t max_age_seconds);

// The bearer secret a request presents (Authorization: Bearer, else the
// session cookie), or "" when it presents none.
std::string presented_credential(const ApiRequest& request);

class SessionAuthenticator final : public Authenticator {
 public:
  explicit SessionAuthenticator(access::CredentialCache& cache,
                                access::GuestCredentials* guests = nullptr)
      : cache_(cache), guests_(guests) {}
  Result<access::Principal> authenticate(const ApiRequest& request) override;

 private:
  Result<access::Principal> authenticate_secret(const std::string& secret, bool interactive);

  access::CredentialCache& cache_;
  access::GuestCredentials* guests_;
};

}  // namespace th::server
