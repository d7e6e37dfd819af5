#include "server/request_dispatcher.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "server/http_listener.h"
#include "server/peer_credentials.h"

namespace th::server {
namespace {

// Headers on every response. The API serves JSON only, so the content
// security policy forbids everything; the browser client's routes relax it
// for their own origin.
constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    {"Cache-Control", "no-store"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
};
constexpr const char* kHsts = "max-age=63072000; includeSubDomains";

class DispatchingHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit DispatchingHandler(RequestDispatcher& dispatcher) : dispatcher_(dispatcher) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    dispatcher_.serve(request, response);
  }

 private:
  RequestDispatcher& dispatcher_;
};

std::map<std::string, std::string> parse_query(const std::string& uri) {
  std::map<std::string, std::string> query;
  try {
    for (auto& [name, value] : Poco::URI(uri).getQueryParameters()) {
      query[name] = value;
    }
  } catch (const Poco::Exception&) {
    // A malformed query string is treated as absent; handlers validate what they need.
  }
  return query;
}

// The method as the log shows it: the peer chooses the request line, so
// anything but a method the API knows is logged as "other".
std::string_view loggable_method(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  for (const std::string_view known : kKnown) {
    if (method == known) {
      return known;
    }
  }
  return "other";
}

std::string path_of(const std::string& uri) {
  const auto end = uri.find_first_of("?#");
  return uri.substr(0, end);
}

// Sends a streamed body in chunks as the producer writes it. Poco writes the
// final zero-length chunk when the response is destroyed, so a producer that
// fails midway has the connection shut down first: the client then sees the
// body cut short instead of a complete response with events missing.
void send_streamed_body(Poco::Net::HTTPServerRequest& raw, Poco::Net::HTTPServerResponse& response,
                        const ApiRequest& request, const ApiResponse& reply) {
  std::ostream& out = response.send();
  Status streamed = ok_status();
  try {
    streamed = reply.stream(out);
    out.flush();
  } catch (const std::exception& failure) {
    streamed = Error(ErrorCode::kInternal, failure.what());
  }
  if (streamed.ok() && out.good()) {
    return;
  }
  if (out.good()) {
    spdlog::warn("request {} {}: streaming stopped: {}", request.request_id, request.route,
                 streamed.ok() ? "the connection failed" : streamed.error().message());
  } else {
    spdlog::debug("request {}: the client stopped reading a streamed body", request.request_id);
  }
  try {
    static_cast<Poco::Net::HTTPServerRequestImpl&>(raw).socket().shutdown();
  } catch (const Poco::Exception&) {
    // Already gone; nothing more can reach the client either way.
  }
}

// The socket leaves Poco's HTTP session here: the session no longer owns
// it, so Poco's connection ends without closing it, and the worker thread
// goes back to the pool while the socket lives on with its new owner.
void hand_over_connection(Poco::Net::HTTPServerRequest& raw, const ApiRequest& request,
                          const ApiResponse& reply) {
  try {
    Poco::Net::StreamSocket tcp = serving_tcp_socket();
    Poco::Net::StreamSocket tls =
        static_cast<Poco::Net::HTTPServerRequestImpl&>(raw).detachSocket();
    reply.take_over(tls, tcp);
  } catch (const Poco::Exception& failure) {
    spdlog::debug("request {}: upgraded connection lost: {}", request.request_id, failure.name());
  }
}

}  // namespace

Poco::Net::HTTPRequestHandler* RequestDispatcher::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
  // Poco takes ownership of the handler and deletes it after the request.
  return new DispatchingHandler(*this);
}

