#include "server/routes/scheduling_json.h"

#include <array>
#include <cstdio>

namespace th::server {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// Stored bookkeeping times (booked, checked in, ...) are instants too, shown
// in the viewer's zone like the visit's own; 0 means "not yet".
std::string instant_text(UnixMicros micros, const scheduling::TimeZone& zone) {
  return micros == 0 ? std::string() : zone.format_rfc3339(micros);
}

}  // namespace

Poco::JSON::Object::Ptr practitioner_json(const scheduling::Practitioner& practitioner) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("user_id", practitioner.user_id);
  object->set("npi", practitioner.npi);
  Poco::JSON::Array::Ptr states = new Poco::JSON::Array;
  for (const std::string& state : practitioner.license_states) {
    states->add(state);
  }
  object->set("license_states", states);
  object->set("time_zone", practitioner.time_zone);
  object->set("slot_minutes", practitioner.slot_minutes);
  object->set("display_name", practitioner.display_name);
  return object;
}

Poco::JSON::Object::Ptr visit_type_json(const scheduling::VisitType& type) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("code", type.code);
  object->set("name", type.name);
  object->set("duration_minutes", type.duration_minutes);
  object->set("active", type.active);
  return object;
}

Poco::JSON::Object::Ptr rule_json(const scheduling::WeeklyRule& rule) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("weekday", weekday_name(rule.weekday));
  object->set("start", format_clock_time(rule.start_minute));
  object->set("end", format_clock_time(rule.end_minute));
  return object;
}

Poco::JSON::Object::Ptr exception_json(const scheduling::AvailabilityException& exception) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", exception.id);
  object->set("date", scheduling::format_local_date(exception.date));
  object->set("kind", std::string(scheduling::exception_kind_name(exception.kind)));
  object->set("start", format_clock_time(exception.start_minute));
  object->set("end", format_clock_time(exception.end_minute));
  return object;
}

Poco::JSON::Object::Ptr slot_json(const scheduling::Slot& slot, const scheduling::TimeZone& zone) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("practitioner_id", slot.practitioner_id);
  object->set("start", zone.format_rfc3339(slot.window.start));
  object->set("end", zone.format_rfc3339(slot.window.end));
  return object;
}

Poco::JSON::Object::Ptr appointment_json(const scheduling::AppointmentView& view,
                                         const scheduling::TimeZone& zone) {
  const scheduling::Appointment& appointment = view.appointment;
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("id", appointment.id);
  object->set("practitioner_id", appointment.practitioner_id);
  object->set("patient_id", appointment.patient_id);
  object->set("visit_type", appointment.visit_type);
  object->set("start", zone.format_rfc3339(appointment.starts_at));
  object->set("end", zone.format_rfc3339(appointment.ends_at));
  object->set("time_zone", zone.name());
  object->set("status", std::string(scheduling::appointment_status_name(appointment.status)));
  object->set("urgent", appointment.urgent);
  object->set("booked_by", appointment.booked_by);
  object->set("booked_at", instant_text(appointment.booked_at, zone));
  object->set("checked_in_at", instant_text(appointment.checked_in_at, zone));
  object->set("started_at", instant_text(appointment.started_at, zone));
  object->set("completed_at", instant_text(appointment.completed_at, zone));
  object->set("no_show_at", instant_text(appointment.no_show_at, zone));
  object->set("cancelled_at", instant_text(appointment.cancelled_at, zone));
  object->set("cancelled_by", appointment.cancelled_by);
  object->set("version", appointment.version);
  // Clinical text only for those in the patient's clinical scope.
  if (view.reason_visible) {
    object->set("reason", appointment.reason);
    object->set("cancel_reason", appointment.cancel_reason);
  }
  return object;
}

Poco::JSON::Object::Ptr queue_json(const scheduling::QueueView& queue,
                                   const scheduling::TimeZone& zone) {
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (std::size_t i = 0; i < queue.places.size(); ++i) {
    const scheduling::QueuePlace& place = queue.places[i];
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("position", place.position);
    item->set("estimated_wait_seconds", place.estimated_wait_seconds);
    item->set("appointment", appointment_json({place.appointment, queue.reason_visible[i]}, zone));
    items->add(item);
  }
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("items", items);
  object->set("time_zone", zone.name());
  if (queue.in_progress) {
    object->set("in_progress", appointment_json({*queue.in_progress, false}, zone));
  }
  return object;
}

ApiResponse appointments_response(const std::vector<scheduling::AppointmentView>& views,
                                  const scheduling::TimeZone& zone) {
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const scheduling::AppointmentView& view : views) {
    items->add(appointment_json(view, zone));
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("items", items);
  body->set("time_zone", zone.name());
  return ApiResponse::json(200, body);
}

Result<scheduling::TimeZone> viewer_zone(const ApiRequest& request, const std::string& fallback) {
  return scheduling::TimeZone::load(request.query_value("tz", fallback));
}

Result<std::optional<scheduling::LocalDate>> date_parameter(const ApiRequest& request,
                                                            const std::string& name) {
  const std::string text = request.query_value(name);
  if (text.empty()) {
    return std::optional<scheduling::LocalDate>();
  }
  auto date = scheduling::parse_local_date(text);
  if (!date.ok()) {
    return date.error().with_context("parameter '" + name + "'");
  }
  return std::optional<scheduling::LocalDate>(*date);
}

scheduling::TimeWindow day_span(const scheduling::TimeZone& zone,
                                const scheduling::LocalDate& first,
                                const scheduling::LocalDate& last) {
  return scheduling::TimeWindow{zone.to_utc(first, 0),
                                zone.to_utc(scheduling::add_days(last, 1), 0)};
}

Result<int> parse_clock_time(const std::string& text, const std::string& field) {
  int hours = 0;
  int minutes = 0;
  char tail = 0;
  if (text.size() != 5 || text[2] != ':' ||
      std::sscanf(text.c_str(), "%2d:%2d%c", &hours, &minutes, &tail) != 2 || hours < 0 ||
      minutes < 0 || minutes > 59 || hours * 60 + minutes > 1440) {
    return Error(ErrorCode::kInvalidArgument, "field '" + field + "' must be a time HH:MM");
  }
  return hours * 60 + minutes;
}

std::string format_clock_time(int minute_of_day) {
  char text[24];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return text;
}

Result<int> parse_weekday(const Poco::Dynamic::Var& value) {
  const Error invalid(ErrorCode::kInvalidArgument,
                      "weekday must be monday ... sunday, or 1 (Monday) to 7 (Sunday)");
  if (value.isInteger()) {
    const int number = value.convert<int>();
    return number >= 1 && number <= 7 ? Result<int>(number) : Result<int>(invalid);
  }
  if (value.isString()) {
    const std::string name = value.extract<std::string>();
    for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
      if (kWeekdays[i] == name) {
        return static_cast<int>(i) + 1;
      }
    }
  }
  return invalid;
}

std::string weekday_name(int weekday) {
  return weekday >= 1 && weekday <= 7 ? std::string(kWeekdays[weekday - 1]) : "monday";
}

}  // namespace th::server
