#include "notify/calendar_event.h"

#include "notify/icalendar_writer.h"

namespace th::notify {
namespace {

void write_calendar_header(ICalendarWriter& writer) {
  writer.begin("VCALENDAR");
  writer.property("VERSION", "2.0");
  writer.property("PRODID", kProductId);
  writer.property("CALSCALE", "GREGORIAN");
}

void write_event(ICalendarWriter& writer, const CalendarEvent& event) {
  writer.begin("VEVENT");
  writer.property("UID", event.uid);
  writer.property("SEQUENCE", std::to_string(event.sequence));
  writer.utc_time("DTSTAMP", event.stamp);
  writer.utc_time("DTSTART", event.starts_at);
  writer.utc_time("DTEND", event.ends_at);
  writer.property("STATUS", event.cancelled ? "CANCELLED" : "CONFIRMED");
  writer.property("TRANSP", event.cancelled ? "TRANSPARENT" : "OPAQUE");
  writer.text("SUMMARY", event.summary);
  if (!event.description.empty()) {
    writer.text("DESCRIPTION", event.description);
  }
  if (!event.url.empty()) {
    writer.property("URL", event.url);
  }
  if (!event.organizer.empty()) {
    writer.property("ORGANIZER", "mailto:" + event.organizer);
  }
  if (!event.attendee.empty()) {
    writer.property("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE", "mailto:" + event.attendee);
  }
  writer.end("VEVENT");
}

}  // namespace

std::string_view invitation_method(const CalendarEvent& event) {
  return event.cancelled ? "CANCEL" : "REQUEST";
}

std::string render_invitation(const CalendarEvent& event) {
  ICalendarWriter writer;
  write_calendar_header(writer);
  writer.property("METHOD", invitation_method(event));
  write_event(writer, event);
  writer.end("VCALENDAR");
  return writer.take();
}

std::string render_calendar(std::string_view name, const std::vector<CalendarEvent>& events) {
  ICalendarWriter writer;
  write_calendar_header(writer);
  writer.text("X-WR-CALNAME", name);
  writer.text("NAME", name);
  for (const CalendarEvent& event : events) {
    write_event(writer, event);
  }
  writer.end("VCALENDAR");
  return writer.take();
}

}  // namespace th::notify
