#include "server/router.h"

#include <optional>

#include "access/permission.h"

namespace th::server {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      segments.emplace_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return segments;
}

// A pattern segment "{name}" or "{name}<suffix>" ("{token}.ics"): the
// placeholder's name and the literal text that must follow its value.
struct Placeholder {
  std::string name;
  std::string suffix;
};

std::optional<Placeholder> placeholder_of(const std::string& segment) {
  const auto close = segment.find('}');
  if (segment.size() < 3 || segment.front() != '{' || close == std::string::npos || close < 2) {
    return std::nullopt;
  }
  return Placeholder{segment.substr(1, close - 1), segment.substr(close + 1)};
}

bool segments_match(const Route& route, const std::vector<std::string>& path,
                    std::map<std::string, std::string>& params) {
  if (route.segments.size() != path.size()) {
    return false;
  }
  params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (const auto placeholder = placeholder_of(expected)) {
      const std::string& actual = path[i];
      if (actual.size() <= placeholder->suffix.size() || !actual.ends_with(placeholder->suffix)) {
        return false;
      }
      params[placeholder->name] = actual.substr(0, actual.size() - placeholder->suffix.size());
    } else if (expected != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  Route route;
  route.segments = split_path(pattern);
  route.metrics = metrics_.add_route(method, pattern);
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = std::move(access);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler,
                 std::size_t max_body_bytes) {
  add(std::move(method), std::move(pattern), std::move(access), std::move(handler));
  routes_.back().max_body_bytes = max_body_bytes;
}

Status Router::validate() const {
  for (const Route& route : routes_) {
    const std::string name = route.method + " " + route.pattern;
    switch (route.access.kind()) {
      case Access::Kind::kUndeclared:
        return Error(ErrorCode::kFailedPrecondition,
                     "route '" + name + "' declares no access requirement");
      case Access::Kind::kPermission:
        if (!access::is_known_permission(route.access.permission_name())) {
          return Error(ErrorCode::kFailedPrecondition,
                       "route '" + name + "' requires unknown permission '" +
                           std::string(route.access.permission_name()) + "'");
        }
        break;
      case Access::Kind::kPublic:
      case Access::Kind::kAuthenticated:
      case Access::Kind::kGuest:
        break;
    }
    if (!route.handler) {
      return Error(ErrorCode::kFailedPrecondition, "route '" + name + "' has no handler");
    }
  }
  return ok_status();
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const std::vector<std::string> segments = split_path(path);
  for (const Route& route : routes_) {
    if (!segments_match(route, segments, result.params)) {
      continue;
    }
    result.path_matched = true;
    if (route.method == method) {
      result.route = &route;
      return result;
    }
  }
  result.params.clear();
  return result;
}

}  // namespace th::server
