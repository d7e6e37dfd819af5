// Small helpers shared by the route files: the caller of a request, JSON
// shapes of the access types, and turning a Status into a response.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "access/caller.h"
#include "access/care_team_store.h"
#include "access/directory_service.h"
#include "access/emergency_store.h"
#include "access/patient.h"
#include "access/role_store.h"
#include "access/session_store.h"
#include "access/user.h"
#include "server/api_types.h"
#include "server/service_context.h"

namespace th::server {

access::Caller caller_of(const ApiRequest& request, const ServiceContext& context);

Poco::JSON::Object::Ptr user_json(const access::User& user);
Poco::JSON::Object::Ptr role_json(const access::Role& role);
Poco::JSON::Object::Ptr session_json(const access::SessionRecord& record);
Poco::JSON::Object::Ptr patient_json(const access::Patient& patient);
Poco::JSON::Object::Ptr care_team_member_json(const access::CareTeamMember& member);
Poco::JSON::Object::Ptr emergency_grant_json(const access::EmergencyGrant& grant);

// {"items": [...]} for a listing.
ApiResponse items_response(const Poco::JSON::Array::Ptr& items);

// The refusal of a CSV import: the error's status, with the error object
// carrying "rows": [{"line", "message"}] for every problem found.
ApiResponse import_refusal_response(const Error& error,
                                    const std::vector<access::ImportProblem>& problems);

// 200 {"ok": true} for a Status that succeeded, the error otherwise.
Result<ApiResponse> status_response(const Status& status);

// The parsed JSON body or the error response.
#define TH_JSON_BODY(variable, request)             \
  auto variable##_parsed = (request).json_object(); \
  if (!variable##_parsed.ok()) {                    \
    return variable##_parsed.error();               \
  }                                                 \
  Poco::JSON::Object::Ptr variable = *variable##_parsed

#define TH_ASSIGN_OR_RETURN(variable, expr) \
  auto variable##_result = (expr);          \
  if (!variable##_result.ok()) {            \
    return variable##_result.error();       \
  }                                         \
  auto variable = std::move(*variable##_result)

}  // namespace th::server
