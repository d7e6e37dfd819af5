#include "server/routes/system_routes.h"

#include <Poco/JSON/Array.h>

#include "crypto/tls_certificate.h"
#include "storage/migration.h"
#include "version.h"

namespace th::server {
namespace {

Result<ApiResponse> healthz(ApiRequest&) {
  return ApiResponse::text(200, "text/plain; charset=utf-8", "ok\n");
}

// Ready means: the database answers and carries the schema this binary
// migrated it to. A load balancer stops sending requests while it is not.
Result<ApiResponse> readyz(const ServiceContext& context) {
  const auto version = storage::current_schema_version(*context.database);
  if (!version.ok()) {
    return ApiResponse::text(503, "text/plain; charset=utf-8", "database unavailable\n");
  }
  if (*version != context.schema_version) {
    return ApiResponse::text(503, "text/plain; charset=utf-8", "schema not migrated\n");
  }
  return ApiResponse::text(200, "text/plain; charset=utf-8", "ready\n");
}

Result<ApiResponse> status(const ServiceContext& context) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("version", std::string(kVersion));
  body->set("node", context.node_name);
  body->set("uptime_seconds", (context.clock->now_micros() - context.started_at) / 1'000'000);
  body->set("started_at", format_rfc3339_micros(context.started_at));
  body->set("storage_backend", context.storage_backend);
  body->set("schema_version", context.schema_version);
  body->set("schema_version_supported", storage::latest_schema_version());
  const auto not_after = crypto::certificate_not_after_unix(context.certificate_file);
  if (not_after.ok()) {
    body->set("tls_certificate_expires_at", format_rfc3339_micros(*not_after * 1'000'000));
    body->set("tls_certificate_days_left", (*not_after - context.clock->now_seconds()) / 86400);
  }
  const auto version = storage::current_schema_version(*context.database);
  if (!version.ok()) {
    return Error(ErrorCode::kUnavailable, "the database is unreachable; see /readyz");
  }
  body->set("database_reachable", true);
  return ApiResponse::json(200, body);
}

Result<ApiResponse> route_table(const Router& router) {
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const Route& route : router.routes()) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("method", route.method);
    item->set("pattern", route.pattern);
    switch (route.access.kind()) {
      case Access::Kind::kPublic:
        item->set("access", std::string("public"));
        break;
      case Access::Kind::kAuthenticated:
        item->set("access", std::string("authenticated"));
        break;
      case Access::Kind::kPermission:
        item->set("access", std::string("permission"));
        item->set("permission", std::string(route.access.permission_name()));
        break;
      case Access::Kind::kGuest:
        item->set("access", std::string("guest"));
        break;
      case Access::Kind::kUndeclared:
        item->set("access", std::string("undeclared"));
        break;
    }
    item->set("open_before_mfa", route.access.is_open_before_mfa());
    items->add(item);
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  return ApiResponse::json(200, body);
}

}  // namespace

void add_system_routes(Router& router, ServiceContext& context) {
  router.add("GET", "/healthz", Access::public_endpoint(), healthz);
  router.add("GET", "/readyz", Access::public_endpoint(),
             [&context](ApiRequest&) { return readyz(context); });
  router.add("GET", "/metrics", Access::public_endpoint(), [&context](ApiRequest&) {
    return Result<ApiResponse>(ApiResponse::text(200, "text/plain; version=0.0.4; charset=utf-8",
                                                 context.metrics->render()));
  });
  router.add("GET", "/api/v1/status", Access::permission("system.status"),
             [&context](ApiRequest&) { return status(context); });
  // The route table itself, so that tests and operators can see every route
  // and the access it declares.
  router.add("GET", "/api/v1/routes", Access::permission("system.status"),
             [&router](ApiRequest&) { return route_table(router); });
}

}  // namespace th::server
