#include "scheduling/slot_finder.h"

#include <algorithm>

#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

bool overlaps_any(const std::vector<TimeWindow>& busy, const TimeWindow& slot) {
  return std::ranges::any_of(busy, [&](const TimeWindow& taken) { return taken.overlaps(slot); });
}

}  // namespace

std::vector<TimeWindow> free_slots(const std::vector<TimeWindow>& windows,
                                   const std::vector<TimeWindow>& busy, const SlotQuery& query) {
  std::vector<TimeWindow> slots;
  const UnixMicros step = query.slot_minutes * kMicrosPerMinute;
  const UnixMicros length = query.duration_minutes * kMicrosPerMinute;
  if (step <= 0 || length <= 0) {
    return slots;
  }
  for (const TimeWindow& window : windows) {
    for (UnixMicros start = window.start; start + length <= window.end; start += step) {
      const TimeWindow slot{start, start + length};
      if (start >= query.not_before && start <= query.not_after && !overlaps_any(busy, slot)) {
        slots.push_back(slot);
      }
    }
  }
  return slots;
}

bool fits_schedule(const std::vector<TimeWindow>& windows, const TimeWindow& visit,
                   int slot_minutes) {
  const UnixMicros step = slot_minutes * kMicrosPerMinute;
  return step > 0 && std::ranges::any_of(windows, [&](const TimeWindow& window) {
           return window.contains(visit) && (visit.start - window.start) % step == 0;
         });
}

}  // namespace th::scheduling
