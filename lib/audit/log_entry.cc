#include "audit/log_entry.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <cstdio>

namespace th::audit {
namespace {

constexpr std::string_view kSeqKey = "seq";
constexpr std::uint64_t kMaxJsonInteger = (std::uint64_t{1} << 53) - 1;

Error not_an_object() {
  return Error(ErrorCode::kInvalidArgument, "add position to event: not a canonical JSON object");
}

// The index just past the JSON string whose opening quote is at `pos`, or
// npos when it does not end.
std::size_t skip_string(std::string_view text, std::size_t pos) {
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
    } else if (text[pos] == '"') {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

// The index just past the JSON value starting at `pos`, or npos. Canonical
// JSON has no whitespace, so a scalar ends at the ',' or '}' that follows it.
std::size_t skip_value(std::string_view text, std::size_t pos) {
  int depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = skip_string(text, pos);
      if (pos == std::string_view::npos || depth == 0) {
        return pos;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        return pos;
      }
      if (--depth == 0) {
        return pos + 1;
      }
    } else if (c == ',' && depth == 0) {
      return pos;
    }
    ++pos;
  }
  return std::string_view::npos;
}

// Where the "seq" member belongs among the members of the object: the
// offset of the first member whose key sorts after "seq", or of the closing
// brace. Keys are compared as their escaped bytes, which orders them against
// the ASCII key "seq" exactly as RFC 8785's UTF-16 comparison does (every
// escape and every non-ASCII byte falls on the same side of each letter).
Result<std::size_t> seq_position(std::string_view text) {
  std::optional<std::size_t> position;
  std::size_t pos = 1;
  while (pos < text.size() - 1) {
    const std::size_t member = pos;
    const std::size_t key_end = text[pos] == '"' ? skip_string(text, pos) : std::string_view::npos;
    if (key_end == std::string_view::npos || key_end >= text.size() || text[key_end] != ':') {
      return not_an_object();
    }
    const std::string_view key = text.substr(member + 1, key_end - member - 2);
    if (key == kSeqKey) {
      return Error(ErrorCode::kInvalidArgument, "add position to event: it already has 'seq'");
    }
    if (!position && key > kSeqKey) {
      position = member;
    }
    pos = skip_value(text, key_end + 1);
    if (pos == std::string_view::npos || pos >= text.size()) {
      return not_an_object();
    }
    if (text[pos] == ',') {
      ++pos;
    } else if (pos != text.size() - 1) {
      return not_an_object();
    }
  }
  return position.value_or(text.size() - 1);
}

Error malformed(std::string_view field) {
  return Error(ErrorCode::kDataLoss,
               "event body: field '" + std::string(field) + "' is missing or has the wrong type");
}

Result<std::string> text_field(const Poco::JSON::Object& object, const std::string& name) {
  const Poco::Dynamic::Var value = object.get(name);
  if (value.isEmpty() || !value.isString()) {
    return malformed(name);
  }
  return value.extract<std::string>();
}

Result<AuditOutcome> outcome_field(const Poco::JSON::Object& object) {
  auto name = text_field(object, "outcome");
  if (!name.ok()) {
    return name.error();
  }
  for (const AuditOutcome outcome :
       {AuditOutcome::kSuccess, AuditOutcome::kDenied, AuditOutcome::kError}) {
    if (*name == audit_outcome_name(outcome)) {
      return outcome;
    }
  }
  return malformed("outcome");
}

Result<std::vector<std::string>> patients_field(const Poco::JSON::Object& object) {
  const Poco::JSON::Array::Ptr array = object.getArray("patient_ids");
  if (array.isNull()) {
    return malformed("patient_ids");
  }
  std::vector<std::string> patients;
  for (const Poco::Dynamic::Var& item : *array) {
    if (!item.isString()) {
      return malformed("patient_ids");
    }
    patients.push_back(item.extract<std::string>());
  }
  return patients;
}

Result<std::uint64_t> seq_field(const Poco::JSON::Object& object) {
  const Poco::Dynamic::Var value = object.get(std::string(kSeqKey));
  if (value.isEmpty() || !value.isInteger() || value.isBoolean()) {
    return malformed(kSeqKey);
  }
  const auto seq = value.convert<Poco::Int64>();
  if (seq < 0) {
    return malformed(kSeqKey);
  }
  return static_cast<std::uint64_t>(seq);
}

// Reads the event's members; the caller catches Poco's conversion errors.
Result<AuditEvent> event_fields(const Poco::JSON::Object& object) {
  AuditEvent event;
  const std::pair<const char*, std::string*> texts[] = {
      {"id", &event.id},
      {"actor_user_id", &event.actor_user_id},
      {"actor_kind", &event.actor_kind},
      {"actor_role", &event.actor_role},
      {"session_id", &event.session_id},
      {"source_address", &event.source_address},
      {"user_agent", &event.user_agent},
      {"action", &event.action},
      {"resource_type", &event.resource_type},
      {"resource_id", &event.resource_id},
      {"patient_id", &event.patient_id},
      {"reason", &event.reason},
      {"request_id", &event.request_id},
      {"node", &event.node},
  };
  for (const auto& [name, target] : texts) {
    auto value = text_field(object, name);
    if (!value.ok()) {
      return value.error();
    }
    *target = std::move(*value);
  }
  auto occurred = text_field(object, "occurred_at");
  if (!occurred.ok()) {
    return occurred.error();
  }
  auto micros = parse_rfc3339_micros(*occurred);
  if (!micros.ok()) {
    return malformed("occurred_at");
  }
  event.occurred_at = *micros;
  auto outcome = outcome_field(object);
  if (!outcome.ok()) {
    return outcome.error();
  }
  event.outcome = *outcome;
  const Poco::Dynamic::Var emergency = object.get("emergency");
  if (emergency.isEmpty() || !emergency.isBoolean()) {
    return malformed("emergency");
  }
  event.emergency = emergency.extract<bool>();
  auto patients = patients_field(object);
  if (!patients.ok()) {
    return patients.error();
  }
  event.patient_ids = std::move(*patients);
  return event;
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to the given proleptic Gregorian date.
std::int64_t days_from_civil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

Result<std::string> format_log_entry(std::string_view canonical_event, std::uint64_t seq) {
  if (canonical_event.size() < 2 || canonical_event.front() != '{' ||
      canonical_event.back() != '}') {
    return not_an_object();
  }
  if (seq > kMaxJsonInteger) {
    return Error(ErrorCode::kInvalidArgument, "add position to event: seq beyond 2^53 - 1");
  }
  auto position = seq_position(canonical_event);
  if (!position.ok()) {
    return position.error();
  }
  const bool at_end = *position == canonical_event.size() - 1;
  const bool empty = canonical_event.size() == 2;
  std::string member = "\"seq\":" + std::to_string(seq);
  std::string out(canonical_event.substr(0, *position));
  if (at_end && !empty) {
    out += ',';
  }
  out += member;
  if (!at_end) {
    out += ',';
  }
  out += canonical_event.substr(*position);
  return out;
}

Result<LogEntry> parse_log_entry(std::string_view body) {
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(std::string(body));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Error(ErrorCode::kDataLoss, "event body: not a JSON object");
    }
    const Poco::JSON::Object::Ptr object = parsed.extract<Poco::JSON::Object::Ptr>();
    auto seq = seq_field(*object);
    if (!seq.ok()) {
      return seq.error();
    }
    auto event = event_fields(*object);
    if (!event.ok()) {
      return event.error();
    }
    return LogEntry{*seq, std::move(*event)};
  } catch (const Poco::Exception&) {
    return Error(ErrorCode::kDataLoss, "event body: not valid JSON");
  } catch (const std::exception&) {
    return Error(ErrorCode::kDataLoss, "event body: not valid JSON");
  }
}

Result<UnixMicros> parse_rfc3339_micros(std::string_view text) {
  // 2026-12-03T21:03:57.123456Z
  constexpr std::size_t kLength = 27;
  const Error invalid(ErrorCode::kInvalidArgument,
                      "parse time: expected YYYY-MM-DDTHH:MM:SS.ffffffZ in UTC");
  if (text.size() != kLength || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != '.' || text[26] != 'Z') {
    return invalid;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, fraction = 0;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
      !read_digits(text, 8, 2, day) || !read_digits(text, 11, 2, hour) ||
      !read_digits(text, 14, 2, minute) || !read_digits(text, 17, 2, second) ||
      !read_digits(text, 20, 6, fraction) || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 59) {
    return invalid;
  }
  const std::int64_t seconds =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const UnixMicros micros = seconds * 1'000'000 + fraction;
  // Dates such as February 30 pass the range checks above; the round trip
  // refuses them.
  if (format_rfc3339_micros(micros) != text) {
    return invalid;
  }
  return micros;
}

}  // namespace th::audit
