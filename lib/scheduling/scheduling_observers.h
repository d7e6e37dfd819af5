// SchedulingObservers: the AppointmentEvents observers and QueueEvents
// publishers registered with the scheduling services, and the fan-out to
// them. Registration happens at start-up only (not thread-safe); the
// notifications may then come from any number of threads at once.
#pragma once

#include <soci/soci.h>

#include <vector>

#include "scheduling/appointment_events.h"
#include "scheduling/queue_events.h"

namespace th::scheduling {

class SchedulingObservers {
 public:
  void add(AppointmentEvents& observer) { appointment_observers_.push_back(&observer); }
  void add(QueueEvents& publisher) { queue_publishers_.push_back(&publisher); }

  // Inside the change's transaction: the first observer error stops and
  // rolls the change back.
  Status pending(soci::session& session, const AppointmentChange& change) const;
  void committed(const AppointmentChange& change) const;
  void queue_changed(const QueueChange& change) const;

 private:
  std::vector<AppointmentEvents*> appointment_observers_;
  std::vector<QueueEvents*> queue_publishers_;
};

}  // namespace th::scheduling
