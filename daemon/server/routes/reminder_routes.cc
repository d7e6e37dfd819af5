#include "server/routes/reminder_routes.h"

#include <charconv>

#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

constexpr std::size_t kMaxListed = 1000;

std::string time_text(UnixMicros micros) {
  return micros == 0 ? std::string() : format_rfc3339_micros(micros);
}

Poco::JSON::Object::Ptr entry_json(const notify::OutboxEntry& entry) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", entry.id);
  object->set("channel", std::string(notify::channel_name(entry.channel)));
  object->set("kind", entry.kind);
  object->set("status", std::string(notify::outbox_status_name(entry.status)));
  object->set("reference", entry.reference);
  object->set("revision", entry.revision);
  object->set("dedupe_key", entry.dedupe_key);
  object->set("due_at", time_text(entry.due_at));
  object->set("next_attempt_at", time_text(entry.next_attempt_at));
  object->set("attempts", entry.attempts);
  object->set("claimed_by", entry.claimed_by);
  object->set("last_error", entry.last_error);
  object->set("created_at", time_text(entry.created_at));
  object->set("sent_at", time_text(entry.sent_at));
  return object;
}

Result<std::size_t> listing_limit(const ApiRequest& request) {
  const std::string text = request.query_value("limit", "100");
  std::size_t limit = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (error != std::errc() || end != text.data() + text.size() || limit == 0 ||
      limit > kMaxListed) {
    return Error(ErrorCode::kInvalidArgument, "limit must be a number from 1 to 1000");
  }
  return limit;
}

Result<ApiResponse> list_reminders(NotifyServices& notify, ServiceContext& context,
                                   const ApiRequest& request) {
  notify::OutboxFilter filter;
  if (const std::string status = request.query_value("status"); !status.empty()) {
    TH_ASSIGN_OR_RETURN(parsed, notify::parse_outbox_status(status));
    filter.status = parsed;
  }
  TH_ASSIGN_OR_RETURN(limit, listing_limit(request));
  filter.limit = limit;
  TH_ASSIGN_OR_RETURN(entries, context.database->run([&](soci::session& session) {
    return notify.outbox.list(session, filter);
  }));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const notify::OutboxEntry& entry : entries) {
    items->add(entry_json(entry));
  }
  return items_response(items);
}

Result<ApiResponse> retry_reminder(NotifyServices& notify, AccessServices& access,
                                   ServiceContext& context, ApiRequest& request) {
  const std::string& id = request.path_params["id"];
  const Status retried = context.database->run_write_transaction(
      [&](soci::session& session) { return notify.outbox.retry(session, id); });
  audit::AuditEvent event = caller_of(request, context).event("update", "outbox_message", id);
  event.reason = "retry";
  if (!retried.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason += ": " + std::string(error_code_name(retried.error().code()));
  }
  (void)access.audit.record(std::move(event));
  if (retried.ok()) {
    notify.dispatcher.wake();
  }
  return status_response(retried);
}

// ---- reminder preferences ----

Poco::JSON::Object::Ptr preferences_json(const std::string& patient_id,
                                         const notify::ContactOptOuts& opt_outs) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("patient_id", patient_id);
  object->set("email_opt_out", opt_outs.email);
  object->set("sms_opt_out", opt_outs.sms);
  return object;
}

Result<std::optional<bool>> optional_flag(const Poco::JSON::Object::Ptr& body,
                                          const std::string& name) {
  if (!body->has(name) || body->isNull(name)) {
    return std::optional<bool>();
  }
  const Poco::Dynamic::Var value = body->get(name);
  if (!value.isBoolean()) {
    return Error(ErrorCode::kInvalidArgument, "field '" + name + "' must be true or false");
  }
  return std::optional<bool>(value.extract<bool>());
}

// The patient a preferences request is about, once the caller may reach
// their demographics; the outcome of the check is audited.
Result<std::string> patient_in_scope(AccessServices& access, ServiceContext& context,
                                     ApiRequest& request, audit::AuditEvent& event) {
  const std::string& wanted = request.path_params["id"];
  auto patient = access.directory.find_patient(wanted);
  if (!patient.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = std::string(error_code_name(patient.error().code()));
    (void)access.audit.record(event);
    return patient.error();
  }
  event.resource_id = patient->id;
  event.patient_id = patient->id;
  TH_ASSIGN_OR_RETURN(decision, context.database->run([&](soci::session& session) {
    return access.scope.decide(session, request.principal, patient->id,
                               access::PatientDataKind::kDemographics);
  }));
  if (!decision.allowed) {
    event.outcome = audit::AuditOutcome::kDenied;
    event.reason = decision.denial_reason;
    (void)access.audit.record(event);
    return Error(ErrorCode::kNotFound, "no patient with that id or MRN");
  }
  return patient->id;
}

