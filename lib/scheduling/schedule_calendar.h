// ScheduleCalendar: a practitioner's availability as UTC windows over a span
// of time, read from the stored rules and exceptions and computed in the
// practitioner's time zone; and whether a visit fits it. Shared by slot
// search, booking and rescheduling so that all three agree on the grid.
// Reads on the caller's session; thread-safe.
#pragma once

#include <soci/soci.h>

#include <vector>

#include "scheduling/availability_store.h"
#include "scheduling/practitioner.h"
#include "scheduling/time_window.h"

namespace th::scheduling {

class ScheduleCalendar {
 public:
  explicit ScheduleCalendar(AvailabilityStore& availability) : availability_(availability) {}

  // The windows overlapping `span`, whole (a window that begins before the
  // span keeps its start, so its slot grid is unchanged). kInvalidArgument
  // when the practitioner's stored zone no longer loads.
  Result<std::vector<TimeWindow>> windows(soci::session& session, const Practitioner& practitioner,
                                          const TimeWindow& span);

  // kFailedPrecondition "outside_availability" unless the visit starts on
  // the slot grid of an availability window and ends inside it.
  Status check_fits(soci::session& session, const Practitioner& practitioner,
                    const TimeWindow& visit);

 private:
  AvailabilityStore& availability_;
};

}  // namespace th::scheduling
