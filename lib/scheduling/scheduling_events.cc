// Names of the event kinds of appointment_events.h and queue_events.h.
#include "scheduling/appointment_events.h"
#include "scheduling/queue_events.h"

namespace th::scheduling {

std::string_view appointment_change_kind_name(AppointmentChangeKind kind) {
  switch (kind) {
    case AppointmentChangeKind::kBooked:
      return "booked";
    case AppointmentChangeKind::kRescheduled:
      return "rescheduled";
    case AppointmentChangeKind::kCancelled:
      return "cancelled";
    case AppointmentChangeKind::kStatusChanged:
      return "status_changed";
  }
  return "booked";
}

std::string_view queue_change_kind_name(QueueChangeKind kind) {
  switch (kind) {
    case QueueChangeKind::kJoined:
      return "joined";
    case QueueChangeKind::kLeft:
      return "left";
    case QueueChangeKind::kReordered:
      return "reordered";
    case QueueChangeKind::kFinished:
      return "finished";
  }
  return "joined";
}

}  // namespace th::scheduling
