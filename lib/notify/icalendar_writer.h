// ICalendarWriter: builds iCalendar (RFC 5545) text one content line at a
// time, with the format's rules applied as lines are added:
//   - every line ends in CRLF;
//   - a line longer than 75 octets is folded (CRLF and one space), at most
//     75 octets per physical line including the leading space, never inside
//     a UTF-8 sequence;
//   - TEXT values are escaped (backslash, semicolon, comma, newline) and
//     stripped of control characters; invalid UTF-8 becomes U+FFFD.
// Not thread-safe; one writer per document.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"

namespace th::notify {

inline constexpr std::size_t kICalendarLineOctets = 75;

// A TEXT value escaped for a content line (RFC 5545 section 3.3.11).
[[nodiscard]] std::string ical_escape_text(std::string_view text);

// One content line, folded, with its CRLF.
[[nodiscard]] std::string ical_fold_line(std::string_view line);

// A UTC DATE-TIME: "20260309T140000Z". Fractions of a second are dropped.
[[nodiscard]] std::string ical_utc_time(UnixMicros instant);

class ICalendarWriter {
 public:
  void begin(std::string_view component) { line("BEGIN:" + std::string(component)); }
  void end(std::string_view component) { line("END:" + std::string(component)); }

  // NAME:VALUE with the value written as given (it must already be in the
  // property's format: a date-time, an integer, a URI, a cal-address);
  // CR and LF are dropped from it.
  void property(std::string_view name, std::string_view value);

  // NAME:VALUE for a TEXT value, escaped.
  void text(std::string_view name, std::string_view value);

  // A DATE-TIME in UTC.
  void utc_time(std::string_view name, UnixMicros instant);

  [[nodiscard]] const std::string& str() const { return out_; }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  void line(std::string_view content) { out_ += ical_fold_line(content); }

  std::string out_;
};

}  // namespace th::notify
