#include "scheduling/waiting_queue.h"

#include <algorithm>
#include <tuple>

namespace th::scheduling {

void sort_queue(std::vector<Appointment>& waiting) {
  std::ranges::sort(waiting, [](const Appointment& a, const Appointment& b) {
    // Urgent first: false sorts before true, so compare the negations.
    return std::tie(b.urgent, a.starts_at, a.checked_in_at, a.id) <
           std::tie(a.urgent, b.starts_at, b.checked_in_at, b.id);
  });
}

std::vector<QueuePlace> build_queue(std::vector<Appointment> waiting,
                                    const std::optional<Appointment>& in_progress, UnixMicros now) {
  sort_queue(waiting);
  UnixMicros free_at = now;
  if (in_progress) {
    const UnixMicros booked_end =
        in_progress->started_at + (in_progress->ends_at - in_progress->starts_at);
    free_at = std::max(now, booked_end);
  }
  std::vector<QueuePlace> places;
  for (Appointment& appointment : waiting) {
    const UnixMicros begins =
        appointment.urgent ? free_at : std::max(free_at, appointment.starts_at);
    QueuePlace place;
    place.position = static_cast<int>(places.size()) + 1;
    place.estimated_wait_seconds = (begins - now) / 1'000'000;
    free_at = begins + (appointment.ends_at - appointment.starts_at);
    place.appointment = std::move(appointment);
    places.push_back(std::move(place));
  }
  return places;
}

}  // namespace th::scheduling
