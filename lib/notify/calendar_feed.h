// The practitioner's calendar feed: their appointments as one iCalendar
// document for a calendar client to subscribe to (GET /api/v1/calendar/
// <token>.ics). Each appointment is one VEVENT; a cancelled one stays in the
// feed as STATUS:CANCELLED so subscribed clients remove it rather than keep
// a stale copy. By default an event names no patient ("Telehealth visit");
// with initials configured, "Telehealth visit (J. D.)".
// Pure functions over plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "notify/calendar_entry.h"
#include "util/result.h"

namespace th::notify {

enum class FeedAttendee { kNone, kInitials };

struct CalendarFeedSettings {
  FeedAttendee attendee = FeedAttendee::kNone;
  std::string event_summary = "Telehealth visit";
  std::string uid_domain = "telehealthd.invalid";  // the same as the reminders' UIDs
  std::string calendar_name = "Telehealth visits";
};

// kInvalidArgument for anything but "none" and "initials".
[[nodiscard]] Result<FeedAttendee> parse_feed_attendee(std::string_view name);

// The feed document, events in the order given.
[[nodiscard]] std::string render_practitioner_feed(const std::vector<CalendarEntry>& entries,
                                                   const CalendarFeedSettings& settings);

// "J. D." from a given and a family name: the first letter of each,
// upper-cased when ASCII, without the rest of either name.
[[nodiscard]] std::string patient_initials(std::string_view given_name,
                                           std::string_view family_name);

}  // namespace th::notify
