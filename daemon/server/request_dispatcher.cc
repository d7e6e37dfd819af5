#include "server/request_dispatcher.h"

#include <Poco/String.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "http/response_head.h"
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

// Request ids are drawn from the random generator 256 at a time, per
// thread: one call per request cost a take of OpenSSL's global lock each.
std::string next_request_id() {
  constexpr std::size_t kIdBytes = 16;
  thread_local std::string batch;
  thread_local std::size_t used = 0;
  if (used == batch.size()) {
    batch = crypto::random_bytes(kIdBytes * 256);
    used = 0;
  }
  used += kIdBytes;
  return crypto::hex_encode(std::string_view(batch).substr(used - kIdBytes, kIdBytes));
}

// A handler's header replaces one of the same name set before (the browser
// client's pages relax the content security policy).
void set_field(http::HeaderFields& fields, const std::string& name, std::string value) {
  const auto same_name = [&](const auto& field) { return Poco::icompare(field.first, name) == 0; };
  if (const auto found = std::find_if(fields.begin(), fields.end(), same_name);
      found != fields.end()) {
    found->second = std::move(value);
    return;
  }
  fields.emplace_back(name, std::move(value));
}

// A producer that fails midway is logged; the exchange has already ended
// the connection before the final chunk.
void send_streamed(HttpExchange& exchange, const ApiRequest& request, const std::string& head,
                   const ApiResponse& reply) {
  const Status streamed = exchange.send_streamed(head, reply.stream);
  if (streamed.ok()) {
    return;
  }
  if (streamed.error().code() == ErrorCode::kUnavailable) {
    spdlog::debug("request {}: the client stopped reading a streamed body", request.request_id);
  } else {
    spdlog::warn("request {} {}: streaming stopped: {}", request.request_id, request.route,
                 streamed.error().message());
  }
}

// Details of internal failures stay in the log, keyed by request id.
// Stored data that failed its integrity check keeps its own code, so that
// clients tell it from a bug and the operator runs the check.
ApiResponse hide_internal_failure(const ApiRequest& request, const ApiResponse& reply,
                                  bool data_loss) {
  spdlog::warn("request {} {} {}: {}", request.request_id, loggable_method(request.method),
               request.route.empty() ? "unmatched" : request.route, reply.body);
  if (data_loss) {
    return ApiResponse::error(
        500, error_code_name(ErrorCode::kDataLoss),
        "stored data failed its integrity check; request id " + request.request_id);
  }
  return ApiResponse::error(reply.status, "internal",
                            "internal error; request id " + request.request_id);
}

}  // namespace

void RequestDispatcher::serve(HttpExchange& exchange) {
  const auto started = std::chrono::steady_clock::now();
  const http::RequestHead& head = exchange.head();
  ApiRequest request;
  request.request_id = next_request_id();
  request.listener = settings_.listener;
  request.method = head.method;
  request.path = path_of(head.target);
  request.peer_address = exchange.peer_address();

  const Route* route = nullptr;
  ApiResponse reply;
  bool data_loss = false;
  try {
    Result<ApiResponse> outcome = dispatch(exchange, request, route);
    reply = outcome.ok() ? std::move(*outcome) : ApiResponse::error(outcome.error());
    data_loss = !outcome.ok() && outcome.error().code() == ErrorCode::kDataLoss;
  } catch (const std::exception& failure) {
    spdlog::error("request {} failed with an exception: {}", request.request_id, failure.what());
    reply = ApiResponse::error(500, "internal", "internal error; request id " + request.request_id);
  }
  if (reply.status >= 500 && reply.status != 503) {
    reply = hide_internal_failure(request, reply, data_loss);
  }
  write(exchange, request, reply);
  record(route, request, reply.status, started);
}

void RequestDispatcher::answer_malformed(HttpExchange& exchange, const Error& error) {
  const auto started = std::chrono::steady_clock::now();
  ApiRequest request;
  request.request_id = next_request_id();
  request.listener = settings_.listener;
  const bool too_long = error.code() == ErrorCode::kResourceExhausted;
  ApiResponse reply = too_long ? ApiResponse::error(431, "header_too_large", error.message())
                               : ApiResponse::error(400, "bad_request", error.message());
  exchange.close_after_answer();
  // The parser's messages name what is wrong, never the bytes sent, so
  // they may be logged; at debug, as any peer can cause them at will.
  spdlog::debug("request {}: {}", request.request_id, error.message());
  write(exchange, request, reply);
  record(nullptr, request, reply.status, started);
}

