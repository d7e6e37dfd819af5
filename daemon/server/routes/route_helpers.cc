#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

std::string time_text(UnixMicros micros) {
  return micros == 0 ? std::string() : format_rfc3339_micros(micros);
}

}  // namespace

access::Caller caller_of(const ApiRequest& request, const ServiceContext& context) {
  access::Caller caller;
  caller.principal = request.principal;
  caller.source_address = request.peer_address;
  caller.user_agent = request.header("User-Agent").substr(0, 200);
  caller.request_id = request.request_id;
  caller.node = context.node_name;
  return caller;
}

Poco::JSON::Object::Ptr user_json(const access::User& user) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", user.id);
  object->set("username", user.username);
  object->set("email", user.email);
  object->set("kind", std::string(access::user_kind_name(user.kind)));
  object->set("status", std::string(access::user_status_name(user.status)));
  object->set("role", user.role);
  object->set("patient_id", user.patient_id);
  object->set("mfa_enabled", user.mfa_enabled);
  object->set("enrolled", !user.password_hash.empty());
  object->set("failed_logins", user.failed_logins);
  object->set("created_at", time_text(user.created_at));
  return object;
}

Poco::JSON::Object::Ptr role_json(const access::Role& role) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("name", role.name);
  object->set("description", role.description);
  object->set("builtin", role.builtin);
  object->set("mfa_required", role.mfa_required);
  object->set("idle_timeout_seconds", role.idle_timeout_seconds);
  Poco::JSON::Array::Ptr permissions = new Poco::JSON::Array;
  for (const std::string& permission : role.permissions) {
    permissions->add(permission);
  }
  object->set("permissions", permissions);
  return object;
}

Poco::JSON::Object::Ptr session_json(const access::SessionRecord& record) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", record.id);
  object->set("kind", std::string(access::credential_kind_name(record.kind)));
  object->set("name", record.name);
  object->set("user_id", record.user_id);
  object->set("role", record.role);
  object->set("created_at", time_text(record.created_at));
  object->set("last_seen_at", time_text(record.last_seen_at));
  object->set("expires_at", time_text(record.expires_at));
  object->set("idle_timeout_seconds", record.idle_timeout_seconds);
  object->set("source_address", record.source_address);
  object->set("revoked", record.revoked());
  return object;
}

Poco::JSON::Object::Ptr patient_json(const access::Patient& patient) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", patient.id);
  object->set("mrn", patient.mrn);
  object->set("given_name", patient.given_name);
  object->set("family_name", patient.family_name);
  object->set("birth_date", patient.birth_date);
  object->set("sex", patient.sex);
  object->set("phone", patient.phone);
  object->set("email", patient.email);
  object->set("address", patient.address);
  object->set("state", patient.state);
  return object;
}

Poco::JSON::Object::Ptr care_team_member_json(const access::CareTeamMember& member) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("patient_id", member.patient_id);
  object->set("user_id", member.user_id);
  object->set("added_by", member.added_by);
  object->set("added_at", time_text(member.added_at));
  return object;
}

Poco::JSON::Object::Ptr emergency_grant_json(const access::EmergencyGrant& grant) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", grant.id);
  object->set("user_id", grant.user_id);
  object->set("patient_id", grant.patient_id);
  object->set("reason", grant.reason);
  object->set("granted_at", time_text(grant.granted_at));
  object->set("expires_at", time_text(grant.expires_at));
  object->set("review_state", grant.review_state);
  object->set("reviewed_by", grant.reviewed_by);
  object->set("reviewed_at", time_text(grant.reviewed_at));
  object->set("review_comment", grant.review_comment);
  return object;
}

ApiResponse items_response(const Poco::JSON::Array::Ptr& items) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  return ApiResponse::json(200, body);
}

ApiResponse import_refusal_response(const Error& error,
                                    const std::vector<access::ImportProblem>& problems) {
  Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
  for (const auto& problem : problems) {
    Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
    row->set("line", problem.line);
    row->set("message", problem.message);
    rows->add(row);
  }
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
  detail->set("code", std::string(error_code_name(error.code())));
  detail->set("message", error.message());
  detail->set("rows", rows);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("error", detail);
  return ApiResponse::json(ApiResponse::error(error).status, body);
}

Result<ApiResponse> status_response(const Status& status) {
  if (!status.ok()) {
    return status.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("ok", true);
  return ApiResponse::json(200, body);
}

}  // namespace th::server
