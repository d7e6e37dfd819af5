#include "server/routes/auth_routes.h"

#include "realtime/json_string_writer.h"
#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/session_authenticator.h"

namespace th::server {
namespace {

Result<ApiResponse> login(AccessServices& access, ServiceContext& context, ApiRequest& request) {
  TH_JSON_BODY(body, request);
  access::LoginRequest login;
  TH_ASSIGN_OR_RETURN(username, required_string(body, "username"));
  TH_ASSIGN_OR_RETURN(password, required_string(body, "password"));
  TH_ASSIGN_OR_RETURN(otp, optional_string(body, "otp_code"));
  TH_ASSIGN_OR_RETURN(recovery, optional_string(body, "recovery_code"));
  login.username = username;
  login.password = password;
  login.otp_code = otp;
  login.recovery_code = recovery;
  TH_ASSIGN_OR_RETURN(issued, access.authentication.login(login, caller_of(request, context)));

  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("token", issued.secret);
  reply->set("csrf_token", csrf_token_for(issued.secret));
  reply->set("session", session_json(issued.record));
  reply->set("user", user_json(issued.user));
  reply->set("mfa_enrolment_required", issued.mfa_enrolment_required);
  ApiResponse response = ApiResponse::json(200, reply);
  const auto max_age = (issued.record.expires_at - issued.record.created_at) / 1'000'000;
  response.headers.emplace_back("Set-Cookie", session_cookie(issued.secret, max_age));
  return response;
}

Result<ApiResponse> logout(AccessServices& access, ServiceContext& context, ApiRequest& request) {
  TH_RETURN_IF_ERROR(access.authentication.logout(caller_of(request, context)));
  ApiResponse response = status_response(ok_status()).value();
  response.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                                  "=; Path=/; Secure; HttpOnly; "
                                                  "SameSite=Strict; Max-Age=0");
  return response;
}

Result<ApiResponse> enrol(AccessServices& access, ServiceContext& context, ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(username, required_string(body, "username"));
  TH_ASSIGN_OR_RETURN(code, required_string(body, "code"));
  TH_ASSIGN_OR_RETURN(password, required_string(body, "password"));
  return status_response(access.authentication.redeem_enrolment(username, code, password,
                                                                caller_of(request, context)));
}

Result<ApiResponse> change_password(AccessServices& access, ServiceContext& context,
                                    ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(current, required_string(body, "current_password"));
  TH_ASSIGN_OR_RETURN(fresh, required_string(body, "new_password"));
  return status_response(
      access.authentication.change_password(current, fresh, caller_of(request, context)));
}

Result<ApiResponse> begin_mfa(AccessServices& access, ServiceContext& context,
                              ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(enrolment,
                      access.authentication.begin_mfa_enrolment(caller_of(request, context)));
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("secret", enrolment.secret_base32);
  reply->set("otpauth_uri", enrolment.otpauth_uri);
  return ApiResponse::json(200, reply);
}

Result<ApiResponse> confirm_mfa(AccessServices& access, ServiceContext& context,
                                ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(code, required_string(body, "code"));
  TH_ASSIGN_OR_RETURN(
      codes, access.authentication.confirm_mfa_enrolment(code, caller_of(request, context)));
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const std::string& recovery : codes) {
    list->add(recovery);
  }
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("recovery_codes", list);
  return ApiResponse::json(200, reply);
}

// Served from the authenticated principal alone: identifying oneself costs
// no database round trip and reveals nothing the caller did not present.
// A browser signed in by its cookie also gets its CSRF token back, so that
// a reloaded page (which kept the token only in memory) can go on; another
// site's page cannot read this answer.
// Who is signed in: asked for by every page of the browser client whenever
// it checks its session, so the answer is written straight into its text
// rather than through an object tree. Every value is an identifier, a name
// validated when it was stored, or a fixed permission name.
std::string me_body(const access::Principal& principal, const std::string& csrf_token) {
  std::string out = "{";
  auto name = [&out](std::string_view key) {
    if (out.size() > 1) {
      out += ',';
    }
    realtime::append_json_string(out, key);
    out += ':';
  };
  auto text = [&](std::string_view key, std::string_view value) {
    name(key);
    realtime::append_json_string(out, value);
  };
  if (!csrf_token.empty()) {
    text("csrf_token", csrf_token);
  }
  text("kind", access::principal_kind_name(principal.kind));
  text("user_id", principal.user_id);
  text("username", principal.username);
  text("role", principal.role);
  text("patient_id", principal.patient_id);
  text("session_id", principal.session_id);
  name("mfa_enrolment_required");
  out += principal.mfa_enrolment_required ? "true" : "false";
  name("permissions");
  out += '[';
  bool first = true;
  for (const std::string& permission : principal.permissions) {
    if (!first) {
      out += ',';
    }
    first = false;
    realtime::append_json_string(out, permission);
  }
  out += "]}";
  return out;
}

Result<ApiResponse> me(AccessServices&, ServiceContext&, ApiRequest& request) {
  const std::string cookie =
      request.header("Authorization").empty() ? presented_credential(request) : "";
  const std::string csrf = cookie.empty() ? "" : csrf_token_for(cookie);
  return ApiResponse::text(200, "application/json", me_body(request.principal, csrf));
}

Result<ApiResponse> my_sessions(AccessServices& access, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(records, access.directory.list_sessions(request.principal.user_id,
                                                              access::CredentialKind::kSession));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& record : records) {
    auto item = session_json(record);
    item->set("current", record.id == request.principal.session_id);
    items->add(item);
  }
  return items_response(items);
}

}  // namespace

void add_auth_routes(Router& router, AccessServices& access, ServiceContext& context) {
  auto bind = [&access, &context](auto handler) {
    return [&access, &context, handler](ApiRequest& request) {
      return handler(access, context, request);
    };
  };
  router.add("POST", "/api/v1/auth/login", Access::public_endpoint(), bind(login));
  router.add("POST", "/api/v1/auth/enrol", Access::public_endpoint(), bind(enrol));
  router.add("POST", "/api/v1/auth/logout", Access::authenticated().open_before_mfa(),
             bind(logout));
  router.add("POST", "/api/v1/auth/password", Access::authenticated().open_before_mfa(),
             bind(change_password));
  router.add("POST", "/api/v1/auth/mfa/enrol", Access::authenticated().open_before_mfa(),
             bind(begin_mfa));
  router.add("POST", "/api/v1/auth/mfa/confirm", Access::authenticated().open_before_mfa(),
             bind(confirm_mfa));
  router.add("GET", "/api/v1/me", Access::authenticated().open_before_mfa(), bind(me));
  router.add("GET", "/api/v1/me/sessions", Access::authenticated(),
             [&access](ApiRequest& request) { return my_sessions(access, request); });
  router.add("DELETE", "/api/v1/me/sessions/{id}", Access::authenticated(),
             [&access, &context](ApiRequest& request) {
               return status_response(access.directory.revoke_session(request.path_params["id"],
                                                                      caller_of(request, context)));
             });
}

}  // namespace th::server
