// CalendarEvent: one appointment as an iCalendar VEVENT, and the two
// documents events travel in: the one-event invitation attached to an email
// (iTIP, RFC 5546: METHOD:REQUEST, or METHOD:CANCEL once cancelled) and a
// subscription feed of many events (no METHOD).
//
// An event carries what a calendar needs and nothing clinical: a UID that
// stays the same for the life of the appointment, a SEQUENCE that grows with
// each change, times in UTC, STATUS:CANCELLED rather than a vanished event,
// and a summary that the caller keeps free of the reason for the visit.
// Pure functions over plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.h"

namespace th::notify {

inline constexpr std::string_view kProductId = "-//telehealthd//reminders and feeds//EN";

struct CalendarEvent {
  std::string uid;  // "<appointment id>@<domain>"
  std::int64_t sequence = 0;
  UnixMicros stamp = 0;  // DTSTAMP: when this revision of the event was made
  UnixMicros starts_at = 0;
  UnixMicros ends_at = 0;
  bool cancelled = false;
  std::string summary;      // TEXT
  std::string description;  // TEXT; empty for none
  std::string url;          // empty for none
  std::string organizer;    // email address; empty for none
  std::string attendee;     // email address; empty for none
};

// The event as a one-event calendar for an email attachment.
[[nodiscard]] std::string render_invitation(const CalendarEvent& event);

// "REQUEST" or "CANCEL": the iTIP method render_invitation() writes.
[[nodiscard]] std::string_view invitation_method(const CalendarEvent& event);

// A calendar of events for subscription, named `name` (X-WR-CALNAME and
// RFC 7986 NAME, shown by clients as the calendar's title).
[[nodiscard]] std::string render_calendar(std::string_view name,
                                          const std::vector<CalendarEvent>& events);

}  // namespace th::notify
