#include "notify/appointment_summary.h"

namespace th::notify {

std::string_view appointment_event_kind_name(AppointmentEventKind kind) {
  switch (kind) {
    case AppointmentEventKind::kBooked:
      return "booked";
    case AppointmentEventKind::kRescheduled:
      return "rescheduled";
    case AppointmentEventKind::kCancelled:
      return "cancelled";
  }
  return "booked";
}

}  // namespace th::notify
