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
// One dispatcher per listener. Shared by the listener's worker threads; holds
// no mutable state of its own.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>

#include "audit/audit_event.h"
#include "server/api_types.h"
#include "server/authenticator.h"
#include "server/router.h"

namespace th::server {

struct DispatchSettings {
  ListenerKind listener = ListenerKind::kTls;
  std::size_t max_body_bytes = 1 << 20;
  unsigned admin_gid = 0;  // admin socket only: the group whose members are the local operator
  audit::AuditSink* audit = nullptr;  // where refusals (401, 403) are recorded
  std::string node;
};

class RequestDispatcher final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  RequestDispatcher(const Router& router, Authenticator& authenticator, DispatchSettings settings)
      : router_(router), authenticator_(authenticator), settings_(settings) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  // Tells every open connection of this listener to close once its current
  // request is answered (idle kept-alive connections close at once). Blocks
  // while requests are in flight.
  void announce_stopped(const void* sender) {
    const bool abort_current = false;
    serverStopped(sender, abort_current);
  }

 private:
  Result<ApiResponse> dispatch(Poco::Net::HTTPServerRequest& raw, ApiRequest& request,
                               const Route*& route, bool& close_connection);
  Status read_body(Poco::Net::HTTPServerRequest& raw, ApiRequest& request, std::size_t limit);
  // What a refused request's body is read up to before the answer, so the
  // client sees it.
  static constexpr std::size_t kDiscardLimit = 16 << 20;
  static void discard_body(std::istream& in, std::size_t limit);
  static void describe(Poco::Net::HTTPServerRequest& raw, ApiRequest& request,
                       const RouteMatch& match);
  Status admit(Poco::Net::HTTPServerRequest& raw, ApiRequest& request, const Route& route);
  bool is_ambient_on_public_route(const Route& route, const ApiRequest& request) const;
  Status identify(Poco::Net::HTTPServerRequest& raw, ApiRequest& request);
  static Status authorize(const Route& route, const ApiRequest& request);
  void audit_denial(const ApiRequest& request, const Error& error);
  void write(Poco::Net::HTTPServerResponse& response, const ApiRequest& request,
             const ApiResponse& reply, bool close_connection);

  const Router& router_;
  Authenticator& authenticator_;
  DispatchSettings settings_;
};

}  // namespace th::server
