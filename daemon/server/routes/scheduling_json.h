// JSON shapes of the scheduling types, and reading the time-related query
// parameters the scheduling routes share (tz, date, from, to). Times go out
// as RFC 3339 in the viewer's zone (the tz parameter, an IANA name), with
// the zone's name beside them; stored times are UTC.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>

#include "scheduling/appointment_view.h"
#include "scheduling/practitioner.h"
#include "scheduling/schedule_service.h"
#include "scheduling/time_zone.h"
#include "scheduling/visit_service.h"
#include "scheduling/visit_type.h"
#include "scheduling/weekly_availability.h"
#include "server/api_types.h"

namespace th::server {

Poco::JSON::Object::Ptr practitioner_json(const scheduling::Practitioner& practitioner);
Poco::JSON::Object::Ptr visit_type_json(const scheduling::VisitType& type);
Poco::JSON::Object::Ptr rule_json(const scheduling::WeeklyRule& rule);
Poco::JSON::Object::Ptr exception_json(const scheduling::AvailabilityException& exception);
Poco::JSON::Object::Ptr slot_json(const scheduling::Slot& slot, const scheduling::TimeZone& zone);
Poco::JSON::Object::Ptr appointment_json(const scheduling::AppointmentView& view,
                                         const scheduling::TimeZone& zone);
Poco::JSON::Object::Ptr queue_json(const scheduling::QueueView& queue,
                                   const scheduling::TimeZone& zone);

// {"items": [...], "time_zone": ...} for a listing of appointments.
ApiResponse appointments_response(const std::vector<scheduling::AppointmentView>& views,
                                  const scheduling::TimeZone& zone);

// The tz parameter, or `fallback` when absent.
Result<scheduling::TimeZone> viewer_zone(const ApiRequest& request,
                                         const std::string& fallback = "UTC");
// A YYYY-MM-DD query parameter; kInvalidArgument naming it when missing
// (unless optional) or malformed.
Result<std::optional<scheduling::LocalDate>> date_parameter(const ApiRequest& request,
                                                            const std::string& name);
// The span of local days first..last (inclusive) in `zone`.
scheduling::TimeWindow day_span(const scheduling::TimeZone& zone,
                                const scheduling::LocalDate& first,
                                const scheduling::LocalDate& last);

// "HH:MM" with minutes after midnight; "24:00" is the end of the day.
Result<int> parse_clock_time(const std::string& text, const std::string& field);
std::string format_clock_time(int minute_of_day);
// "monday" ... "sunday" (or 1 to 7) to ISO weekday numbers and back.
Result<int> parse_weekday(const Poco::Dynamic::Var& value);
std::string weekday_name(int weekday);

}  // namespace th::server