Result<ApiResponse> read_preferences(NotifyServices& notify, AccessServices& access,
                                     ServiceContext& context, const std::string& patient_id,
                                     audit::AuditEvent event) {
  TH_ASSIGN_OR_RETURN(opt_outs, context.database->run([&](soci::session& session) {
    return notify.opt_outs.get(session, patient_id);
  }));
  event.resource_id = patient_id;
  event.patient_id = patient_id;
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  return ApiResponse::json(200, preferences_json(patient_id, opt_outs));
}

Result<ApiResponse> write_preferences(NotifyServices& notify, AccessServices& access,
                                      ServiceContext& context, ApiRequest& request,
                                      const std::string& patient_id, audit::AuditEvent event) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(email, optional_flag(body, "email_opt_out"));
  TH_ASSIGN_OR_RETURN(sms, optional_flag(body, "sms_opt_out"));
  const std::string actor = request.principal.user_id.empty()
                                ? std::string(access::principal_kind_name(request.principal.kind))
                                : request.principal.user_id;
  const UnixMicros now = context.clock->now_micros();
  TH_ASSIGN_OR_RETURN(opt_outs, context.database->run_write_transaction([&](soci::session& s) {
    if (email) {
      notify.opt_outs.set(s, patient_id, notify::Channel::kEmail, *email, actor, now);
    }
    if (sms) {
      notify.opt_outs.set(s, patient_id, notify::Channel::kSms, *sms, actor, now);
    }
    return notify.opt_outs.get(s, patient_id);
  }));
  // Recorded after the commit, on the audit log's own connection.
  event.resource_id = patient_id;
  event.patient_id = patient_id;
  event.reason = std::string("email_opt_out=") + (opt_outs.email ? "true" : "false") +
                 " sms_opt_out=" + (opt_outs.sms ? "true" : "false");
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  return ApiResponse::json(200, preferences_json(patient_id, opt_outs));
}

// A patient's own preferences; other principals have none of their own.
Result<std::string> own_patient(const ApiRequest& request) {
  if (request.principal.patient_id.empty()) {
    return Error(ErrorCode::kNotFound, "this account has no patient record");
  }
  return request.principal.patient_id;
}

Result<ApiResponse> my_preferences(NotifyServices& notify, AccessServices& access,
                                   ServiceContext& context, ApiRequest& request, bool write) {
  TH_ASSIGN_OR_RETURN(patient_id, own_patient(request));
  audit::AuditEvent event =
      caller_of(request, context).event(write ? "update" : "read", "reminder_preferences");
  if (write) {
    return write_preferences(notify, access, context, request, patient_id, std::move(event));
  }
  return read_preferences(notify, access, context, patient_id, std::move(event));
}

Result<ApiResponse> patient_preferences(NotifyServices& notify, AccessServices& access,
                                        ServiceContext& context, ApiRequest& request, bool write) {
  audit::AuditEvent event =
      caller_of(request, context).event(write ? "update" : "read", "reminder_preferences");
  TH_ASSIGN_OR_RETURN(patient_id, patient_in_scope(access, context, request, event));
  if (write) {
    return write_preferences(notify, access, context, request, patient_id, std::move(event));
  }
  return read_preferences(notify, access, context, patient_id, std::move(event));
}

}  // namespace

void add_reminder_routes(Router& router, NotifyServices& notify, AccessServices& access,
                         ServiceContext& context) {
  router.add("GET", "/api/v1/reminders", Access::permission("system.status"),
             [&](ApiRequest& request) { return list_reminders(notify, context, request); });
  router.add("POST", "/api/v1/reminders/{id}/retry", Access::permission("system.manage"),
             [&](ApiRequest& request) { return retry_reminder(notify, access, context, request); });
  router.add(
      "GET", "/api/v1/me/reminder-preferences", Access::authenticated(),
      [&](ApiRequest& request) { return my_preferences(notify, access, context, request, false); });
  router.add(
      "PUT", "/api/v1/me/reminder-preferences", Access::authenticated(),
      [&](ApiRequest& request) { return my_preferences(notify, access, context, request, true); });
  router.add("GET", "/api/v1/patients/{id}/reminder-preferences",
             Access::permission("patient.demographics"), [&](ApiRequest& request) {
               return patient_preferences(notify, access, context, request, false);
             });
  router.add("PUT", "/api/v1/patients/{id}/reminder-preferences",
             Access::permission("patient.write"), [&](ApiRequest& request) {
               return patient_preferences(notify, access, context, request, true);
             });
}

}  // namespace th::server
