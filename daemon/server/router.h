// Router: the table of API routes, each with the access it requires.
//
// Every route must declare its access when it is added: public (no
// credentials, e.g. /healthz), authenticated (any signed-in principal, e.g.
// /api/v1/me), a named permission, or guest (only an invited visit
// participant's guest session, e.g. /api/v1/guest/visit). Guest sessions
// pass no other kind of route but public ones. validate() refuses a table with a route
// that declared nothing or named an unknown permission, and the daemon does
// not start with such a table: deny by default is enforced by construction.
//
// Patterns are literal segments and {name} placeholders, which may be
// followed by a literal suffix within their segment:
//   /api/v1/users/{id}/sessions
//   /api/v1/calendar/{token}.ics
// A route may accept a larger request body than the listener's limit
// (server.max_body_bytes): document uploads take documents.max_bytes.
// The matched pattern, never the path, is what metrics and logs name, so a
// secret carried in a path (a feed token) stays out of both.
// Built at start-up, then read-only and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/api_types.h"
#include "server/metrics.h"
#include "util/result.h"

namespace th::server {

class Access {
 public:
  enum class Kind { kUndeclared, kPublic, kAuthenticated, kPermission, kGuest };

  Access() = default;
  static Access public_endpoint() { return Access(Kind::kPublic, ""); }
  static Access authenticated() { return Access(Kind::kAuthenticated, ""); }
  static Access permission(std::string_view name) { return Access(Kind::kPermission, name); }
  static Access guest() { return Access(Kind::kGuest, ""); }

  // Also open to a signed-in user whose role requires MFA before they have
  // enrolled it (enrolment itself, sign-out, who-am-i).
  Access open_before_mfa() const {
    Access copy = *this;
    copy.open_before_mfa_ = true;
    return copy;
  }

  // An authenticated route that guest sessions may also use (the WebSocket,
  // on which a guest reaches only their own visit's room).
  Access open_to_guests() const {
    Access copy = *this;
    copy.open_to_guests_ = true;
    return copy;
  }

  Kind kind() const { return kind_; }
  std::string_view permission_name() const { return permission_; }
  bool is_open_before_mfa() const { return open_before_mfa_; }
  bool is_open_to_guests() const { return open_to_guests_; }

 private:
  Access(Kind kind, std::string_view permission) : kind_(kind), permission_(permission) {}
  Kind kind_ = Kind::kUndeclared;
  std::string permission_;
  bool open_before_mfa_ = false;
  bool open_to_guests_ = false;
};

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  Handler handler;
  RouteMetrics* metrics = nullptr;
  std::vector<std::string> segments;
  // The largest request body this route accepts; 0 for the listener's.
  std::size_t max_body_bytes = 0;
};

struct RouteMatch {
  const Route* route = nullptr;  // null when nothing matched
  bool path_matched = false;     // a route has this path, with another method
  std::map<std::string, std::string> params;
};

class Router {
 public:
  explicit Router(Metrics& metrics) : metrics_(metrics) {}

  void add(std::string method, std::string pattern, Access access, Handler handler);
  // The same, with the route's own body limit in place of the listener's.
  void add(std::string method, std::string pattern, Access access, Handler handler,
           std::size_t max_body_bytes);

  // kFailedPrecondition naming the first route without valid access.
  Status validate() const;

  RouteMatch match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

  // Metrics for requests that matched no route.
  RouteMetrics* unmatched_metrics() const { return unmatched_; }

 private:
  Metrics& metrics_;
  std::vector<Route> routes_;
  RouteMetrics* unmatched_ = metrics_.add_route("ANY", "unmatched");
};

}  // namespace th::server
