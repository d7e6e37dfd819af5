// The server's part of the WebSocket opening handshake (RFC 6455 section
// 4.2): which upgrade requests are acceptable and the accept key the 101
// answer carries. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace th::realtime {

// The request headers that decide whether an upgrade is acceptable.
struct UpgradeRequest {
  std::string method;
  std::string upgrade;     // Upgrade
  std::string connection;  // Connection
  std::string version;     // Sec-WebSocket-Version
  std::string key;         // Sec-WebSocket-Key
};

// Ok when the request is a well-formed version 13 upgrade; otherwise
// kInvalidArgument naming the first problem (the caller answers 400, or 426
// with "Sec-WebSocket-Version: 13" when only the version is wrong, which
// the message then starts with "unsupported_version").
[[nodiscard]] Status check_upgrade_request(const UpgradeRequest& request);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key:
// base64(SHA-1(key + the RFC's fixed GUID)).
[[nodiscard]] std::string websocket_accept_key(std::string_view client_key);

// True when a comma-separated header value lists `token`, compared without
// regard to case (Connection: keep-alive, Upgrade).
[[nodiscard]] bool header_lists_token(std::string_view value, std::string_view token);

}  // namespace th::realtime
