// The waiting room of one practitioner: the checked-in patients in the order
// they will be seen, each with a position and an estimated wait.
//
// Order: urgent patients first; then by appointment start; then by check-in
// time; the appointment id breaks remaining ties so the order is total.
// The estimate walks the queue in order: the practitioner is free once the
// visit in progress reaches its booked length (or now, if it already has),
// each waiting visit starts when the practitioner is free but not before its
// booked start (urgent ones are seen as soon as the practitioner is free),
// and takes its booked length.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduling/appointment.h"
#include "util/clock.h"

namespace th::scheduling {

struct QueuePlace {
  Appointment appointment;
  int position = 0;  // 1 for the next patient
  std::int64_t estimated_wait_seconds = 0;
};

// Sorts by the queue order above.
void sort_queue(std::vector<Appointment>& waiting);

// The queue of `waiting` (checked-in appointments, any order) behind
// `in_progress` (the visit under way, if any), estimated at `now`.
std::vector<QueuePlace> build_queue(std::vector<Appointment> waiting,
                                    const std::optional<Appointment>& in_progress, UnixMicros now);

}  // namespace th::scheduling
