// Authenticator: turns a request's credentials into a Principal.
//
// Returns an anonymous principal when no credentials were presented, and an
// error (kUnauthenticated, with a reason code the client can show) when
// credentials were presented but are not valid. Implementations are shared
// by all request threads and must be thread-safe.
#pragma once

#include "access/principal.h"
#include "server/api_types.h"
#include "util/result.h"

namespace th::server {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<access::Principal> authenticate(const ApiRequest& request) = 0;
};

// Accepts no credentials at all: every caller is anonymous. Used on the TLS
// listener until an authenticator that knows sessions is installed.
class AnonymousAuthenticator final : public Authenticator {
 public:
  Result<access::Principal> authenticate(const ApiRequest&) override { return access::Principal{}; }
};

}  // namespace th::server
