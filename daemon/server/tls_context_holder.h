// TlsContextHolder: the server's current OpenSSL context, swappable at run
// time. Each new connection takes the context current at accept; a SIGHUP
// builds a new one from the certificate files and swaps it in, so renewed
// certificates apply to new connections while open ones continue untouched.
// Thread-safe.
#pragma once

#include <Poco/Net/Context.h>

#include <mutex>
#include <string>

#include "config/config.h"
#include "util/result.h"

namespace th::server {

// Builds a server context: TLS 1.2 minimum (1.3 if so configured), the
// configured TLS 1.2 cipher list, server cipher preference, no session
// tickets, no renegotiation. The key path may be "credential:NAME".
// Fails with kInvalidArgument naming the file that could not be loaded.
Result<Poco::Net::Context::Ptr> build_server_tls_context(const TlsConfig& tls);

class TlsContextHolder {
 public:
  void set(Poco::Net::Context::Ptr context);
  Poco::Net::Context::Ptr get() const;

 private:
  mutable std::mutex mutex_;
  Poco::Net::Context::Ptr context_;
};

}  // namespace th::server
