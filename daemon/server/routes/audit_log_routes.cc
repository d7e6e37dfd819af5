#include "server/routes/audit_log_routes.h"

#include <Poco/JSON/Array.h>

#include <charconv>

#include "audit/audit_proofs.h"
#include "audit/audit_verifier.h"
#include "crypto/encoding.h"
#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

constexpr const char* kPermission = "audit.verify";

struct AuditRoutes {
  audit::Checkpointer& checkpointer;
  audit::AuditSink& audit;
  ServiceContext& context;
};

using AuditHandler = Result<ApiResponse> (*)(AuditRoutes&, ApiRequest&);

Poco::JSON::Object::Ptr checkpoint_json(const audit::StoredCheckpoint& checkpoint) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("origin", checkpoint.origin);
  object->set("tree_size", static_cast<Poco::UInt64>(checkpoint.tree_size));
  object->set("root_hash", checkpoint.root_hash_hex);
  object->set("timestamp", static_cast<Poco::Int64>(checkpoint.timestamp_millis));
  object->set("time", format_rfc3339_micros(checkpoint.timestamp_millis * 1000));
  object->set("node", checkpoint.node);
  object->set("note", checkpoint.note);
  return object;
}

Poco::JSON::Array::Ptr hex_array(const std::vector<std::string>& hashes) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const std::string& hash : hashes) {
    array->add(crypto::hex_encode(hash));
  }
  return array;
}

// A tree size from the query string: decimal digits only.
Result<std::uint64_t> size_parameter(const ApiRequest& request, const std::string& name) {
  const std::string text = request.query_value(name);
  std::uint64_t value = 0;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || problem != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "query parameter '" + name + "' must be a tree size (a whole number)");
  }
  return value;
}

Poco::JSON::Object::Ptr report_json(const audit::VerificationReport& report) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("ok", report.ok());
  object->set("events_checked", static_cast<Poco::UInt64>(report.events_checked));
  object->set("checkpoints_checked", static_cast<Poco::UInt64>(report.checkpoints_checked));
  if (report.failure) {
    Poco::JSON::Object::Ptr failure = new Poco::JSON::Object;
    failure->set("seq", static_cast<Poco::UInt64>(report.failure->seq));
    failure->set("reason", report.failure->reason);
    object->set("first_failure", failure);
  } else {
    object->set("first_failure", Poco::Dynamic::Var());
  }
  return object;
}

// The walk, then its audit event: who verified, and what the walk found.
Result<ApiResponse> verify(AuditRoutes& routes, ApiRequest& request) {
  const audit::AuditVerifier verifier(*routes.context.database,
                                      routes.checkpointer.public_key_raw());
  const auto report = verifier.verify();
  audit::AuditEvent event = caller_of(request, routes.context).event("verify", "audit_log");
  if (!report.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = report.error().message();
  } else if (report->failure) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = "first failure at seq " + std::to_string(report->failure->seq) + ": " +
                   report->failure->reason;
  }
  TH_RETURN_IF_ERROR(routes.audit.record(std::move(event)));
  if (!report.ok()) {
    return report.error();
  }
  return ApiResponse::json(200, report_json(*report));
}

Result<ApiResponse> latest_checkpoint(AuditRoutes& routes, ApiRequest&) {
  TH_ASSIGN_OR_RETURN(latest, routes.checkpointer.latest());
  if (!latest) {
    return Error(ErrorCode::kNotFound, "no audit checkpoint has been signed yet");
  }
  return ApiResponse::json(200, checkpoint_json(*latest));
}

Result<ApiResponse> checkpoint_now(AuditRoutes& routes, ApiRequest&) {
  TH_ASSIGN_OR_RETURN(checkpoint, routes.checkpointer.checkpoint_now());
  return ApiResponse::json(200, checkpoint_json(checkpoint));
}

