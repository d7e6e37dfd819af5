#include "server/routes/audit_query_routes.h"

#include <charconv>
#include <limits>
#include <memory>
#include <set>

#include "audit/audit_query.h"
#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

// Headers of an export: how many events its body holds, and the position of
// the newest event the snapshot covers.
constexpr const char* kEventCountHeader = "X-Audit-Event-Count";
constexpr const char* kThroughSeqHeader = "X-Audit-Through-Seq";

struct AuditRoutes {
  AccessServices& access;
  ServiceContext& context;
  audit::AuditQuery query;
};

// ---- request parameters ----

Result<std::int64_t> integer_param(const ApiRequest& request, const std::string& name,
                                   std::int64_t fallback, std::int64_t low, std::int64_t high) {
  const std::string text = request.query_value(name);
  if (text.empty()) {
    return fallback;
  }
  std::int64_t value = 0;
  const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failure != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return Error(ErrorCode::kInvalidArgument, "parameter '" + name + "' must be an integer from " +
                                                  std::to_string(low) + " to " +
                                                  std::to_string(high));
  }
  return value;
}

Result<std::optional<UnixMicros>> time_param(const ApiRequest& request, const std::string& name,
                                             audit::TimeBound bound) {
  const std::string text = request.query_value(name);
  if (text.empty()) {
    return std::optional<UnixMicros>();
  }
  auto parsed = audit::parse_time_bound(text, bound);
  if (!parsed.ok()) {
    return parsed.error().with_context("parameter '" + name + "'");
  }
  return std::optional<UnixMicros>(*parsed);
}

Result<bool> flag_param(const ApiRequest& request, const std::string& name) {
  const std::string text = request.query_value(name);
  if (text.empty() || text == "false" || text == "0") {
    return false;
  }
  if (text == "true" || text == "1") {
    return true;
  }
  return Error(ErrorCode::kInvalidArgument, "parameter '" + name + "' must be true or false");
}

Result<std::string> required_param(const ApiRequest& request, const std::string& name) {
  std::string value = request.query_value(name);
  if (value.empty()) {
    return Error(ErrorCode::kInvalidArgument, "parameter '" + name + "' is required");
  }
  return value;
}

Result<audit::AuditFilter> filter_from(const ApiRequest& request) {
  audit::AuditFilter filter;
  filter.user_id = request.query_value("user");
  filter.patient_id = request.query_value("patient");
  filter.action = request.query_value("action");
  filter.resource_type = request.query_value("resource");
  filter.outcome = request.query_value("outcome");
  TH_ASSIGN_OR_RETURN(from, time_param(request, "from", audit::TimeBound::kStart));
  TH_ASSIGN_OR_RETURN(to, time_param(request, "to", audit::TimeBound::kEnd));
  TH_ASSIGN_OR_RETURN(emergency, flag_param(request, "emergency"));
  filter.from = from;
  filter.to = to;
  filter.emergency_only = emergency;
  TH_RETURN_IF_ERROR(audit::validate_filter(filter));
  return filter;
}

struct PageRequest {
  std::optional<std::int64_t> after;
  int limit = audit::kDefaultSearchLimit;
};

Result<PageRequest> page_from(const ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(limit, integer_param(request, "limit", audit::kDefaultSearchLimit, 1,
                                           audit::kMaxSearchLimit));
  TH_ASSIGN_OR_RETURN(
      after, integer_param(request, "after", -1, 0, std::numeric_limits<std::int64_t>::max()));
  PageRequest page;
  page.limit = static_cast<int>(limit);
  if (after >= 0) {
    page.after = after;
  }
  return page;
}

// ---- JSON shapes ----

std::string time_text(UnixMicros micros) {
  return format_rfc3339_micros(micros);
}

