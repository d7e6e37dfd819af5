// RequestDispatcher: the pipeline every HTTP request passes through, on both
// listeners:
//   request id -> route match -> body read within the size limit, the
//   route's own or the listener's (413) -> 404/405 -> authentication (401)
//   -> authorization against the route's declared access (403) -> handler
//   -> security headers -> metrics and log.
// A route with a body limit of its own (uploads) is authenticated and
// authorized before its body is read instead; a refused caller's body is
// read only up to the listener's limit, then the connection closes.
// No exception escapes: a handler that throws produces a 500 with the
// request id, and the daemon keeps serving.
//
// The pipeline knows requests only as HttpExchange, not the connection or
// server that carries them.
//
// One dispatcher per listener. Shared by the listener's worker threads; holds
// no mutable state of its own.
#pragma once

#include <chrono>
#include <memory>

#include "audit/audit_event.h"
#include "server/api_types.h"
#include "server/authenticator.h"
#include "server/http_exchange.h"
#include "server/router.h"

namespace th::server {

struct DispatchSettings {
  ListenerKind listener = ListenerKind::kTls;
  std::size_t max_body_bytes = 1 << 20;
  unsigned admin_gid = 0;  // admin socket only: the group whose members are the local operator
  audit::AuditSink* audit = nullptr;  // where refusals (401, 403) are recorded
  std::string node;
};

class RequestDispatcher final {
 public:
  RequestDispatcher(const Router& router, Authenticator& authenticator, DispatchSettings settings)
      : router_(router), authenticator_(authenticator), settings_(settings) {}

  // Runs the pipeline for the request the exchange holds and writes its
  // answer.
  void serve(HttpExchange& exchange);

  // Answers a request whose head could not be parsed (400, or 431 when it
  // was too long) with the security headers and a request id, and marks
  // the connection to close.
  void answer_malformed(HttpExchange& exchange, const Error& error);

 private:
  Result<ApiResponse> dispatch(HttpExchange& exchange, ApiRequest& request, const Route*& route);
  // What a refused request's body is read up to before the answer, so the
  // client sees it.
  static constexpr std::size_t kDiscardLimit = 16 << 20;
  static Status read_body(HttpExchange& exchange, ApiRequest& request, std::size_t limit);
  static void describe(const HttpExchange& exchange, ApiRequest& request, const RouteMatch& match);
  Status admit(HttpExchange& exchange, ApiRequest& request, const Route& route);
  bool is_ambient_on_public_route(const Route& route, const ApiRequest& request) const;
  Status identify(HttpExchange& exchange, ApiRequest& request);
  static Status authorize(const Route& route, const ApiRequest& request);
  void audit_denial(const ApiRequest& request, const Error& error);
  void write(HttpExchange& exchange, const ApiRequest& request, ApiResponse& reply);
  void record(const Route* route, const ApiRequest& request, int status,
              std::chrono::steady_clock::time_point started) const;

  const Router& router_;
  Authenticator& authenticator_;
  DispatchSettings settings_;
};

}  // namespace th::server
