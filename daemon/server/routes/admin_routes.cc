#include "server/routes/admin_routes.h"

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

using Handler3 = Result<ApiResponse> (*)(AccessServices&, ServiceContext&, ApiRequest&);

Poco::JSON::Object::Ptr created_user_json(const access::CreatedUser& created) {
  auto object = user_json(created.user);
  object->set("enrolment_code", created.enrolment_code);
  return object;
}

// ---- users ----

Result<ApiResponse> list_users(AccessServices& access, ServiceContext& context,
                               ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(users, access.directory.list_users(caller_of(request, context)));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& user : users) {
    items->add(user_json(user));
  }
  return items_response(items);
}

Result<ApiResponse> create_user(AccessServices& access, ServiceContext& context,
                                ApiRequest& request) {
  TH_JSON_BODY(body, request);
  access::NewUser user;
  TH_ASSIGN_OR_RETURN(username, required_string(body, "username"));
  TH_ASSIGN_OR_RETURN(role, required_string(body, "role"));
  TH_ASSIGN_OR_RETURN(email, optional_string(body, "email"));
  TH_ASSIGN_OR_RETURN(kind, optional_string(body, "kind"));
  TH_ASSIGN_OR_RETURN(patient, optional_string(body, "patient_mrn"));
  user.username = username;
  user.role = role;
  user.email = email;
  user.kind = kind;
  user.patient_mrn = patient;
  TH_ASSIGN_OR_RETURN(created, access.directory.create_user(user, caller_of(request, context)));
  return ApiResponse::json(201, created_user_json(created));
}

Result<ApiResponse> import_users(AccessServices& access, ServiceContext& context,
                                 ApiRequest& request) {
  std::vector<access::ImportProblem> problems;
  auto created = access.directory.import_users(request.body, problems, caller_of(request, context));
  if (!created.ok()) {
    return import_refusal_response(created.error(), problems);
  }
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& user : *created) {
    items->add(created_user_json(user));
  }
  return items_response(items);
}

Result<ApiResponse> show_user(AccessServices& access, ServiceContext& context,
                              ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(
      user, access.directory.find_user(request.path_params["id"], caller_of(request, context)));
  return ApiResponse::json(200, user_json(user));
}

Result<ApiResponse> user_action(AccessServices& access, ServiceContext& context,
                                ApiRequest& request) {
  const std::string& id = request.path_params["id"];
  const std::string& action = request.path_params["action"];
  const access::Caller caller = caller_of(request, context);
  if (action == "disable") {
    return status_response(
        access.directory.set_user_status(id, access::UserStatus::kDisabled, caller));
  }
  if (action == "enable" || action == "unlock") {
    return status_response(
        access.directory.set_user_status(id, access::UserStatus::kActive, caller));
  }
  if (action == "reset-mfa") {
    return status_response(access.directory.reset_mfa(id, caller));
  }
  if (action == "enrolment") {
    TH_ASSIGN_OR_RETURN(code, access.directory.reissue_enrolment(id, caller));
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("enrolment_code", code);
    return ApiResponse::json(200, body);
  }
  return Error(ErrorCode::kNotFound,
               "unknown user action (use disable, enable, unlock, reset-mfa or enrolment)");
}

// ---- roles ----

Result<ApiResponse> list_roles(AccessServices& access, ServiceContext&, ApiRequest&) {
  TH_ASSIGN_OR_RETURN(roles, access.directory.list_roles());
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& role : roles) {
    items->add(role_json(role));
  }
  return items_response(items);
}

Result<ApiResponse> show_role(AccessServices& access, ServiceContext&, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(role, access.directory.find_role(request.path_params["name"]));
  return ApiResponse::json(200, role_json(role));
}

