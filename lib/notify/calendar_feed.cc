#include "notify/calendar_feed.h"

#include "audit/utf8.h"
#include "notify/calendar_event.h"

namespace th::notify {
namespace {

// The first character of a name (skipping leading spaces), as UTF-8.
std::string first_character(std::string_view name) {
  std::size_t pos = 0;
  while (pos < name.size() && name[pos] == ' ') {
    ++pos;
  }
  if (pos >= name.size()) {
    return "";
  }
  const std::size_t start = pos;
  const auto code_point = audit::decode_utf8(name, pos);
  if (!code_point || *code_point < 0x20) {
    return "";
  }
  if (*code_point >= 'a' && *code_point <= 'z') {
    return std::string(1, static_cast<char>(*code_point - 'a' + 'A'));
  }
  return std::string(name.substr(start, pos - start));
}

}  // namespace

Result<FeedAttendee> parse_feed_attendee(std::string_view name) {
  if (name == "none") {
    return FeedAttendee::kNone;
  }
  if (name == "initials") {
    return FeedAttendee::kInitials;
  }
  return Error(ErrorCode::kInvalidArgument, "calendar attendee must be none or initials");
}

std::string render_practitioner_feed(const std::vector<CalendarEntry>& entries,
                                     const CalendarFeedSettings& settings) {
  std::vector<CalendarEvent> events;
  events.reserve(entries.size());
  for (const CalendarEntry& entry : entries) {
    CalendarEvent event;
    event.uid = entry.appointment_id + "@" + settings.uid_domain;
    event.sequence = entry.sequence;
    event.stamp = entry.updated_at;
    event.starts_at = entry.starts_at;
    event.ends_at = entry.ends_at;
    event.cancelled = entry.cancelled;
    event.summary = settings.event_summary;
    if (settings.attendee == FeedAttendee::kInitials && !entry.attendee_label.empty()) {
      event.summary += " (" + entry.attendee_label + ")";
    }
    events.push_back(std::move(event));
  }
  return render_calendar(settings.calendar_name, events);
}

std::string patient_initials(std::string_view given_name, std::string_view family_name) {
  std::string initials;
  for (const std::string_view name : {given_name, family_name}) {
    const std::string letter = first_character(name);
    if (!letter.empty()) {
      initials += (initials.empty() ? "" : " ") + letter + ".";
    }
  }
  return initials;
}

}  // namespace th::notify
