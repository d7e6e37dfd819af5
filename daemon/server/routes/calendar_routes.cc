#include "server/routes/calendar_routes.h"

#include <set>

#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

constexpr UnixMicros kMicrosPerDay = 86'400'000'000LL;
constexpr std::size_t kMaxFeedEvents = 5000;

std::string actor_of(const ApiRequest& request) {
  return request.principal.user_id.empty()
             ? std::string(access::principal_kind_name(request.principal.kind))
             : request.principal.user_id;
}

Result<ApiResponse> rotate_token(NotifyServices& notify, AccessServices& access,
                                 ServiceContext& context, ApiRequest& request) {
  const std::string& practitioner_id = request.path_params["id"];
  TH_ASSIGN_OR_RETURN(issued, context.database->run_write_transaction([&](soci::session& s) {
    return notify.tokens.rotate(s, practitioner_id, actor_of(request), context.clock->now_micros());
  }));
  // Recorded after the commit; the token is shown only once the event is durable.
  audit::AuditEvent event =
      caller_of(request, context).event("create", "calendar_feed_token", issued.id);
  event.reason = "practitioner " + practitioner_id;
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));

  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("id", issued.id);
  body->set("practitioner_id", issued.practitioner_id);
  body->set("token", issued.token);
  body->set("feed_url", notify.public_base_url + "/api/v1/calendar/" + issued.token + ".ics");
  body->set("created_at", format_rfc3339_micros(issued.created_at));
  return ApiResponse::json(201, body);
}

Result<ApiResponse> revoke_token(NotifyServices& notify, AccessServices& access,
                                 ServiceContext& context, ApiRequest& request) {
  const std::string& practitioner_id = request.path_params["id"];
  TH_ASSIGN_OR_RETURN(revoked, context.database->run_write_transaction([&](soci::session& s) {
    return notify.tokens.revoke(s, practitioner_id, context.clock->now_micros());
  }));
  if (!revoked) {
    return Error(ErrorCode::kNotFound, "that practitioner has no calendar feed token in force");
  }
  audit::AuditEvent event =
      caller_of(request, context).event("revoke", "calendar_feed_token", practitioner_id);
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  return status_response(ok_status());
}

// The feed. Whoever holds the URL reads the practitioner's schedule, so the
// read is audited as the practitioner's (through that token), with the
// patients named when events carry their initials; the document goes out
// only once that event is recorded.
Result<ApiResponse> serve_feed(NotifyServices& notify, AccessServices& access,
                               ServiceContext& context, ApiRequest& request) {
  const std::string& token = request.path_params["token"];
  const UnixMicros now = context.clock->now_micros();
  TH_ASSIGN_OR_RETURN(owner, context.database->run([&](soci::session& session) {
    return notify.tokens.find(session, token);
  }));
  if (!owner) {
    return Error(ErrorCode::kNotFound, "no such calendar feed");
  }
  const UnixMicros from = now - notify.feed_past_days * kMicrosPerDay;
  const UnixMicros to = now + notify.feed_future_days * kMicrosPerDay;
  TH_ASSIGN_OR_RETURN(entries, context.database->run([&](soci::session& session) {
    return notify.entries.list(session, owner->practitioner_id, from, to, kMaxFeedEvents);
  }));

  audit::AuditEvent event =
      caller_of(request, context).event("read", "calendar_feed", owner->practitioner_id);
  event.actor_user_id = owner->practitioner_id;
  event.actor_kind = "calendar_feed_token";
  event.session_id = owner->token_id;
  if (notify.feed.attendee == notify::FeedAttendee::kInitials) {
    std::set<std::string> patients;
    for (const notify::CalendarEntry& entry : entries) {
      patients.insert(entry.patient_id);
    }
    event.patient_ids.assign(patients.begin(), patients.end());
  }
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  (void)context.database->run(
      [&](soci::session& session) { notify.tokens.touch(session, *owner, now); });

  return ApiResponse::text(200, "text/calendar; charset=utf-8",
                           notify::render_practitioner_feed(entries, notify.feed));
}

}  // namespace

void add_calendar_routes(Router& router, NotifyServices& notify, AccessServices& access,
                         ServiceContext& context) {
  router.add("POST", "/api/v1/practitioners/{id}/calendar-token",
             Access::permission("token.manage"),
             [&](ApiRequest& request) { return rotate_token(notify, access, context, request); });
  router.add("DELETE", "/api/v1/practitioners/{id}/calendar-token",
             Access::permission("token.manage"),
             [&](ApiRequest& request) { return revoke_token(notify, access, context, request); });
  router.add("GET", "/api/v1/calendar/{token}.ics", Access::public_endpoint(),
             [&](ApiRequest& request) { return serve_feed(notify, access, context, request); });
}

}  // namespace th::server