Poco::JSON::Object::Ptr stored_event_json(const audit::StoredEvent& stored) {
  const audit::AuditEvent& event = stored.event;
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("seq", stored.seq);
  object->set("id", event.id);
  object->set("occurred_at", time_text(event.occurred_at));
  object->set("actor_user_id", event.actor_user_id);
  object->set("actor_kind", event.actor_kind);
  object->set("actor_role", event.actor_role);
  object->set("session_id", event.session_id);
  object->set("source_address", event.source_address);
  object->set("user_agent", event.user_agent);
  object->set("action", event.action);
  object->set("resource_type", event.resource_type);
  object->set("resource_id", event.resource_id);
  object->set("patient_id", event.patient_id);
  Poco::JSON::Array::Ptr patients = new Poco::JSON::Array;
  for (const std::string& patient : event.patient_ids) {
    patients->add(patient);
  }
  object->set("patient_ids", patients);
  object->set("outcome", std::string(audit::audit_outcome_name(event.outcome)));
  object->set("emergency", event.emergency);
  object->set("reason", event.reason);
  object->set("request_id", event.request_id);
  object->set("node", event.node);
  return object;
}

Poco::JSON::Array::Ptr events_json(const std::vector<audit::StoredEvent>& events) {
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const audit::StoredEvent& stored : events) {
    items->add(stored_event_json(stored));
  }
  return items;
}

// The cursor of the next page as text (seq values outgrow what every JSON
// reader keeps exact as a number), or null on the last page.
Poco::Dynamic::Var next_json(const std::optional<std::int64_t>& next) {
  return next ? Poco::Dynamic::Var(std::to_string(*next)) : Poco::Dynamic::Var();
}

Poco::JSON::Array::Ptr summary_json(const std::vector<audit::ActivitySummary>& groups,
                                    audit::SummaryGrouping grouping) {
  Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
  for (const audit::ActivitySummary& group : groups) {
    Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
    if (grouping == audit::SummaryGrouping::kByActor) {
      row->set("actor_user_id", group.actor_user_id);
      row->set("actor_role", group.actor_role);
    } else {
      row->set("resource_type", group.resource_type);
    }
    row->set("action", group.action);
    row->set("outcome", group.outcome);
    row->set("count", group.count);
    row->set("first", time_text(group.first));
    row->set("last", time_text(group.last));
    rows->add(row);
  }
  return rows;
}

// ---- auditing the auditors ----

audit::AuditEvent auditor_event(const AuditRoutes& routes, const ApiRequest& request,
                                std::string action, std::string report,
                                const audit::AuditFilter& filter) {
  audit::AuditEvent event =
      caller_of(request, routes.context).event(std::move(action), "audit_event", std::move(report));
  event.patient_id = filter.patient_id;
  event.reason = filter.describe();
  return event;
}

// Names every patient the results mention in the auditor's own event: what
// an audit search reveals about a patient is itself an access to record.
void name_patients(audit::AuditEvent& event, const std::vector<audit::StoredEvent>& results) {
  std::set<std::string> named(event.patient_ids.begin(), event.patient_ids.end());
  auto name = [&](const std::string& patient) {
    if (!patient.empty() && patient != event.patient_id && named.insert(patient).second) {
      event.patient_ids.push_back(patient);
    }
  };
  for (const audit::StoredEvent& stored : results) {
    name(stored.event.patient_id);
    for (const std::string& patient : stored.event.patient_ids) {
      name(patient);
    }
  }
}

// A query that failed is recorded too (best effort: the failure is what the
// caller hears about either way).
Error record_failure(const AuditRoutes& routes, audit::AuditEvent event, const Error& failure) {
  event.outcome = audit::AuditOutcome::kError;
  event.reason += std::string(event.reason.empty() ? "" : "; ") +
                  "failed: " + std::string(error_code_name(failure.code()));
  (void)routes.access.audit.record(std::move(event));
  return failure;
}

// ---- handlers ----

