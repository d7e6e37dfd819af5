#include "server/routes/websocket_routes.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <spdlog/spdlog.h>

#include "access/credential_cache.h"
#include "realtime/websocket_handshake.h"
#include "server/session_authenticator.h"

namespace th::server {
namespace {

Result<ApiResponse> upgrade_refused(const Error& error) {
  ApiResponse reply = ApiResponse::error(400, "bad_request", error.message());
  if (error.message().starts_with("unsupported_version")) {
    reply = ApiResponse::error(426, "upgrade_required", error.message());
    reply.headers.emplace_back("Sec-WebSocket-Version", "13");
  } else if (error.message().starts_with("upgrade_required")) {
    reply = ApiResponse::error(426, "upgrade_required", error.message());
    reply.headers.emplace_back("Upgrade", "websocket");
  }
  return reply;
}

// Browsers always send Origin on a WebSocket upgrade; other clients may
// leave it out, and cannot carry a browser's cookie anyway.
bool origin_allowed(const ApiRequest& request, const std::string& public_origin) {
  const std::string origin = request.header("Origin");
  if (origin.empty()) {
    return true;
  }
  const std::string own =
      public_origin.empty() ? "https://" + request.header("Host") : public_origin;
  return origin == own;
}

// Runs on the request thread right after the 101 went out.
Result<ApiResponse> upgrade(Hub& hub, const std::string& public_origin, ApiRequest& request) {
  if (request.listener != ListenerKind::kTls) {
    return ApiResponse::error(404, "not_found", "websockets are served on the TLS listener only");
  }
  realtime::UpgradeRequest upgrade_request;
  upgrade_request.method = request.method;
  upgrade_request.upgrade = request.header("Upgrade");
  upgrade_request.connection = request.header("Connection");
  upgrade_request.version = request.header("Sec-WebSocket-Version");
  upgrade_request.key = request.header("Sec-WebSocket-Key");
  if (Status acceptable = realtime::check_upgrade_request(upgrade_request); !acceptable.ok()) {
    return upgrade_refused(acceptable.error());
  }
  if (!origin_allowed(request, public_origin)) {
    return Error(ErrorCode::kPermissionDenied,
                 "origin_refused: websockets are accepted from this server's own origin only");
  }
  if (hub.connection_count() >= static_cast<std::size_t>(hub.limits().max_connections)) {
    return Error(ErrorCode::kUnavailable, "hub_full: too many websocket connections");
  }

  HubPeer peer;
  peer.connection_id = hub.next_connection_id();
  peer.principal = request.principal;
  peer.token_hash = access::hash_bearer_secret(presented_credential(request));
  peer.address = request.peer_address;
  peer.user_agent = request.header("User-Agent").substr(0, 200);

  ApiResponse reply;
  reply.status = 101;
  reply.headers.emplace_back("Upgrade", "websocket");
  reply.headers.emplace_back("Connection", "Upgrade");
  reply.headers.emplace_back("Sec-WebSocket-Accept",
                             realtime::websocket_accept_key(upgrade_request.key));
  reply.take_over = [&hub, peer = std::move(peer)](Poco::Net::SecureStreamSocket tls,
                                                   std::string early_input) mutable {
    hub.accept(std::move(tls), std::move(peer), std::move(early_input));
  };
  return reply;
}

}  // namespace

std::string origin_of(const std::string& base_url) {
  const auto scheme_end = base_url.find("://");
  if (scheme_end == std::string::npos) {
    return "";
  }
  const auto path = base_url.find('/', scheme_end + 3);
  return base_url.substr(0, path);
}

void add_websocket_routes(Router& router, Hub& hub, const ServiceContext&,
                          std::string public_origin) {
  router.add("GET", "/api/v1/ws", Access::authenticated().open_to_guests(),
             [&hub, public_origin = std::move(public_origin)](ApiRequest& request) {
               return upgrade(hub, public_origin, request);
             });
}

}  // namespace th::server
