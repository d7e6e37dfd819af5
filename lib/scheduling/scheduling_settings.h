// SchedulingSettings: the [scheduling] configuration as the scheduling
// services use it. A plain value, read-only once built.
#pragma once

namespace th::scheduling {

struct SchedulingSettings {
  // Check-in opens this many minutes before an appointment's start.
  int check_in_opens_minutes = 30;
  // How far ahead a visit may be booked.
  int booking_horizon_days = 180;
  // A guest link stays valid until this many minutes after the visit's end.
  int guest_link_grace_minutes = 30;
  // How long a redeemed guest link's session lasts (never past the link's
  // own expiry).
  int guest_session_minutes = 120;
};

// The longest span one slot search or schedule listing may cover.
inline constexpr int kMaxSearchDays = 31;

}  // namespace th::scheduling
