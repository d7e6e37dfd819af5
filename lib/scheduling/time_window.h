// TimeWindow: a half-open span of time [start, end) between two UTC instants,
// the unit availability and bookings are reasoned about in. A plain value.
#pragma once

#include "util/clock.h"

namespace th::scheduling {

struct TimeWindow {
  UnixMicros start = 0;
  UnixMicros end = 0;

  bool empty() const { return end <= start; }
  bool contains(const TimeWindow& inner) const { return start <= inner.start && inner.end <= end; }
  bool overlaps(const TimeWindow& other) const { return start < other.end && other.start < end; }
  bool operator==(const TimeWindow&) const = default;
};

}  // namespace th::scheduling
