// GET /api/v1/ws: the WebSocket endpoint of the real-time protocol
// (lib/realtime/PROTOCOL.md).
//
// The upgrade passes the same pipeline as every request, so it is
// authenticated like any other route (bearer token or session cookie; no
// credentials: 401 before any upgrade). Invited guests' sessions may open
// it too: on the socket they reach their own visit's room and nothing else. A browser's Origin must
// be the daemon's own (public_base_url when set, otherwise https:// and the Host the request
// named), which stops other sites from opening sockets with a user's cookie. The accepted socket is
// handed to the Hub, and the request thread returns to the pool.
#pragma once

#include <string>

#include "server/hub/hub.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

// public_origin: "https://host[:port]" from server.public_base_url, or ""
// to accept the Host header's own origin.
void add_websocket_routes(Router& router, Hub& hub, const ServiceContext& context,
                          std::string public_origin);

// The origin ("scheme://host[:port]") of a base URL; "" when it has none.
std::string origin_of(const std::string& base_url);

}  // namespace th::server
