#include "server/routes/appointment_routes.h"

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"
#include "server/routes/scheduling_json.h"

namespace th::server {
namespace {

using scheduling::SchedulingServices;

Result<ApiResponse> book(SchedulingServices& scheduling, ServiceContext& context,
                         ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  scheduling::BookingRequest booking;
  TH_ASSIGN_OR_RETURN(practitioner, required_string(body, "practitioner_id"));
  TH_ASSIGN_OR_RETURN(patient, optional_string(body, "patient_id"));
  TH_ASSIGN_OR_RETURN(type, required_string(body, "visit_type"));
  TH_ASSIGN_OR_RETURN(start_text, required_string(body, "start"));
  TH_ASSIGN_OR_RETURN(reason, optional_string(body, "reason"));
  TH_ASSIGN_OR_RETURN(start, scheduling::parse_rfc3339(start_text));
  booking.practitioner_id = practitioner;
  booking.patient_id = patient;
  booking.visit_type = type;
  booking.starts_at = start;
  booking.reason = reason;
  TH_ASSIGN_OR_RETURN(booked, scheduling.bookings.book(booking, caller_of(request, context)));
  return ApiResponse::json(201, appointment_json(booked, zone));
}

Result<ApiResponse> list(SchedulingServices& scheduling, ServiceContext& context,
                         ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(date, date_parameter(request, "date"));
  TH_ASSIGN_OR_RETURN(from, date_parameter(request, "from"));
  TH_ASSIGN_OR_RETURN(to, date_parameter(request, "to"));
  scheduling::AppointmentQuery query;
  query.practitioner_id = request.query_value("practitioner");
  query.patient_id = request.query_value("patient");
  query.status = request.query_value("status");
  if (date) {
    query.span = day_span(zone, *date, *date);
  } else {
    query.span.start = from ? zone.to_utc(*from, 0) : 0;
    query.span.end = to ? zone.to_utc(scheduling::add_days(*to, 1), 0) : 0;
  }
  TH_ASSIGN_OR_RETURN(views, scheduling.bookings.list(query, caller_of(request, context)));
  return appointments_response(views, zone);
}

Result<ApiResponse> show(SchedulingServices& scheduling, ServiceContext& context,
                         ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(
      view, scheduling.bookings.find(request.path_params["id"], caller_of(request, context)));
  return ApiResponse::json(200, appointment_json(view, zone));
}

Result<ApiResponse> reschedule(SchedulingServices& scheduling, ServiceContext& context,
                               ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(start_text, required_string(body, "start"));
  TH_ASSIGN_OR_RETURN(start, scheduling::parse_rfc3339(start_text));
  TH_ASSIGN_OR_RETURN(moved, scheduling.bookings.reschedule(request.path_params["id"], start,
                                                            caller_of(request, context)));
  return ApiResponse::json(200, appointment_json(moved, zone));
}

Result<ApiResponse> cancel(SchedulingServices& scheduling, ServiceContext& context,
                           ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(reason, required_string(body, "reason"));
  TH_ASSIGN_OR_RETURN(cancelled, scheduling.bookings.cancel(request.path_params["id"], reason,
                                                            caller_of(request, context)));
  return ApiResponse::json(200, appointment_json(cancelled, zone));
}

using VisitStep = Result<scheduling::AppointmentView> (scheduling::VisitService::*)(
    const std::string&, const access::Caller&);

Result<ApiResponse> visit_step(SchedulingServices& scheduling, ServiceContext& context,
                               ApiRequest& request, VisitStep step) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(
      changed, (scheduling.visits.*step)(request.path_params["id"], caller_of(request, context)));
  return ApiResponse::json(200, appointment_json(changed, zone));
}

Result<ApiResponse> set_urgency(SchedulingServices& scheduling, ServiceContext& context,
                                ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  if (!body->has("urgent")) {
    return Error(ErrorCode::kInvalidArgument, "field 'urgent' is required");
  }
  TH_ASSIGN_OR_RETURN(urgent, optional_bool(body, "urgent", false));
  TH_ASSIGN_OR_RETURN(changed, scheduling.visits.set_urgent(request.path_params["id"], urgent,
                                                            caller_of(request, context)));
  return ApiResponse::json(200, appointment_json(changed, zone));
}

Result<ApiResponse> queue(SchedulingServices& scheduling, ServiceContext& context,
                          ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(zone, viewer_zone(request));
  TH_ASSIGN_OR_RETURN(
      places, scheduling.visits.queue(request.path_params["id"], caller_of(request, context)));
  return ApiResponse::json(200, queue_json(places, zone));
}

}  // namespace

void add_appointment_routes(Router& router, SchedulingServices& scheduling,
                            ServiceContext& context) {
  const Access read = Access::permission("appointment.read");
  const Access write = Access::permission("appointment.write");
  router.add("POST", "/api/v1/appointments", write,
             [&](ApiRequest& request) { return book(scheduling, context, request); });
  router.add("GET", "/api/v1/appointments", read,
             [&](ApiRequest& request) { return list(scheduling, context, request); });
  router.add("GET", "/api/v1/appointments/{id}", read,
             [&](ApiRequest& request) { return show(scheduling, context, request); });
  router.add("POST", "/api/v1/appointments/{id}/reschedule", write,
             [&](ApiRequest& request) { return reschedule(scheduling, context, request); });
  router.add("POST", "/api/v1/appointments/{id}/cancel", write,
             [&](ApiRequest& request) { return cancel(scheduling, context, request); });
  using Visits = scheduling::VisitService;
  const std::pair<const char*, VisitStep> steps[] = {
      {"/api/v1/appointments/{id}/check-in", &Visits::check_in},
      {"/api/v1/appointments/{id}/start", &Visits::start},
      {"/api/v1/appointments/{id}/complete", &Visits::complete},
      {"/api/v1/appointments/{id}/no-show", &Visits::no_show},
  };
  for (const auto& [pattern, step] : steps) {
    router.add("POST", pattern, write, [&scheduling, &context, step = step](ApiRequest& request) {
      return visit_step(scheduling, context, request, step);
    });
  }
  router.add("POST", "/api/v1/appointments/{id}/urgency", write,
             [&](ApiRequest& request) { return set_urgency(scheduling, context, request); });
  router.add("GET", "/api/v1/practitioners/{id}/queue", read,
             [&](ApiRequest& request) { return queue(scheduling, context, request); });
}

}  // namespace th::server
