// Slots: the start times a visit can be booked at. Within each availability
// window, starts fall on a grid of the practitioner's slot length counted
// from the window's start (09:00, 09:20, 09:40 for 20 minutes); a visit of
// any length may start at any grid point from which it ends inside the
// window, so a 40-minute new-patient visit takes two 20-minute slots.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "scheduling/time_window.h"

namespace th::scheduling {

struct SlotQuery {
  int slot_minutes = 20;
  int duration_minutes = 20;
  UnixMicros not_before = 0;  // no slot starting earlier (now, usually)
  UnixMicros not_after = 0;   // no slot starting later (the booking horizon)
};

// Free slots inside `windows` (sorted) overlapping none of `busy` (any
// order), in time order.
std::vector<TimeWindow> free_slots(const std::vector<TimeWindow>& windows,
                                   const std::vector<TimeWindow>& busy, const SlotQuery& query);

// Whether `visit` starts on the slot grid of one of `windows` and ends inside
// that window. Says nothing about other bookings.
bool fits_schedule(const std::vector<TimeWindow>& windows, const TimeWindow& visit,
                   int slot_minutes);

}  // namespace th::scheduling
