// The TLS settings of the daemon's outgoing connections (the SMTP server,
// the SMS provider): TLS 1.2 or later, the peer's certificate verified
// against `ca_file` (or the system's CA store when it is empty) and its name
// checked against the host connected to. Nothing is sent to a peer that
// fails either check.
#pragma once

#include <Poco/Net/Context.h>

#include <string>

#include "util/result.h"

namespace th::notify {

// kInvalidArgument naming the file when the CA file cannot be loaded.
[[nodiscard]] Result<Poco::Net::Context::Ptr> make_client_tls_context(const std::string& ca_file);

}  // namespace th::notify
