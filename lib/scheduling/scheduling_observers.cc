#include "scheduling/scheduling_observers.h"

namespace th::scheduling {

Status SchedulingObservers::pending(soci::session& session, const AppointmentChange& change) const {
  for (AppointmentEvents* observer : appointment_observers_) {
    TH_RETURN_IF_ERROR(observer->on_change_pending(session, change));
  }
  return ok_status();
}

void SchedulingObservers::committed(const AppointmentChange& change) const {
  for (AppointmentEvents* observer : appointment_observers_) {
    observer->on_change_committed(change);
  }
}

void SchedulingObservers::queue_changed(const QueueChange& change) const {
  for (QueueEvents* publisher : queue_publishers_) {
    publisher->queue_changed(change);
  }
}

}  // namespace th::scheduling
