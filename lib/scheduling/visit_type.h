// VisitType: a kind of visit the clinic books, with its length ("new_patient",
// 40 minutes; "follow_up", 20 minutes). Clinic-wide; a practitioner's slots
// are the grid its visits start on. A plain value.
#pragma once

#include <string>

#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

struct VisitType {
  std::string code;  // [a-z0-9_], 1 to 32 characters
  std::string name;  // shown to people, 1 to 80 characters
  int duration_minutes = 20;
  bool active = true;  // inactive types stay on old appointments but cannot be booked
  UnixMicros updated_at = 0;
};

// kInvalidArgument naming the field; durations are 5 to 480 minutes in
// steps of 5.
[[nodiscard]] Status validate_visit_type(const VisitType& type);

}  // namespace th::scheduling