Result<ApiResponse> search_events(AuditRoutes& routes, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(filter, filter_from(request));
  TH_ASSIGN_OR_RETURN(page_request, page_from(request));
  audit::AuditEvent event = auditor_event(routes, request, "search", "", filter);
  auto page = routes.query.search(filter, page_request.after, page_request.limit);
  if (!page.ok()) {
    return record_failure(routes, std::move(event), page.error());
  }
  name_patients(event, page->items);
  TH_RETURN_IF_ERROR(routes.access.audit.record(std::move(event)));

  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", events_json(page->items));
  body->set("next", next_json(page->next_after));
  return ApiResponse::json(200, body);
}

// The access and user reports: a summary of the whole history, and the
// events themselves page by page.
Result<ApiResponse> activity_report(AuditRoutes& routes, ApiRequest& request,
                                    const std::string& report, const std::string& subject) {
  TH_ASSIGN_OR_RETURN(subject_id, required_param(request, subject));
  TH_ASSIGN_OR_RETURN(filter, filter_from(request));
  TH_ASSIGN_OR_RETURN(page_request, page_from(request));
  const bool by_patient = report == "access";
  const auto grouping =
      by_patient ? audit::SummaryGrouping::kByActor : audit::SummaryGrouping::kByActivity;
  if (by_patient) {
    filter.patient_id = subject_id;
  } else {
    filter.user_id = subject_id;
  }
  audit::AuditEvent event = auditor_event(routes, request, "report", report, filter);
  auto summary = routes.query.summarize(filter, grouping);
  if (!summary.ok()) {
    return record_failure(routes, std::move(event), summary.error());
  }
  auto page = routes.query.search(filter, page_request.after, page_request.limit);
  if (!page.ok()) {
    return record_failure(routes, std::move(event), page.error());
  }
  name_patients(event, page->items);
  TH_RETURN_IF_ERROR(routes.access.audit.record(std::move(event)));

  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set(by_patient ? "patient_id" : "user_id", subject_id);
  body->set("summary", summary_json(*summary, grouping));
  body->set("items", events_json(page->items));
  body->set("next", next_json(page->next_after));
  return ApiResponse::json(200, body);
}

// What a grant was used for: the holder's emergency accesses to that
// patient while it was in force, without the event that opened it.
Result<Poco::JSON::Object::Ptr> grant_json(AuditRoutes& routes,
                                           const access::EmergencyGrant& grant) {
  audit::AuditFilter filter;
  filter.user_id = grant.user_id;
  filter.patient_id = grant.patient_id;
  filter.emergency_only = true;
  filter.from = grant.granted_at;
  filter.to = grant.expires_at;
  auto page = routes.query.search(filter, std::nullopt, audit::kMaxSearchLimit);
  if (!page.ok()) {
    return page.error();
  }
  std::vector<audit::StoredEvent> used;
  for (audit::StoredEvent& stored : page->items) {
    if (stored.event.action != "emergency_access") {
      used.push_back(std::move(stored));
    }
  }
  Poco::JSON::Object::Ptr object = emergency_grant_json(grant);
  object->set("access_count", static_cast<std::int64_t>(used.size()));
  object->set("accesses", events_json(used));
  object->set("accesses_truncated", page->next_after.has_value());
  return object;
}

Result<ApiResponse> emergency_report(AuditRoutes& routes, ApiRequest& request) {
  audit::AuditEvent event = auditor_event(routes, request, "report", "emergency", {});
  auto grants = routes.access.directory.list_emergency_grants(false);
  if (!grants.ok()) {
    return record_failure(routes, std::move(event), grants.error());
  }
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  std::int64_t pending = 0;
  for (const access::EmergencyGrant& grant : *grants) {
    auto object = grant_json(routes, grant);
    if (!object.ok()) {
      return record_failure(routes, std::move(event), object.error());
    }
    items->add(*object);
    event.patient_ids.push_back(grant.patient_id);
    pending += grant.review_state == "pending" ? 1 : 0;
  }
  TH_RETURN_IF_ERROR(routes.access.audit.record(std::move(event)));

  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  body->set("total", static_cast<std::int64_t>(grants->size()));
  body->set("pending_review", pending);
  return ApiResponse::json(200, body);
}

