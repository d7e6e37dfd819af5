#include "server/routes/invitation_routes.h"

#include <algorithm>

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/routes/scheduling_json.h"
#include "server/session_authenticator.h"

namespace th::server {
namespace {

using scheduling::SchedulingServices;

Poco::JSON::Object::Ptr invitation_json(const scheduling::GuestInvitation& invitation,
                                        const scheduling::TimeZone& zone, UnixMicros now) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", invitation.id);
  object->set("appointment_id", invitation.appointment_id);
  object->set("relationship",
              std::string(scheduling::guest_relationship_name(invitation.relationship)));
  object->set("email", invitation.email);
  object->set("status", std::string(scheduling::invitation_state_name(invitation, now)));
  object->set("expires_at", zone.format_rfc3339(invitation.expires_at));
  object->set("created_by", invitation.created_by);
  object->set("created_at", zone.format_rfc3339(invitation.created_at));
  object->set("redeemed_at",
              invitation.redeemed_at ? zone.format_rfc3339(invitation.redeemed_at) : "");
  object->set("revoked_at",
              invitation.revoked_at ? zone.format_rfc3339(invitation.revoked_at) : "");
  object->set("revoke_reason", invitation.revoke_reason);
  return object;
}

// The reply holds no link: the secret goes only into the invitee's email.
Result<ApiResponse> invite(SchedulingServices& scheduling, ServiceContext& context,
                           ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(email, required_string(body, "email"));
  TH_ASSIGN_OR_RETURN(relationship, required_string(body, "relationship"));
  TH_ASSIGN_OR_RETURN(
      invitation, scheduling.invitations.invite(request.path_params["id"], {email, relationship},
                                                caller_of(request, context)));
  return ApiResponse::json(201, invitation_json(invitation, zone, context.clock->now_micros()));
}

Result<ApiResponse> list(SchedulingServices& scheduling, ServiceContext& context,
                         ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(invitations, scheduling.invitations.list(request.path_params["id"],
                                                               caller_of(request, context)));
  const UnixMicros now = context.clock->now_micros();
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& invitation : invitations) {
    items->add(invitation_json(invitation, zone, now));
  }
  return items_response(items);
}

Result<ApiResponse> uninvite(SchedulingServices& scheduling, ServiceContext& context,
                             ApiRequest& request) {
  return status_response(scheduling.invitations.revoke(
      request.path_params["id"], request.path_params["invitation"], caller_of(request, context)));
}

// A browser asks for the session in the cookie ("cookie": true): the
// reply then carries the CSRF token instead of the secret, which no script
// of the page can read. Other clients get the secret, as a bearer token.
Result<ApiResponse> redeem(SchedulingServices& scheduling, ServiceContext& context,
                           ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(token, required_string(body, "token"));
  TH_ASSIGN_OR_RETURN(in_cookie, optional_bool(body, "cookie", false));
  TH_ASSIGN_OR_RETURN(guest, scheduling.invitations.redeem(token, caller_of(request, context)));
  const scheduling::TimeZone utc = scheduling::TimeZone::utc();
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set(in_cookie ? "csrf_token" : "token",
             in_cookie ? csrf_token_for(guest.secret) : guest.secret);
  reply->set("appointment_id", guest.grant.appointment_id);
  reply->set("expires_at", utc.format_rfc3339(guest.grant.expires_at));
  ApiResponse response = ApiResponse::json(200, reply);
  if (in_cookie) {
    const UnixMicros left = guest.grant.expires_at - context.clock->now_micros();
    response.headers.emplace_back(
        "Set-Cookie", session_cookie(guest.secret, std::max<UnixMicros>(left, 0) / 1'000'000));
  }
  return response;
}

// A guest whose session is in the cookie also gets its CSRF token back, so
// that a reloaded guest page can go on (as GET /api/v1/me does for users).
Result<ApiResponse> guest_visit(SchedulingServices& scheduling, ServiceContext& context,
                                ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(visit, scheduling.invitations.guest_visit(caller_of(request, context)));
  Poco::JSON::Object::Ptr reply = new Poco::JSON::Object;
  reply->set("appointment_id", visit.appointment_id);
  reply->set("start", zone.format_rfc3339(visit.starts_at));
  reply->set("end", zone.format_rfc3339(visit.ends_at));
  reply->set("practitioner_name", visit.practitioner_name);
  if (request.header("Authorization").empty()) {
    reply->set("csrf_token", csrf_token_for(presented_credential(request)));
  }
  return ApiResponse::json(200, reply);
}

}  // namespace

void add_invitation_routes(Router& router, SchedulingServices& scheduling,
                           ServiceContext& context) {
  const Access read = Access::permission("appointment.read");
  const Access write = Access::permission("appointment.write");
  router.add("POST", "/api/v1/appointments/{id}/invitations", write,
             [&](ApiRequest& request) { return invite(scheduling, context, request); });
  router.add("GET", "/api/v1/appointments/{id}/invitations", read,
             [&](ApiRequest& request) { return list(scheduling, context, request); });
  router.add("DELETE", "/api/v1/appointments/{id}/invitations/{invitation}", write,
             [&](ApiRequest& request) { return uninvite(scheduling, context, request); });
  router.add("POST", "/api/v1/guest/redeem", Access::public_endpoint(),
             [&](ApiRequest& request) { return redeem(scheduling, context, request); });
  router.add("GET", "/api/v1/guest/visit", Access::guest(),
             [&](ApiRequest& request) { return guest_visit(scheduling, context, request); });
}

}  // namespace th::server