Result<ApiResponse> create_role(AccessServices& access, ServiceContext& context,
                                ApiRequest& request) {
  TH_JSON_BODY(body, request);
  access::Role role;
  TH_ASSIGN_OR_RETURN(name, required_string(body, "name"));
  TH_ASSIGN_OR_RETURN(description, optional_string(body, "description"));
  TH_ASSIGN_OR_RETURN(idle, optional_integer(body, "idle_timeout_seconds", 900));
  role.name = name;
  role.description = description;
  role.idle_timeout_seconds = static_cast<int>(idle);
  role.mfa_required = !body->has("mfa_required") || body->getValue<bool>("mfa_required");
  if (body->has("permissions")) {
    const auto permissions = body->getArray("permissions");
    if (!permissions) {
      return Error(ErrorCode::kInvalidArgument, "field 'permissions' must be an array of strings");
    }
    for (std::size_t i = 0; i < permissions->size(); ++i) {
      role.permissions.insert(permissions->getElement<std::string>(static_cast<unsigned>(i)));
    }
  }
  TH_RETURN_IF_ERROR(access.directory.create_role(role, caller_of(request, context)));
  TH_ASSIGN_OR_RETURN(stored, access.directory.find_role(role.name));
  return ApiResponse::json(201, role_json(stored));
}

Result<ApiResponse> grant_permission(AccessServices& access, ServiceContext& context,
                                     ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(permission, required_string(body, "permission"));
  return status_response(access.directory.change_role_permission(
      request.path_params["name"], permission, true, caller_of(request, context)));
}

Result<ApiResponse> revoke_permission(AccessServices& access, ServiceContext& context,
                                      ApiRequest& request) {
  return status_response(access.directory.change_role_permission(
      request.path_params["name"], request.path_params["permission"], false,
      caller_of(request, context)));
}

// ---- care teams ----

Result<ApiResponse> list_care_team(AccessServices& access, ServiceContext&, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(members, access.directory.care_team(request.path_params["id"]));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& member : members) {
    items->add(care_team_member_json(member));
  }
  return items_response(items);
}

Result<ApiResponse> add_care_team(AccessServices& access, ServiceContext& context,
                                  ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(user, required_string(body, "user"));
  return status_response(access.directory.add_care_team_member(request.path_params["id"], user,
                                                               caller_of(request, context)));
}

Result<ApiResponse> remove_care_team(AccessServices& access, ServiceContext& context,
                                     ApiRequest& request) {
  return status_response(access.directory.remove_care_team_member(
      request.path_params["id"], request.path_params["user"], caller_of(request, context)));
}

// ---- sessions and tokens ----

Result<ApiResponse> list_credentials(AccessServices& access, ApiRequest& request,
                                     access::CredentialKind kind) {
  TH_ASSIGN_OR_RETURN(records, access.directory.list_sessions(request.query_value("user"), kind));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& record : records) {
    items->add(session_json(record));
  }
  return items_response(items);
}

Result<ApiResponse> create_token(AccessServices& access, ServiceContext& context,
                                 ApiRequest& request) {
  TH_JSON_BODY(body, request);
  access::NewToken token;
  TH_ASSIGN_OR_RETURN(user, required_string(body, "user"));
  TH_ASSIGN_OR_RETURN(name, required_string(body, "name"));
  TH_ASSIGN_OR_RETURN(role, optional_string(body, "role"));
  TH_ASSIGN_OR_RETURN(days, optional_integer(body, "expires_in_days", 0));
  if (days < 0 || days > 3650) {
    return Error(ErrorCode::kInvalidArgument, "field 'expires_in_days' must be 1 to 3650");
  }
  token.username = user;
  token.name = name;
  token.role = role;
  token.lifetime_seconds = days * 86400;
  TH_ASSIGN_OR_RETURN(created, access.directory.create_token(token, caller_of(request, context)));
  auto reply = session_json(created.record);
  reply->set("token", created.secret);
  return ApiResponse::json(201, reply);
}

Result<ApiResponse> revoke_credential(AccessServices& access, ServiceContext& context,
                                      ApiRequest& request) {
  return status_response(
      access.directory.revoke_session(request.path_params["id"], caller_of(request, context)));
}

