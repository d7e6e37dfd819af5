#include "server/routes/schedule_routes.h"

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/routes/scheduling_json.h"

namespace th::server {
namespace {

using scheduling::SchedulingServices;

// The days an availability listing covers when none are asked for.
constexpr int kDefaultListingDays = 28;

// A field of state codes, written "CA,OR" or ["CA", "OR"]; an absent
// field gives none when optional.
Result<std::vector<std::string>> license_states(const Poco::JSON::Object::Ptr& body,
                                                const std::string& field, bool required) {
  if (!body->has(field)) {
    if (!required) {
      return std::vector<std::string>();
    }
    return Error(ErrorCode::kInvalidArgument, "field '" + field + "' is required");
  }
  const Poco::Dynamic::Var value = body->get(field);
  if (value.isString()) {
    return scheduling::parse_license_states(value.extract<std::string>());
  }
  Poco::JSON::Array::Ptr array = body->getArray(field);
  if (array.isNull()) {
    return Error(ErrorCode::kInvalidArgument,
                 "field '" + field + "' must be a list of state codes");
  }
  std::string joined;
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (!array->get(i).isString()) {
      return Error(ErrorCode::kInvalidArgument, "license states must be strings");
    }
    joined += array->getElement<std::string>(i) + ",";
  }
  return scheduling::parse_license_states(joined);
}

Result<ApiResponse> put_practitioner(SchedulingServices& scheduling, ServiceContext& context,
                                     ApiRequest& request) {
  TH_JSON_BODY(body, request);
  scheduling::Practitioner profile;
  TH_ASSIGN_OR_RETURN(npi, required_string(body, "npi"));
  TH_ASSIGN_OR_RETURN(states, license_states(body, "license_states", true));
  TH_ASSIGN_OR_RETURN(zone, required_string(body, "time_zone"));
  TH_ASSIGN_OR_RETURN(slot, optional_integer(body, "slot_minutes", profile.slot_minutes));
  TH_ASSIGN_OR_RETURN(display_name, optional_string(body, "display_name"));
  profile.npi = npi;
  profile.license_states = states;
  profile.time_zone = zone;
  profile.slot_minutes = static_cast<int>(slot);
  profile.display_name = display_name;
  TH_ASSIGN_OR_RETURN(stored, scheduling.schedule.put_practitioner(
                                  request.path_params["id"], profile, caller_of(request, context)));
  return ApiResponse::json(200, practitioner_json(stored));
}

// {"add": states, "remove": states}: one change, applied whole or not at all.
Result<ApiResponse> change_licenses(SchedulingServices& scheduling, ServiceContext& context,
                                    ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(added, license_states(body, "add", false));
  TH_ASSIGN_OR_RETURN(removed, license_states(body, "remove", false));
  TH_ASSIGN_OR_RETURN(changed,
                      scheduling.schedule.change_licenses(request.path_params["id"], added, removed,
                                                          caller_of(request, context)));
  return ApiResponse::json(200, practitioner_json(changed));
}

Result<ApiResponse> list_practitioners(SchedulingServices& scheduling) {
  TH_ASSIGN_OR_RETURN(practitioners, scheduling.schedule.list_practitioners());
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& practitioner : practitioners) {
    items->add(practitioner_json(practitioner));
  }
  return items_response(items);
}

Result<ApiResponse> show_practitioner(SchedulingServices& scheduling, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(practitioner,
                      scheduling.schedule.find_practitioner(request.path_params["id"]));
  return ApiResponse::json(200, practitioner_json(practitioner));
}

// ---- availability ----

