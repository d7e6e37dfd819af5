#include "scheduling/schedule_calendar.h"

#include "scheduling/slot_finder.h"
#include "scheduling/weekly_availability.h"

namespace th::scheduling {

Result<std::vector<TimeWindow>> ScheduleCalendar::windows(soci::session& session,
                                                          const Practitioner& practitioner,
                                                          const TimeWindow& span) {
  auto zone = TimeZone::load(practitioner.time_zone);
  if (!zone.ok()) {
    return zone.error();
  }
  // Local dates a day wider than the span: a date's window may begin before
  // the span in UTC yet overlap it.
  const LocalDate first = add_days(zone->to_local(span.start).date, -1);
  const LocalDate last = add_days(zone->to_local(span.end).date, 1);
  const std::vector<WeeklyRule> rules = availability_.rules(session, practitioner.user_id);
  auto exceptions = availability_.exceptions(session, practitioner.user_id, first, last);
  if (!exceptions.ok()) {
    return exceptions.error();
  }
  std::vector<TimeWindow> overlapping;
  for (const TimeWindow& window : availability_windows(rules, *exceptions, *zone, first, last)) {
    if (window.overlaps(span)) {
      overlapping.push_back(window);
    }
  }
  return overlapping;
}

Status ScheduleCalendar::check_fits(soci::session& session, const Practitioner& practitioner,
                                    const TimeWindow& visit) {
  auto open = windows(session, practitioner, visit);
  if (!open.ok()) {
    return open.error();
  }
  if (!fits_schedule(*open, visit, practitioner.slot_minutes)) {
    return Error(ErrorCode::kFailedPrecondition,
                 "outside_availability: the practitioner has no slot starting then for a visit "
                 "of that length");
  }
  return ok_status();
}

}  // namespace th::scheduling