// ---- emergency access review ----

Result<ApiResponse> list_emergency(AccessServices& access, ServiceContext& context,
                                   ApiRequest& request) {
  const bool pending = request.query_value("pending") == "true";
  audit::AuditEvent event = caller_of(request, context).event("search", "emergency_grant");
  auto grants = access.directory.list_emergency_grants(pending);
  if (!grants.ok()) {
    if (grants.error().code() == ErrorCode::kDataLoss) {
      // The message names the grant that failed its check, by id only.
      event.outcome = audit::AuditOutcome::kError;
      event.reason = grants.error().message();
      (void)access.audit.record(std::move(event));
    }
    return grants.error();
  }
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& grant : *grants) {
    items->add(emergency_grant_json(grant));
    event.patient_ids.push_back(grant.patient_id);
  }
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  return items_response(items);
}

Result<ApiResponse> review_emergency(AccessServices& access, ServiceContext& context,
                                     ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(outcome, required_string(body, "outcome"));
  TH_ASSIGN_OR_RETURN(comment, optional_string(body, "comment"));
  return status_response(access.directory.review_emergency_grant(
      request.path_params["id"], outcome, comment, caller_of(request, context)));
}

}  // namespace

void add_admin_routes(Router& router, AccessServices& access, ServiceContext& context) {
  auto bind = [&access, &context](Handler3 handler) {
    return [&access, &context, handler](ApiRequest& request) {
      return handler(access, context, request);
    };
  };
  router.add("GET", "/api/v1/users", Access::permission("user.manage"), bind(list_users));
  router.add("POST", "/api/v1/users", Access::permission("user.manage"), bind(create_user));
  router.add("POST", "/api/v1/users/import", Access::permission("user.manage"), bind(import_users));
  router.add("GET", "/api/v1/users/{id}", Access::permission("user.manage"), bind(show_user));
  router.add("POST", "/api/v1/users/{id}/{action}", Access::permission("user.manage"),
             bind(user_action));

  router.add("GET", "/api/v1/roles", Access::permission("role.manage"), bind(list_roles));
  router.add("POST", "/api/v1/roles", Access::permission("role.manage"), bind(create_role));
  router.add("GET", "/api/v1/roles/{name}", Access::permission("role.manage"), bind(show_role));
  router.add("POST", "/api/v1/roles/{name}/permissions", Access::permission("role.manage"),
             bind(grant_permission));
  router.add("DELETE", "/api/v1/roles/{name}/permissions/{permission}",
             Access::permission("role.manage"), bind(revoke_permission));

  router.add("GET", "/api/v1/patients/{id}/care-team", Access::permission("careteam.manage"),
             bind(list_care_team));
  router.add("POST", "/api/v1/patients/{id}/care-team", Access::permission("careteam.manage"),
             bind(add_care_team));
  router.add("DELETE", "/api/v1/patients/{id}/care-team/{user}",
             Access::permission("careteam.manage"), bind(remove_care_team));

  router.add("GET", "/api/v1/sessions", Access::permission("session.manage"),
             [&access](ApiRequest& request) {
               return list_credentials(access, request, access::CredentialKind::kSession);
             });
  router.add("DELETE", "/api/v1/sessions/{id}", Access::permission("session.manage"),
             bind(revoke_credential));
  router.add("GET", "/api/v1/tokens", Access::permission("token.manage"),
             [&access](ApiRequest& request) {
               return list_credentials(access, request, access::CredentialKind::kToken);
             });
  router.add("POST", "/api/v1/tokens", Access::permission("token.manage"), bind(create_token));
  router.add("DELETE", "/api/v1/tokens/{id}", Access::permission("token.manage"),
             bind(revoke_credential));

  router.add("GET", "/api/v1/emergency-access", Access::permission("emergency.review"),
             bind(list_emergency));
  router.add("POST", "/api/v1/emergency-access/{id}/review", Access::permission("emergency.review"),
             bind(review_emergency));
}

}  // namespace th::server