Result<ApiResponse> show_availability(SchedulingServices& scheduling, ServiceContext& context,
                                      ApiRequest& request) {
  const std::string& id = request.path_params["id"];
  TH_ASSIGN_OR_RETURN(practitioner, scheduling.schedule.find_practitioner(id));
  TH_ASSIGN_OR_RETURN(zone, scheduling::TimeZone::load(practitioner.time_zone));
  TH_ASSIGN_OR_RETURN(from, date_parameter(request, "from"));
  TH_ASSIGN_OR_RETURN(to, date_parameter(request, "to"));
  const scheduling::LocalDate first =
      from ? *from : zone.to_local(context.clock->now_micros()).date;
  const scheduling::LocalDate last =
      to ? *to : scheduling::add_days(first, kDefaultListingDays - 1);
  TH_ASSIGN_OR_RETURN(availability, scheduling.schedule.availability(id, first, last));

  Poco::JSON::Array::Ptr rules = new Poco::JSON::Array;
  for (const auto& rule : availability.rules) {
    rules->add(rule_json(rule));
  }
  Poco::JSON::Array::Ptr exceptions = new Poco::JSON::Array;
  for (const auto& exception : availability.exceptions) {
    exceptions->add(exception_json(exception));
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("practitioner", practitioner_json(availability.practitioner));
  body->set("time_zone", availability.practitioner.time_zone);
  body->set("rules", rules);
  body->set("exceptions", exceptions);
  return ApiResponse::json(200, body);
}

Result<std::vector<scheduling::WeeklyRule>> weekly_rules(const Poco::JSON::Object::Ptr& body) {
  Poco::JSON::Array::Ptr array = body->getArray("rules");
  if (array.isNull()) {
    return Error(ErrorCode::kInvalidArgument, "field 'rules' must be a list");
  }
  std::vector<scheduling::WeeklyRule> rules;
  for (std::size_t i = 0; i < array->size(); ++i) {
    Poco::JSON::Object::Ptr item = array->getObject(static_cast<unsigned>(i));
    if (item.isNull() || !item->has("weekday")) {
      return Error(ErrorCode::kInvalidArgument, "each rule needs weekday, start and end");
    }
    TH_ASSIGN_OR_RETURN(weekday, parse_weekday(item->get("weekday")));
    TH_ASSIGN_OR_RETURN(start_text, required_string(item, "start"));
    TH_ASSIGN_OR_RETURN(end_text, required_string(item, "end"));
    TH_ASSIGN_OR_RETURN(start, parse_clock_time(start_text, "start"));
    TH_ASSIGN_OR_RETURN(end, parse_clock_time(end_text, "end"));
    rules.push_back(scheduling::WeeklyRule{weekday, start, end});
  }
  return rules;
}

Result<ApiResponse> put_availability(SchedulingServices& scheduling, ServiceContext& context,
                                     ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(rules, weekly_rules(body));
  std::optional<int> slot_minutes;
  if (body->has("slot_minutes")) {
    TH_ASSIGN_OR_RETURN(slot, optional_integer(body, "slot_minutes", 0));
    slot_minutes = static_cast<int>(slot);
  }
  TH_RETURN_IF_ERROR(scheduling.schedule.set_weekly_rules(
      request.path_params["id"], rules, slot_minutes, caller_of(request, context)));
  return show_availability(scheduling, context, request);
}

Result<ApiResponse> add_exception(SchedulingServices& scheduling, ServiceContext& context,
                                  ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(date_text, required_string(body, "date"));
  TH_ASSIGN_OR_RETURN(kind_text, required_string(body, "kind"));
  TH_ASSIGN_OR_RETURN(start_text, optional_string(body, "start"));
  TH_ASSIGN_OR_RETURN(end_text, optional_string(body, "end"));
  TH_ASSIGN_OR_RETURN(date, scheduling::parse_local_date(date_text));
  TH_ASSIGN_OR_RETURN(kind, scheduling::parse_exception_kind(kind_text));
  scheduling::AvailabilityException exception;
  exception.date = date;
  exception.kind = kind;
  if (!start_text.empty()) {
    TH_ASSIGN_OR_RETURN(start, parse_clock_time(start_text, "start"));
    exception.start_minute = start;
  }
  if (!end_text.empty()) {
    TH_ASSIGN_OR_RETURN(end, parse_clock_time(end_text, "end"));
    exception.end_minute = end;
  }
  TH_ASSIGN_OR_RETURN(added, scheduling.schedule.add_exception(request.path_params["id"], exception,
                                                               caller_of(request, context)));
  return ApiResponse::json(201, exception_json(added));
}

Result<ApiResponse> remove_exception(SchedulingServices& scheduling, ServiceContext& context,
                                     ApiRequest& request) {
  return status_response(scheduling.schedule.remove_exception(
      request.path_params["id"], request.path_params["exception"], caller_of(request, context)));
}

// ---- visit types ----

Result<ApiResponse> list_visit_types(SchedulingServices& scheduling) {
  TH_ASSIGN_OR_RETURN(types, scheduling.schedule.list_visit_types());
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& type : types) {
    items->add(visit_type_json(type));
  }
  return items_response(items);
}

Result<ApiResponse> put_visit_type(SchedulingServices& scheduling, ServiceContext& context,
                                   ApiRequest& request) {
  TH_JSON_BODY(body, request);
  scheduling::VisitType type;
  type.code = request.path_params["code"];
  TH_ASSIGN_OR_RETURN(name, required_string(body, "name"));
  TH_ASSIGN_OR_RETURN(duration, optional_integer(body, "duration_minutes", 0));
  TH_ASSIGN_OR_RETURN(active, optional_bool(body, "active", true));
  type.name = name;
  type.duration_minutes = static_cast<int>(duration);
  type.active = active;
  TH_RETURN_IF_ERROR(scheduling.schedule.put_visit_type(type, caller_of(request, context)));
  return ApiResponse::json(200, visit_type_json(type));
}