Result<ApiResponse> public_key(AuditRoutes& routes, ApiRequest&) {
  TH_ASSIGN_OR_RETURN(origin, routes.checkpointer.origin());
  TH_ASSIGN_OR_RETURN(verifier_key, routes.checkpointer.verifier_key());
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("origin", origin);
  object->set("algorithm", std::string("ed25519"));
  object->set("public_key_pem", routes.checkpointer.public_key_pem());
  object->set("public_key", crypto::hex_encode(routes.checkpointer.public_key_raw()));
  object->set("verifier_key", verifier_key);
  return ApiResponse::json(200, object);
}

// Against the given checkpoint, or the newest, which is signed on the spot
// when it does not cover the event yet.
Result<ApiResponse> prove_inclusion(AuditRoutes& routes, ApiRequest& request) {
  std::optional<std::uint64_t> tree_size;
  if (!request.query_value("tree_size").empty()) {
    TH_ASSIGN_OR_RETURN(size, size_parameter(request, "tree_size"));
    tree_size = size;
  }
  const audit::AuditProofs proofs(*routes.context.database);
  const std::string& id = request.path_params["event_id"];
  auto proof = proofs.prove_event(id, tree_size);
  if (!proof.ok() && !tree_size && proof.error().code() == ErrorCode::kFailedPrecondition) {
    auto signed_now = routes.checkpointer.checkpoint_now();
    if (!signed_now.ok()) {
      return signed_now.error();
    }
    proof = proofs.prove_event(id);
  }
  if (!proof.ok()) {
    return proof.error();
  }
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("event_id", proof->event_id);
  object->set("leaf_index", static_cast<Poco::UInt64>(proof->leaf_index));
  object->set("tree_size", static_cast<Poco::UInt64>(proof->checkpoint.tree_size));
  object->set("leaf_hash", crypto::hex_encode(proof->leaf_hash));
  object->set("audit_path", hex_array(proof->audit_path));
  object->set("root_hash", proof->checkpoint.root_hash_hex);
  object->set("body", proof->body);
  object->set("checkpoint", checkpoint_json(proof->checkpoint));
  return ApiResponse::json(200, object);
}

Result<ApiResponse> prove_consistency(AuditRoutes& routes, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(from, size_parameter(request, "from"));
  TH_ASSIGN_OR_RETURN(to, size_parameter(request, "to"));
  const audit::AuditProofs proofs(*routes.context.database);
  TH_ASSIGN_OR_RETURN(proof, proofs.prove_consistency(from, to));
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("from_tree_size", static_cast<Poco::UInt64>(proof.from.tree_size));
  object->set("to_tree_size", static_cast<Poco::UInt64>(proof.to.tree_size));
  object->set("from_root_hash", proof.from.root_hash_hex);
  object->set("to_root_hash", proof.to.root_hash_hex);
  object->set("consistency_path", hex_array(proof.path));
  object->set("from_checkpoint", checkpoint_json(proof.from));
  object->set("to_checkpoint", checkpoint_json(proof.to));
  return ApiResponse::json(200, object);
}

}  // namespace

void add_audit_log_routes(Router& router, audit::Checkpointer& checkpointer,
                          audit::AuditSink& audit, ServiceContext& context) {
  auto routes = std::make_shared<AuditRoutes>(AuditRoutes{checkpointer, audit, context});
  auto bind = [routes](AuditHandler handler) {
    return [routes, handler](ApiRequest& request) { return handler(*routes, request); };
  };
  const Access access = Access::permission(kPermission);
  router.add("POST", "/api/v1/audit/verify", access, bind(verify));
  router.add("GET", "/api/v1/audit/checkpoint", access, bind(latest_checkpoint));
  router.add("POST", "/api/v1/audit/checkpoint", access, bind(checkpoint_now));
  router.add("GET", "/api/v1/audit/public-key", access, bind(public_key));
  router.add("GET", "/api/v1/audit/proofs/inclusion/{event_id}", access, bind(prove_inclusion));
  router.add("GET", "/api/v1/audit/proofs/consistency", access, bind(prove_consistency));
}

}  // namespace th::server
