// AppointmentView: an appointment as one caller may see it. The reason for
// the visit and for a cancellation are shown only when reason_visible (see
// AppointmentAccess); everything else of a viewable appointment is shown.
// A plain value.
#pragma once

#include "scheduling/appointment.h"

namespace th::scheduling {

struct AppointmentView {
  Appointment appointment;
  bool reason_visible = false;
};

}  // namespace th::scheduling
