// CalendarEntry: one appointment as a practitioner's calendar feed shows it.
// A plain value.
#pragma once

#include <cstdint>
#include <string>

#include "util/clock.h"

namespace th::notify {

struct CalendarEntry {
  std::string appointment_id;
  std::string practitioner_id;
  std::string patient_id;
  UnixMicros starts_at = 0;
  UnixMicros ends_at = 0;
  std::int64_t sequence = 0;  // the appointment's version
  bool cancelled = false;
  // Who the visit is with, as the feed may name them: the patient's
  // initials, or empty when feeds name no patient. Personal; sealed at rest.
  std::string attendee_label;
  UnixMicros updated_at = 0;  // when this version was made (DTSTAMP)
};

}  // namespace th::notify
