#include "server/routes/key_routes.h"

#include <Poco/JSON/Array.h>

#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

constexpr const char* kPermission = "keys.manage";

struct KeyRoutes {
  storage::KeyRingProtection& protection;
  audit::AuditSink& audit;
  ServiceContext& context;
};

using KeyHandler = Result<ApiResponse> (*)(KeyRoutes&, ApiRequest&);

Poco::JSON::Array::Ptr string_array(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const std::string& item : items) {
    array->add(item);
  }
  return array;
}

// "'a', 'b'": KEK ids as the reason of an audit event names them.
std::string quoted(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) {
    text += (text.empty() ? "'" : ", '") + id + "'";
  }
  return text;
}

Poco::Dynamic::Var time_or_null(UnixMicros micros) {
  if (micros == 0) {
    return Poco::Dynamic::Var();
  }
  return format_rfc3339_micros(micros);
}

Poco::JSON::Object::Ptr key_json(const storage::StoredKeyInfo& key) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", key.id);
  object->set("purpose", std::string(crypto::key_purpose_name(key.purpose)));
  object->set("kek_id", key.kek_id);
  object->set("under_current_kek", key.under_current_kek);
  object->set("kek_held", key.kek_held);
  object->set("created_at", format_rfc3339_micros(key.created_at));
  object->set("rewrapped_at", time_or_null(key.rewrapped_at));
  return object;
}

Poco::JSON::Object::Ptr status_json(const storage::KeyStatus& status, const std::string& node) {
  Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
  for (const storage::StoredKeyInfo& key : status.keys) {
    keys->add(key_json(key));
  }
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("node", node);
  object->set("current_kek_id", status.current_kek_id);
  object->set("kek_ids", string_array(status.kek_ids));
  object->set("total", static_cast<Poco::UInt64>(status.keys.size()));
  object->set("remaining", static_cast<Poco::UInt64>(status.remaining));
  object->set("complete", status.remaining == 0);
  object->set("keys", keys);
  return object;
}

// What the operator should do next when a rotation had nothing to do: begin
// one (a single KEK configured), or finish one (earlier KEKs that wrap
// nothing any more). Empty while keys remain.
std::string next_step(const storage::KeyStatus& status) {
  if (status.remaining > 0) {
    return "";
  }
  if (status.kek_ids.size() == 1) {
    return "every data key is already under key-encryption key '" + status.current_kek_id +
           "', the only one configured; to rotate, write a new key with `thctl keys generate "
           "FILE`, set keys.kek_file to FILE, move the old file into keys.previous_kek_files, "
           "reload or restart the daemon, then run `thctl keys rotate` again";
  }
  std::vector<std::string> earlier(status.kek_ids.begin(), status.kek_ids.end() - 1);
  return "every data key is under the current key-encryption key '" + status.current_kek_id +
         "'; once every daemon sharing the database has it configured, remove " + quoted(earlier) +
         " from keys.previous_kek_files and destroy those files";
}

Result<ApiResponse> key_status(KeyRoutes& routes, ApiRequest&) {
  TH_ASSIGN_OR_RETURN(status, routes.protection.status(*routes.context.database));
  return ApiResponse::json(200, status_json(status, routes.context.node_name));
}

// The rotation, then its audit event, then the reply: what was re-wrapped
// and where the table stands now.
Result<ApiResponse> rotate(KeyRoutes& routes, ApiRequest& request) {
  auto result = routes.protection.rewrap_all(*routes.context.database, *routes.context.clock);
  audit::AuditEvent event =
      caller_of(request, routes.context).event("rotate", "key", routes.protection.current_kek_id());
  if (result.ok()) {
    event.reason = "re-wrapped " + std::to_string(result->rewrapped) +
                   " data key(s) under key-encryption key '" + result->current_kek_id + "'";
    if (!result->from_kek_ids.empty()) {
      event.reason += " from " + quoted(result->from_kek_ids);
    }
  } else {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = result.error().message();
  }
  TH_RETURN_IF_ERROR(routes.audit.record(std::move(event)));
  if (!result.ok()) {
    if (result.error().code() != ErrorCode::kFailedPrecondition) {
      return result.error();
    }
    return Error(ErrorCode::kFailedPrecondition,
                 result.error().message() +
                     "; another daemon may have rotated to that key: configure its file here "
                     "(keys.kek_file) and reload");
  }

  TH_ASSIGN_OR_RETURN(status, routes.protection.status(*routes.context.database));
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("current_kek_id", result->current_kek_id);
  body->set("rewrapped", static_cast<Poco::UInt64>(result->rewrapped));
  body->set("from_kek_ids", string_array(result->from_kek_ids));
  body->set("total", static_cast<Poco::UInt64>(status.keys.size()));
  body->set("remaining", static_cast<Poco::UInt64>(status.remaining));
  body->set("complete", status.remaining == 0);
  body->set("next_step", next_step(status));
  return ApiResponse::json(200, body);
}

}  // namespace

void add_key_routes(Router& router, storage::KeyRingProtection& protection, audit::AuditSink& audit,
                    ServiceContext& context) {
  auto routes = std::make_shared<KeyRoutes>(KeyRoutes{protection, audit, context});
  auto bind = [routes](KeyHandler handler) {
    return [routes, handler](ApiRequest& request) { return handler(*routes, request); };
  };
  const Access access = Access::permission(kPermission);
  router.add("GET", "/api/v1/keys/status", access, bind(key_status));
  router.add("POST", "/api/v1/keys/rotate", access, bind(rotate));
}

}  // namespace th::server
