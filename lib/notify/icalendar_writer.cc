#include "notify/icalendar_writer.h"

#include <cstdio>
#include <ctime>

#include "audit/utf8.h"

namespace th::notify {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

void append_escaped(std::string& out, char32_t code_point, std::string_view bytes) {
  switch (code_point) {
    case '\\':
      out += "\\\\";
      return;
    case ';':
      out += "\\;";
      return;
    case ',':
      out += "\\,";
      return;
    case '\n':
      out += "\\n";
      return;
    default:
      break;
  }
  // CONTROL characters are not allowed in TEXT (a tab is); CR is dropped so
  // that "\r\n" becomes one escaped newline.
  if ((code_point < 0x20 && code_point != '\t') || code_point == 0x7F) {
    return;
  }
  out += bytes;
}

}  // namespace

std::string ical_escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const auto code_point = audit::decode_utf8(text, pos);
    if (!code_point) {
      out += kReplacement;
      ++pos;
      continue;
    }
    append_escaped(out, *code_point, text.substr(start, pos - start));
  }
  return out;
}

std::string ical_fold_line(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 64 * 3 + 2);
  std::size_t pos = 0;
  // The first physical line holds 75 octets; each continuation holds 74
  // after its leading space.
  std::size_t room = kICalendarLineOctets;
  while (line.size() - pos > room) {
    std::size_t cut = pos + room;
    // Back up to the start of the UTF-8 sequence the cut would split (at
    // most three continuation bytes; invalid text is cut where it falls).
    for (int step = 0; step < 3 && cut > pos + 1 && is_continuation_byte(line[cut]); ++step) {
      --cut;
    }
    out.append(line.substr(pos, cut - pos));
    out += "\r\n ";
    pos = cut;
    room = kICalendarLineOctets - 1;
  }
  out.append(line.substr(pos));
  out += "\r\n";
  return out;
}

std::string ical_utc_time(UnixMicros instant) {
  std::time_t seconds = static_cast<std::time_t>(instant / 1'000'000);
  if (instant % 1'000'000 < 0) {
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[20];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

void ICalendarWriter::property(std::string_view name, std::string_view value) {
  // A line break inside a value would end the content line early.
  std::string content(name);
  content += ':';
  for (const char c : value) {
    if (c != '\r' && c != '\n') {
      content += c;
    }
  }
  line(content);
}

void ICalendarWriter::text(std::string_view name, std::string_view value) {
  property(name, ical_escape_text(value));
}

void ICalendarWriter::utc_time(std::string_view name, UnixMicros instant) {
  property(name, ical_utc_time(instant));
}

}  // namespace th::notify