void RequestDispatcher::serve(Poco::Net::HTTPServerRequest& raw,
                              Poco::Net::HTTPServerResponse& response) {
  const auto started = std::chrono::steady_clock::now();
  ApiRequest request;
  request.request_id = crypto::hex_encode(crypto::random_bytes(16));
  request.listener = settings_.listener;
  request.method = raw.getMethod();
  request.path = path_of(raw.getURI());
  request.peer_address =
      settings_.listener == ListenerKind::kTls ? raw.clientAddress().host().toString() : "local";

  bool close_connection = false;
  const Route* route = nullptr;
  ApiResponse reply;
  bool data_loss = false;
  try {
    Result<ApiResponse> outcome = dispatch(raw, request, route, close_connection);
    reply = outcome.ok() ? std::move(*outcome) : ApiResponse::error(outcome.error());
    data_loss = !outcome.ok() && outcome.error().code() == ErrorCode::kDataLoss;
  } catch (const std::exception& failure) {
    spdlog::error("request {} failed with an exception: {}", request.request_id, failure.what());
    reply = ApiResponse::error(500, "internal", "internal error; request id " + request.request_id);
  }
  if (reply.status >= 500 && reply.status != 503) {
    // Details of internal failures stay in the log, keyed by request id.
    spdlog::warn("request {} {} {}: {}", request.request_id, loggable_method(request.method),
                 request.route.empty() ? "unmatched" : request.route, reply.body);
    // Stored data that failed its integrity check keeps its own code, so
    // that clients tell it from a bug and the operator runs the check.
    reply = data_loss ? ApiResponse::error(500, error_code_name(ErrorCode::kDataLoss),
                                           "stored data failed its integrity check; request id " +
                                               request.request_id)
                      : ApiResponse::error(reply.status, "internal",
                                           "internal error; request id " + request.request_id);
  }

  write(response, request, reply, close_connection);
  if (reply.stream) {
    send_streamed_body(raw, response, request, reply);
  }
  if (reply.take_over) {
    hand_over_connection(raw, request, reply);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RouteMetrics* metrics = route != nullptr ? route->metrics : router_.unmatched_metrics();
  metrics->record(reply.status, seconds);
  spdlog::debug("request {} {} {} -> {} in {:.1f} ms", request.request_id,
                loggable_method(request.method),
                request.route.empty() ? "unmatched" : request.route, reply.status, seconds * 1000);
}

Result<ApiResponse> RequestDispatcher::dispatch(Poco::Net::HTTPServerRequest& raw,
                                                ApiRequest& request, const Route*& route,
                                                bool& close_connection) {
  // The body is read (or refused) before anything is answered, so that
  // every answer, 404 included, leaves the connection in a state the client
  // can read it from. Matching comes first to find the route's limit. A
  // route with a limit of its own (uploads) admits the caller first, so
  // that nobody unauthenticated or unauthorized makes the daemon read a
  // body larger than the listener's limit.
  const RouteMatch match = router_.match(request.method, request.path);
  route = match.route;
  const bool own_limit = match.route != nullptr && match.route->max_body_bytes > 0;
  if (own_limit) {
    describe(raw, request, match);
    if (Status allowed = admit(raw, request, *match.route); !allowed.ok()) {
      close_connection = true;
      discard_body(raw.stream(), settings_.max_body_bytes);
      return allowed.error();
    }
  }
  const std::size_t limit = own_limit ? match.route->max_body_bytes : settings_.max_body_bytes;
  if (Status body = read_body(raw, request, limit); !body.ok()) {
    close_connection = true;
    return ApiResponse::error(413, "payload_too_large", body.error().message());
  }
  if (match.route == nullptr) {
    if (match.path_matched) {
      return ApiResponse::error(405, "method_not_allowed", "method not allowed for this path");
    }
    return ApiResponse::error(404, "not_found", "no such endpoint");
  }
  if (!own_limit) {
    describe(raw, request, match);
    TH_RETURN_IF_ERROR(admit(raw, request, *match.route));
  }
  return match.route->handler(request);
}

void RequestDispatcher::describe(Poco::Net::HTTPServerRequest& raw, ApiRequest& request,
                                 const RouteMatch& match) {
  request.route = match.route->pattern;
  request.path_params = match.params;
  request.query = parse_query(raw.getURI());
  for (const auto& [name, value] : raw) {
    request.headers.add(name, value);
  }
}

// Authentication and authorization; a refusal is audited.
Status RequestDispatcher::admit(Poco::Net::HTTPServerRequest& raw, ApiRequest& request,
                                const Route& route) {
  Status allowed = identify(raw, request);
  if (!allowed.ok() && is_ambient_on_public_route(route, request)) {
    audit_denial(request, allowed.error());  // the cookie is refused all the same
    request.principal = access::Principal{};
    allowed = ok_status();
  }
  if (allowed.ok()) {
    allowed = authorize(route, request);
  }
  if (!allowed.ok()) {
    audit_denial(request, allowed.error());
  }
  return allowed;
}

Status RequestDispatcher::read_body(Poco::Net::HTTPServerRequest& raw, ApiRequest& request,
                                    std::size_t limit) {
  const std::string limit_text = std::to_string(limit) + " bytes";
  const Error too_large(ErrorCode::kResourceExhausted,
                        "request body exceeds the limit of " + limit_text);
  if (!raw.hasContentLength() && !raw.getChunkedTransferEncoding()) {
    return ok_status();
  }
  if (raw.hasContentLength() && raw.getContentLength64() > static_cast<std::int64_t>(limit)) {
    discard_body(raw.stream(), kDiscardLimit);
    return too_large;
  }
  std::istream& in = raw.stream();
  char buffer[8192];
  while (in) {
    in.read(buffer, sizeof buffer);
    request.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (request.body.size() > limit) {
      request.body.clear();
      discard_body(in, kDiscardLimit);
      return too_large;
    }
  }
  return ok_status();
}

// Reads and drops what is left of a refused body, up to `limit` bytes, so
// that a client that sends its whole body before reading (most do) receives
// the answer instead of a reset connection. A body beyond the bound is cut
// off.
void RequestDispatcher::discard_body(std::istream& in, std::size_t limit) {
  char buffer[16384];
  std::size_t discarded = 0;
  while (in && discarded < limit) {
    // Never ask for more than the bound: the client may have sent no more.
    in.read(buffer, static_cast<std::streamsize>(std::min(sizeof buffer, limit - discarded)));
    discarded += static_cast<std::size_t>(in.gcount());
  }
}

// A browser sends its cookie with every request, whether the page meant
// it or not. A public route (signing in, redeeming a guest link) needs no
// credential, so a cookie there that has ended or lacks its CSRF token is
// refused (and audited) but the route is served as to anyone: otherwise a
// browser holding a dead session could never load the page, sign in or
// open a new guest link again. An Authorization header is presented on
// purpose and is still checked.
bool RequestDispatcher::is_ambient_on_public_route(const Route& route,
                                                   const ApiRequest& request) const {
  return settings_.listener == ListenerKind::kTls && route.access.kind() == Access::Kind::kPublic &&
         request.header("Authorization").empty();
}

Status RequestDispatcher::identify(Poco::Net::HTTPServerRequest& raw, ApiRequest& request) {
  if (settings_.listener == ListenerKind::kAdminSocket) {
    auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(raw);
    const auto peer = read_peer_credentials(impl.socket().impl()->sockfd());
    if (!peer.ok() || !is_local_operator(*peer, settings_.admin_gid)) {
      return Error(ErrorCode::kPermissionDenied,
                   "the admin socket accepts only root and the admin group");
    }
    request.principal = access::make_local_operator(peer->uid);
    return ok_status();
  }
  auto principal = authenticator_.authenticate(request);
  if (!principal.ok()) {
    return principal.error();
  }
  request.principal = std::move(*principal);
  return ok_status();
}

// Refusals are security events: each is audited with the route, never the
// path's values or the credentials presented.
void RequestDispatcher::audit_denial(const ApiRequest& request, const Error& error) {
  if (settings_.audit == nullptr) {
    return;
  }
  audit::AuditEvent event;
  event.actor_user_id = request.principal.user_id;
  event.actor_kind = std::string(access::principal_kind_name(request.principal.kind));
  event.actor_role = request.principal.role;
  event.session_id = request.principal.session_id;
  event.source_address = request.peer_address;
  event.user_agent = request.header("User-Agent").substr(0, 200);
  event.action = "access";
  event.resource_type = "route";
  event.resource_id = request.method + " " + request.route;
  event.outcome = audit::AuditOutcome::kDenied;
  const std::string& message = error.message();
  event.reason = message.substr(0, message.find(':'));
  event.request_id = request.request_id;
  event.node = settings_.node;
  (void)settings_.audit->record(std::move(event));
}

Status RequestDispatcher::authorize(const Route& route, const ApiRequest& request) {
  const access::Principal& principal = request.principal;
  const bool guest = principal.kind == access::PrincipalKind::kGuest;
  switch (route.access.kind()) {
    case Access::Kind::kPublic:
      return ok_status();
    case Access::Kind::kGuest:
      if (principal.is_authenticated() && !guest) {
        return Error(ErrorCode::kPermissionDenied, "guest_only: this is for invited guests");
      }
      break;
    case Access::Kind::kAuthenticated:
      // A guest session reaches its visit, not the signed-in users' API.
      if (guest && !route.access.is_open_to_guests()) {
        return Error(ErrorCode::kPermissionDenied, "guest_session: guests reach only their visit");
      }
      break;
    case Access::Kind::kPermission:
      if (principal.is_authenticated() &&
          !principal.has_permission(route.access.permission_name())) {
        return Error(
            ErrorCode::kPermissionDenied,
            "this requires the permission '" + std::string(route.access.permission_name()) + "'");
      }
      break;
    case Access::Kind::kUndeclared:
      return Error(ErrorCode::kPermissionDenied, "route declares no access");
  }
  if (!principal.is_authenticated()) {
    return Error(ErrorCode::kUnauthenticated, "authentication required");
  }
  if (principal.mfa_enrolment_required && !route.access.is_open_before_mfa()) {
    return Error(ErrorCode::kPermissionDenied,
                 "mfa_enrolment_required: enrol an authenticator before using this");
  }
  return ok_status();
}

void RequestDispatcher::write(Poco::Net::HTTPServerResponse& response, const ApiRequest& request,
                              const ApiResponse& reply, bool close_connection) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  if (!reply.take_over) {
    response.setContentType(reply.content_type);
  }
  response.set("X-Request-Id", request.request_id);
  for (const auto& [name, value] : kSecurityHeaders) {
    response.set(name, value);
  }
  if (settings_.listener == ListenerKind::kTls) {
    response.set("Strict-Transport-Security", kHsts);
  }
  for (const auto& [name, value] : reply.headers) {
    response.set(name, value);
  }
  if (close_connection) {
    response.setKeepAlive(false);
  }
  if (reply.stream) {
    response.setChunkedTransferEncoding(true);
    return;  // serve() sends the body as the producer writes it
  }
  if (reply.take_over) {
    response.send().flush();  // a 101 has no body; the socket is handed over next
    return;
  }
  response.setContentLength64(static_cast<std::int64_t>(reply.body.size()));
  response.sendBuffer(reply.body.data(), reply.body.size());
}

}  // namespace th::server