// ---- slots and the day ----

Result<ApiResponse> search_slots(SchedulingServices& scheduling, ServiceContext& context,
                                 ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(from, date_parameter(request, "from"));
  TH_ASSIGN_OR_RETURN(to, date_parameter(request, "to"));
  if (!from) {
    return Error(ErrorCode::kInvalidArgument, "parameter 'from' (YYYY-MM-DD) is required");
  }
  scheduling::SlotSearch search;
  search.visit_type = request.query_value("visit_type");
  search.practitioner_id = request.query_value("practitioner");
  search.patient_id = request.query_value("patient");
  if (search.visit_type.empty()) {
    return Error(ErrorCode::kInvalidArgument, "parameter 'visit_type' is required");
  }
  search.span = day_span(zone, *from, to ? *to : *from);
  TH_ASSIGN_OR_RETURN(slots, scheduling.schedule.search_slots(search, caller_of(request, context)));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& slot : slots) {
    items->add(slot_json(slot, zone));
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  body->set("time_zone", zone.name());
  return ApiResponse::json(200, body);
}

Result<ApiResponse> day_schedule(SchedulingServices& scheduling, ServiceContext& context,
                                 ApiRequest& request) {
  // Refused before anything is looked up: patients learn nothing here, not
  // even which practitioners exist (the service refuses them as well).
  if (scheduling::AppointmentAccess::is_patient(request.principal)) {
    return Error(ErrorCode::kPermissionDenied, "not_permitted: the day schedule is for staff");
  }
  const std::string& id = request.path_params["id"];
  TH_ASSIGN_OR_RETURN(practitioner, scheduling.schedule.find_practitioner(id));
  // The day is the viewer's when a zone is given, else the practitioner's.
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request, practitioner.time_zone));
  TH_ASSIGN_OR_RETURN(date, date_parameter(request, "date"));
  const scheduling::LocalDate day = date ? *date : zone.to_local(context.clock->now_micros()).date;
  TH_ASSIGN_OR_RETURN(views, scheduling.bookings.day_schedule(id, day_span(zone, day, day),
                                                              caller_of(request, context)));
  return appointments_response(views, zone);
}

}  // namespace

void add_schedule_routes(Router& router, SchedulingServices& scheduling, ServiceContext& context) {
  const Access read = Access::permission("appointment.read");
  const Access manage = Access::permission("schedule.manage");
  router.add("GET", "/api/v1/practitioners", read,
             [&](ApiRequest&) { return list_practitioners(scheduling); });
  router.add("GET", "/api/v1/practitioners/{id}", read,
             [&](ApiRequest& request) { return show_practitioner(scheduling, request); });
  // Licensure and NPI are credentialing: the people administrators' right.
  router.add("PUT", "/api/v1/practitioners/{id}", Access::permission("user.manage"),
             [&](ApiRequest& request) { return put_practitioner(scheduling, context, request); });
  router.add("POST", "/api/v1/practitioners/{id}/licenses", Access::permission("user.manage"),
             [&](ApiRequest& request) { return change_licenses(scheduling, context, request); });
  router.add("GET", "/api/v1/practitioners/{id}/availability", read,
             [&](ApiRequest& request) { return show_availability(scheduling, context, request); });
  router.add("PUT", "/api/v1/practitioners/{id}/availability", manage,
             [&](ApiRequest& request) { return put_availability(scheduling, context, request); });
  router.add("POST", "/api/v1/practitioners/{id}/exceptions", manage,
             [&](ApiRequest& request) { return add_exception(scheduling, context, request); });
  router.add("DELETE", "/api/v1/practitioners/{id}/exceptions/{exception}", manage,
             [&](ApiRequest& request) { return remove_exception(scheduling, context, request); });
  router.add("GET", "/api/v1/practitioners/{id}/schedule", read,
             [&](ApiRequest& request) { return day_schedule(scheduling, context, request); });
  router.add("GET", "/api/v1/visit-types", read,
             [&](ApiRequest&) { return list_visit_types(scheduling); });
  router.add("PUT", "/api/v1/visit-types/{code}", manage,
             [&](ApiRequest& request) { return put_visit_type(scheduling, context, request); });
  router.add("GET", "/api/v1/slots", read,
             [&](ApiRequest& request) { return search_slots(scheduling, context, request); });
}

}  // namespace th::server