Result<ApiResponse> failed_logins_report(AuditRoutes& routes, ApiRequest& request) {
  audit::AuditFilter interval;
  TH_ASSIGN_OR_RETURN(from, time_param(request, "from", audit::TimeBound::kStart));
  TH_ASSIGN_OR_RETURN(to, time_param(request, "to", audit::TimeBound::kEnd));
  interval.from = from;
  interval.to = to;
  audit::AuditEvent event = auditor_event(routes, request, "report", "failed-logins", interval);
  auto groups = routes.query.failed_logins(interval);
  if (!groups.ok()) {
    return record_failure(routes, std::move(event), groups.error());
  }
  TH_RETURN_IF_ERROR(routes.access.audit.record(std::move(event)));

  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  std::int64_t total = 0;
  for (const audit::FailedLoginGroup& group : *groups) {
    Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
    row->set("actor_user_id", group.actor_user_id);
    row->set("source_address", group.source_address);
    row->set("count", group.count);
    row->set("first", time_text(group.first));
    row->set("last", time_text(group.last));
    Poco::JSON::Array::Ptr reasons = new Poco::JSON::Array;
    for (const std::string& reason : group.reasons) {
      reasons->add(reason);
    }
    row->set("reasons", reasons);
    items->add(row);
    total += group.count;
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  body->set("total", total);
  return ApiResponse::json(200, body);
}

// An export is a snapshot: the events up to the newest one when it was
// asked for, whatever arrives while it streams. Their number goes out in a
// header, so a client can tell a complete export from one cut short. The
// export is recorded, snapshot included, before its first byte is sent;
// the events are then read a page at a time, whatever their number.
Result<ApiResponse> export_audit_events(const std::shared_ptr<AuditRoutes>& routes,
                                        ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(filter, filter_from(request));
  const std::string format_name = request.query_value("format", "ndjson");
  TH_ASSIGN_OR_RETURN(format, audit::parse_export_format(format_name));
  TH_ASSIGN_OR_RETURN(newest, routes->query.last_seq());
  filter.through_seq = newest.value_or(-1);
  TH_ASSIGN_OR_RETURN(total, routes->query.count(filter));
  TH_RETURN_IF_ERROR(
      routes->access.audit.record(auditor_event(*routes, request, "export", format_name, filter)));

  ApiResponse response;
  response.content_type = std::string(audit::export_content_type(format));
  const std::string extension = format == audit::ExportFormat::kCsv ? "csv" : "ndjson";
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"audit-events." + extension + "\"");
  response.headers.emplace_back(kEventCountHeader, std::to_string(total));
  response.headers.emplace_back(kThroughSeqHeader, std::to_string(*filter.through_seq));
  response.stream = [routes, filter, format](std::ostream& out) {
    return audit::export_events(routes->query, filter, format, out);
  };
  return response;
}

}  // namespace

void add_audit_query_routes(Router& router, AccessServices& access, ServiceContext& context) {
  auto routes = std::make_shared<AuditRoutes>(
      AuditRoutes{access, context, audit::AuditQuery(*context.database)});
  const Access readers = Access::permission("audit.read");
  router.add("GET", "/api/v1/audit/events", readers,
             [routes](ApiRequest& request) { return search_events(*routes, request); });
  router.add("GET", "/api/v1/audit/reports/access", readers, [routes](ApiRequest& request) {
    return activity_report(*routes, request, "access", "patient");
  });
  router.add("GET", "/api/v1/audit/reports/user", readers, [routes](ApiRequest& request) {
    return activity_report(*routes, request, "user", "user");
  });
  router.add("GET", "/api/v1/audit/reports/emergency", readers,
             [routes](ApiRequest& request) { return emergency_report(*routes, request); });
  router.add("GET", "/api/v1/audit/reports/failed-logins", readers,
             [routes](ApiRequest& request) { return failed_logins_report(*routes, request); });
  router.add("GET", "/api/v1/audit/export", readers,
             [routes](ApiRequest& request) { return export_audit_events(routes, request); });
}

}  // namespace th::server