void RequestDispatcher::record(const Route* route, const ApiRequest& request, int status,
                               std::chrono::steady_clock::time_point started) const {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RouteMetrics* metrics = route != nullptr ? route->metrics : router_.unmatched_metrics();
  metrics->record(status, seconds);
  spdlog::debug("request {} {} {} -> {} in {:.1f} ms", request.request_id,
                loggable_method(request.method),
                request.route.empty() ? "unmatched" : request.route, status, seconds * 1000);
}

Result<ApiResponse> RequestDispatcher::dispatch(HttpExchange& exchange, ApiRequest& request,
                                                const Route*& route) {
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
    describe(exchange, request, match);
    if (Status allowed = admit(exchange, request, *match.route); !allowed.ok()) {
      exchange.discard_body(settings_.max_body_bytes);
      return allowed.error();
    }
  }
  const std::size_t limit = own_limit ? match.route->max_body_bytes : settings_.max_body_bytes;
  if (Status body = read_body(exchange, request, limit); !body.ok()) {
    if (body.error().code() == ErrorCode::kResourceExhausted) {
      return ApiResponse::error(413, "payload_too_large", body.error().message());
    }
    return ApiResponse::error(400, "bad_request", body.error().message());
  }
  if (match.route == nullptr) {
    if (match.path_matched) {
      return ApiResponse::error(405, "method_not_allowed", "method not allowed for this path");
    }
    return ApiResponse::error(404, "not_found", "no such endpoint");
  }
  if (!own_limit) {
    describe(exchange, request, match);
    TH_RETURN_IF_ERROR(admit(exchange, request, *match.route));
  }
  return match.route->handler(request);
}

// A refused body is dropped and the rest of it read up to a bound (see
// HttpExchange::discard_body); the connection then closes.
Status RequestDispatcher::read_body(HttpExchange& exchange, ApiRequest& request,
                                    std::size_t limit) {
  Status body = exchange.read_body(request.body, limit);
  if (!body.ok()) {
    request.body.clear();
    if (body.error().code() == ErrorCode::kResourceExhausted) {
      exchange.discard_body(kDiscardLimit);
    }
  }
  return body;
}

void RequestDispatcher::describe(const HttpExchange& exchange, ApiRequest& request,
                                 const RouteMatch& match) {
  request.route = match.route->pattern;
  request.path_params = match.params;
  const http::RequestHead& head = exchange.head();
  if (head.target.find('?') != std::string::npos) {
    request.query = parse_query(head.target);
  }
  for (const auto& [name, value] : head.fields) {
    request.headers.add(name, value);
  }
}

// Authentication and authorization; a refusal is audited.
Status RequestDispatcher::admit(HttpExchange& exchange, ApiRequest& request, const Route& route) {
  Status allowed = identify(exchange, request);
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

Status RequestDispatcher::identify(HttpExchange& exchange, ApiRequest& request) {
  if (settings_.listener == ListenerKind::kAdminSocket) {
    const auto peer = read_peer_credentials(exchange.socket_fd());
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

// The answer's head: status, request id, security headers, the handler's
// own, then the framing and whether the connection stays open.
void RequestDispatcher::write(HttpExchange& exchange, const ApiRequest& request,
                              ApiResponse& reply) {
  http::HeaderFields fields;
  fields.reserve(16 + reply.headers.size());
  if (!reply.take_over) {
    fields.emplace_back("Content-Type", reply.content_type);
  }
  fields.emplace_back("X-Request-Id", request.request_id);
  for (const auto& [name, value] : kSecurityHeaders) {
    fields.emplace_back(name, value);
  }
  if (settings_.listener == ListenerKind::kTls) {
    fields.emplace_back("Strict-Transport-Security", kHsts);
  }
  for (auto& [name, value] : reply.headers) {
    set_field(fields, name, std::move(value));
  }
  if (reply.take_over) {
    exchange.hand_over(http::format_response_head(reply.status, fields),
                       std::move(reply.take_over));
    return;
  }
  if (exchange.closes_after_answer()) {
    fields.emplace_back("Connection", "close");
  } else if (exchange.head().minor_version == 0) {
    fields.emplace_back("Connection", "keep-alive");
  }
  if (reply.stream) {
    fields.emplace_back("Transfer-Encoding", "chunked");
    send_streamed(exchange, request, http::format_response_head(reply.status, fields), reply);
    return;
  }
  fields.emplace_back("Content-Length", std::to_string(reply.body.size()));
  (void)exchange.send(http::format_response_head(reply.status, fields), reply.body);
}

}  // namespace th::server
