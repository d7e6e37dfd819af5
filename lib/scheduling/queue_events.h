// QueueEvents: the waiting-room changes the real-time hub pushes to
// browsers. A publisher gets one QueueChange per change of a practitioner's
// queue, after the change has committed, from the request thread that made
// it. It should hand the change off (to a queue or a socket loop) and
// return: it must not block the request or fail it.
//
// A change names the practitioner and the appointment, nothing personal. A
// subscriber re-reads the queue through the API, whose permission and scope
// checks decide what each viewer sees (a patient sees their own place, staff
// the whole queue). Only this daemon's changes are published here; the
// real-time hub's publisher announces them to the other daemons sharing a
// PostgreSQL database (NOTIFY), whose hubs tell their own sockets.
// Publishers are registered at start-up and must be thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"

namespace th::scheduling {

enum class QueueChangeKind {
  kJoined,     // a patient checked in
  kLeft,       // the visit started, or the patient was cancelled or marked absent
  kReordered,  // urgency changed
  kFinished,   // the visit in progress completed: estimates move up
};

std::string_view queue_change_kind_name(QueueChangeKind kind);

struct QueueChange {
  std::string practitioner_id;
  std::string appointment_id;
  QueueChangeKind kind = QueueChangeKind::kJoined;
  UnixMicros at = 0;
};

class QueueEvents {
 public:
  virtual ~QueueEvents() = default;
  virtual void queue_changed(const QueueChange& change) = 0;
};

}  // namespace th::scheduling
