#include "audit/audit_query.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <utility>

#include "audit/fhir_audit_event.h"
#include "storage/row_values.h"

namespace th::audit {
namespace {

constexpr UnixMicros kMicrosPerSecond = 1'000'000;
constexpr UnixMicros kMicrosPerDay = 86'400 * kMicrosPerSecond;

// ---- time bounds ----

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil), so no time zone database or locale is involved.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

bool leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap_year(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` digits at text[at]; false when any is not a digit.
bool read_digits(std::string_view text, std::size_t at, std::size_t width, int& value) {
  if (at + width > text.size()) {
    return false;
  }
  value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// The fraction after a decimal point as microseconds (digits past the sixth
// are dropped); advances `at` past the digits.
bool read_fraction(std::string_view text, std::size_t& at, UnixMicros& micros) {
  const std::size_t start = at;
  micros = 0;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    if (at - start < 6) {
      micros = micros * 10 + (text[at] - '0');
    }
    ++at;
  }
  for (std::size_t digits = at - start; digits < 6; ++digits) {
    micros *= 10;
  }
  return at > start;
}

// "Z" or "+HH:MM" / "-HH:MM" as the offset east of UTC in seconds.
bool read_offset(std::string_view zone, std::int64_t& seconds) {
  if (zone == "Z" || zone == "z") {
    seconds = 0;
    return true;
  }
  int hours = 0;
  int minutes = 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
      !read_digits(zone, 1, 2, hours) || !read_digits(zone, 4, 2, minutes) || hours > 23 ||
      minutes > 59) {
    return false;
  }
  seconds = (hours * 3600 + minutes * 60) * (zone[0] == '-' ? -1 : 1);
  return true;
}

Error bad_time(std::string_view text) {
  return Error(ErrorCode::kInvalidArgument,
               "parse time '" + std::string(text.substr(0, 40)) +
                   "': expected RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)");
}

// ---- SQL with bound values ----

struct SqlParam {
  bool is_number = false;
  std::string text;
  long long number = 0;
};

// A statement and the values its placeholders take, in order. Every
// placeholder appears once, so SQLite's shared named parameters and
// PostgreSQL's positional ones bind the same way.
struct SqlQuery {
  std::string text;
  std::vector<SqlParam> params;

  std::string placeholder() { return ":p" + std::to_string(params.size()); }
  std::string bind_text(std::string value) {
    std::string name = placeholder();
    params.push_back(SqlParam{false, std::move(value), 0});
    return name;
  }
  std::string bind_number(long long value) {
    std::string name = placeholder();
    params.push_back(SqlParam{true, "", value});
    return name;
  }
};

// The WHERE clause (with its leading keyword, or empty) of a filter, plus
// the cursor when there is one.
std::string where_clause(SqlQuery& query, const AuditFilter& filter,
                         std::optional<std::int64_t> after) {
  std::vector<std::string> conditions;
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty()) {
      conditions.push_back(std::string(column) + " = " + query.bind_text(value));
    }
  };
  equal("actor_user_id", filter.user_id);
  if (!filter.patient_id.empty()) {
    // One IN over a UNION, not "patient_id = x OR seq IN (...)": PostgreSQL
    // plans that OR as a filter on a walk of the whole log in seq order (650
    // ms over a million events, against 2 ms this way; see
    // tests/bench/REPORT.md).
    const std::string direct = query.bind_text(filter.patient_id);
    const std::string listed = query.bind_text(filter.patient_id);
    conditions.push_back(
        "seq IN (SELECT seq FROM audit_events WHERE patient_id = " + direct +
        " UNION SELECT seq FROM audit_event_patients WHERE patient_id = " + listed + ")");
  }
  equal("action", filter.action);
  equal("resource_type", filter.resource_type);
  equal("outcome", filter.outcome);
  if (filter.from) {
    conditions.push_back("occurred_at >= " + query.bind_number(*filter.from));
  }
  if (filter.to) {
    conditions.push_back("occurred_at <= " + query.bind_number(*filter.to));
  }
  if (filter.emergency_only) {
    conditions.push_back("emergency = 1");
  }
  if (filter.through_seq) {
    conditions.push_back("seq <= " + query.bind_number(*filter.through_seq));
  }
  if (after) {
    conditions.push_back("seq > " + query.bind_number(*after));
  }
  std::string clause;
  for (const std::string& condition : conditions) {
    clause += (clause.empty() ? " WHERE " : " AND ") + condition;
  }
  return clause;
}

SqlQuery page_sql(const AuditFilter& filter, std::optional<std::int64_t> after, int limit) {
  // Placeholders bind by position, so they are numbered in the order they
  // appear: the WHERE clause first, then the limit (two statements, since the
  // operands of one + expression may be evaluated in any order).
  SqlQuery query;
  const std::string where = where_clause(query, filter, after);
  const std::string limit_placeholder = query.bind_number(limit);
  query.text = "SELECT seq, occurred_at, body FROM audit_events" + where + " ORDER BY seq LIMIT " +
               limit_placeholder;
  return query;
}

SqlQuery summary_sql(const AuditFilter& filter, SummaryGrouping grouping) {
  const char* columns = grouping == SummaryGrouping::kByActor
                            ? "actor_user_id, actor_role, action, outcome"
                            : "action, resource_type, outcome";
  SqlQuery query;
  const std::string where = where_clause(query, filter, std::nullopt);
  query.text = std::string("SELECT ") + columns +
               ", COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM audit_events" + where +
               " GROUP BY " + columns + " ORDER BY COUNT(*) DESC, " + columns;
  return query;
}

soci::rowset<soci::row> run_select(soci::session& session, const SqlQuery& query) {
  soci::details::prepare_temp_type prepared = (session.prepare << query.text);
  for (const SqlParam& param : query.params) {
    if (param.is_number) {
      prepared, soci::use(param.number);
    } else {
      prepared, soci::use(param.text);
    }
  }
  return soci::rowset<soci::row>(prepared);
}

// ---- decoding stored events ----

std::string member_text(const Poco::JSON::Object::Ptr& object, const std::string& name) {
  const Poco::Dynamic::Var value = object->get(name);
  return value.isString() ? value.extract<std::string>() : std::string();
}

AuditOutcome outcome_named(std::string_view name) {
  if (name == "success") {
    return AuditOutcome::kSuccess;
  }
  return name == "denied" ? AuditOutcome::kDenied : AuditOutcome::kError;
}

// The event from its canonical JSON. The columns beside the body hold the
// same values; only seq and the time are taken from them, as integers.
Result<StoredEvent> decode_row(const soci::row& row) {
  StoredEvent stored;
  stored.seq = storage::column_int64(row, 0);
  stored.body = storage::column_text(row, 2);
  const std::string where = "decode audit event at position " + std::to_string(stored.seq);
  Poco::JSON::Object::Ptr object;
  try {
    Poco::JSON::Parser parser;
    object = parser.parse(stored.body).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& failure) {
    return Error(ErrorCode::kDataLoss, where + ": " + failure.message());
  } catch (const std::exception&) {
    return Error(ErrorCode::kDataLoss, where + ": the body is not a JSON object");
  }
  AuditEvent& event = stored.event;
  event.id = member_text(object, "id");
  event.occurred_at = storage::column_int64(row, 1);
  event.actor_user_id = member_text(object, "actor_user_id");
  event.actor_kind = member_text(object, "actor_kind");
  event.actor_role = member_text(object, "actor_role");
  event.session_id = member_text(object, "session_id");
  event.source_address = member_text(object, "source_address");
  event.user_agent = member_text(object, "user_agent");
  event.action = member_text(object, "action");
  event.resource_type = member_text(object, "resource_type");
  event.resource_id = member_text(object, "resource_id");
  event.patient_id = member_text(object, "patient_id");
  if (const Poco::JSON::Array::Ptr patients = object->getArray("patient_ids")) {
    for (std::size_t i = 0; i < patients->size(); ++i) {
      event.patient_ids.push_back(patients->getElement<std::string>(static_cast<unsigned>(i)));
    }
  }
  event.outcome = outcome_named(member_text(object, "outcome"));
  event.reason = member_text(object, "reason");
  event.emergency = object->optValue<bool>("emergency", false);
  event.request_id = member_text(object, "request_id");
  event.node = member_text(object, "node");
  return stored;
}

// ---- export writers ----

// RFC 4180 quoting, and a leading quote mark before text a spreadsheet
// would run as a formula (user agents and reasons come from outside).
std::string csv_cell(std::string_view value) {
  std::string cell;
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
    cell = "'";
  }
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    return cell;
  }
  std::string quoted = "\"";
  for (const char c : cell) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

std::string joined(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) {
    text += (text.empty() ? "" : " ") + value;
  }
  return text;
}

void write_csv_row(std::ostream& out, const StoredEvent& stored) {
  const AuditEvent& e = stored.event;
  const std::string cells[] = {
      std::to_string(stored.seq),
      e.id,
      format_rfc3339_micros(e.occurred_at),
      e.actor_user_id,
      e.actor_kind,
      e.actor_role,
      e.session_id,
      e.source_address,
      e.user_agent,
      e.action,
      e.resource_type,
      e.resource_id,
      e.patient_id,
      joined(e.patient_ids),
      std::string(audit_outcome_name(e.outcome)),
      e.emergency ? "true" : "false",
      e.reason,
      e.request_id,
      e.node,
  };
  bool first = true;
  for (const std::string& cell : cells) {
    out << (first ? "" : ",") << csv_cell(cell);
    first = false;
  }
  out << "\r\n";
}

Status write_export_row(std::ostream& out, ExportFormat format, const StoredEvent& stored) {
  switch (format) {
    case ExportFormat::kCsv:
      write_csv_row(out, stored);
      break;
    case ExportFormat::kNdjson:
      out << stored.body << '\n';
      break;
    case ExportFormat::kFhir:
      fhir_audit_event(stored.event)->stringify(out);
      out << '\n';
      break;
  }
  if (!out) {
    return Error(ErrorCode::kUnavailable, "write export: the receiver stopped accepting data");
  }
  return ok_status();
}

}  // namespace

Result<UnixMicros> parse_time_bound(std::string_view text, TimeBound bound) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !read_digits(text, 5, 2, month) || !read_digits(text, 8, 2, day) || month < 1 || month > 12 ||
      day < 1 || day > days_in_month(year, month)) {
    return bad_time(text);
  }
  const UnixMicros midnight =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
      kMicrosPerDay;
  if (text.size() == 10) {
    return bound == TimeBound::kStart ? midnight : midnight + kMicrosPerDay - 1;
  }

  int hour = 0;
  int minute = 0;
  int second = 0;
  const char separator = text[10];
  if ((separator != 'T' && separator != 't' && separator != ' ') || text.size() < 20 ||
      !read_digits(text, 11, 2, hour) || text[13] != ':' || !read_digits(text, 14, 2, minute) ||
      text[16] != ':' || !read_digits(text, 17, 2, second) || hour > 23 || minute > 59 ||
      second > 60) {
    return bad_time(text);
  }
  std::size_t at = 19;
  UnixMicros fraction = 0;
  if (text[at] == '.') {
    ++at;
    if (!read_fraction(text, at, fraction)) {
      return bad_time(text);
    }
  }
  std::int64_t offset = 0;
  if (!read_offset(text.substr(at), offset)) {
    return bad_time(text);
  }
  const std::int64_t seconds = hour * 3600 + minute * 60 + second - offset;
  return midnight + seconds * kMicrosPerSecond + fraction;
}

std::string AuditFilter::describe() const {
  std::string text;
  auto add = [&text](std::string_view name, const std::string& value) {
    if (!value.empty()) {
      text += (text.empty() ? "" : " ") + std::string(name) + "=" + value;
    }
  };
  add("user", user_id);
  add("patient", patient_id);
  add("action", action);
  add("resource", resource_type);
  add("outcome", outcome);
  add("from", from ? format_rfc3339_micros(*from) : "");
  add("to", to ? format_rfc3339_micros(*to) : "");
  add("emergency", emergency_only ? "true" : "");
  add("through", through_seq ? std::to_string(*through_seq) : "");
  return text;
}

Status validate_filter(const AuditFilter& filter) {
  if (!filter.outcome.empty() && filter.outcome != "success" && filter.outcome != "denied" &&
      filter.outcome != "error") {
    return Error(ErrorCode::kInvalidArgument, "outcome must be success, denied or error");
  }
  if (filter.from && filter.to && *filter.to < *filter.from) {
    return Error(ErrorCode::kInvalidArgument, "the interval ends before it starts");
  }
  return ok_status();
}

Result<std::vector<StoredEvent>> AuditQuery::read_page(const AuditFilter& filter,
                                                       std::optional<std::int64_t> after,
                                                       int limit) const {
  const SqlQuery query = page_sql(filter, after, limit);
  return database_.run([&](soci::session& session) -> Result<std::vector<StoredEvent>> {
    soci::rowset<soci::row> rows = run_select(session, query);
    std::vector<StoredEvent> events;
    for (const soci::row& row : rows) {
      auto stored = decode_row(row);
      if (!stored.ok()) {
        return stored.error();
      }
      events.push_back(std::move(*stored));
    }
    return events;
  });
}

Result<AuditPage> AuditQuery::search(const AuditFilter& filter, std::optional<std::int64_t> after,
                                     int limit) const {
  if (limit < 1 || limit > kMaxSearchLimit) {
    return Error(ErrorCode::kInvalidArgument,
                 "limit must be 1 to " + std::to_string(kMaxSearchLimit));
  }
  TH_RETURN_IF_ERROR(validate_filter(filter));
  // One row more than asked says whether another page follows, so the last
  // page says so itself instead of the client fetching an empty one.
  auto rows = read_page(filter, after, limit + 1);
  if (!rows.ok()) {
    return rows.error();
  }
  AuditPage page;
  page.items = std::move(*rows);
  if (page.items.size() > static_cast<std::size_t>(limit)) {
    page.items.pop_back();
    page.next_after = page.items.back().seq;
  }
  return page;
}

Result<std::vector<ActivitySummary>> AuditQuery::summarize(const AuditFilter& filter,
                                                           SummaryGrouping grouping) const {
  TH_RETURN_IF_ERROR(validate_filter(filter));
  const SqlQuery query = summary_sql(filter, grouping);
  return database_.run([&](soci::session& session) {
    std::vector<ActivitySummary> groups;
    for (const soci::row& row : run_select(session, query)) {
      ActivitySummary group;
      std::size_t column = 0;
      if (grouping == SummaryGrouping::kByActor) {
        group.actor_user_id = storage::column_text(row, column++);
        group.actor_role = storage::column_text(row, column++);
        group.action = storage::column_text(row, column++);
      } else {
        group.action = storage::column_text(row, column++);
        group.resource_type = storage::column_text(row, column++);
      }
      group.outcome = storage::column_text(row, column++);
      group.count = storage::column_int64(row, column++);
      group.first = storage::column_int64(row, column++);
      group.last = storage::column_int64(row, column);
      groups.push_back(std::move(group));
    }
    return groups;
  });
}

Result<std::int64_t> AuditQuery::count(const AuditFilter& filter) const {
  TH_RETURN_IF_ERROR(validate_filter(filter));
  SqlQuery query;
  const std::string where = where_clause(query, filter, std::nullopt);
  query.text = "SELECT COUNT(*) FROM audit_events" + where;
  return database_.run([&](soci::session& session) -> std::int64_t {
    for (const soci::row& row : run_select(session, query)) {
      return storage::column_int64(row, 0);
    }
    return 0;
  });
}

Result<std::optional<std::int64_t>> AuditQuery::last_seq() const {
  return database_.run([&](soci::session& session) {
    long long seq = 0;
    soci::indicator indicator = soci::i_null;
    session << "SELECT MAX(seq) FROM audit_events", soci::into(seq, indicator);
    return indicator == soci::i_ok ? std::optional<std::int64_t>(seq) : std::nullopt;
  });
}

Result<std::vector<FailedLoginGroup>> AuditQuery::failed_logins(const AuditFilter& interval) const {
  AuditFilter filter;
  filter.action = "login";
  filter.outcome = "denied";
  filter.from = interval.from;
  filter.to = interval.to;
  TH_RETURN_IF_ERROR(validate_filter(filter));

  std::map<std::pair<std::string, std::string>, FailedLoginGroup> groups;
  TH_RETURN_IF_ERROR(for_each(filter, [&groups](const StoredEvent& stored) {
    const AuditEvent& event = stored.event;
    FailedLoginGroup& group = groups[{event.actor_user_id, event.source_address}];
    if (group.count == 0) {
      group.actor_user_id = event.actor_user_id;
      group.source_address = event.source_address;
      group.first = event.occurred_at;
    }
    ++group.count;
    group.last = event.occurred_at;
    if (std::find(group.reasons.begin(), group.reasons.end(), event.reason) ==
        group.reasons.end()) {
      group.reasons.push_back(event.reason);
    }
    return ok_status();
  }));

  std::vector<FailedLoginGroup> sorted;
  sorted.reserve(groups.size());
  for (auto& entry : groups) {
    sorted.push_back(std::move(entry.second));
  }
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const FailedLoginGroup& a, const FailedLoginGroup& b) { return a.count > b.count; });
  return sorted;
}

Status AuditQuery::for_each(const AuditFilter& filter,
                            const std::function<Status(const StoredEvent&)>& visit) const {
  TH_RETURN_IF_ERROR(validate_filter(filter));
  std::optional<std::int64_t> after;
  while (true) {
    auto page = read_page(filter, after, kExportPageSize);
    if (!page.ok()) {
      return page.error();
    }
    for (const StoredEvent& stored : *page) {
      TH_RETURN_IF_ERROR(visit(stored));
    }
    if (page->size() < static_cast<std::size_t>(kExportPageSize)) {
      return ok_status();
    }
    after = page->back().seq;
  }
}

Result<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "csv") {
    return ExportFormat::kCsv;
  }
  if (name == "ndjson") {
    return ExportFormat::kNdjson;
  }
  if (name == "fhir") {
    return ExportFormat::kFhir;
  }
  return Error(ErrorCode::kInvalidArgument, "format must be csv, ndjson or fhir");
}

std::string_view export_content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::kNdjson:
      return "application/x-ndjson";
    case ExportFormat::kFhir:
      return "application/fhir+ndjson";
  }
  return "application/octet-stream";
}

const std::vector<std::string_view>& export_csv_columns() {
  static const std::vector<std::string_view> columns = {
      "seq",           "id",          "occurred_at",    "actor_user_id", "actor_kind",
      "actor_role",    "session_id",  "source_address", "user_agent",    "action",
      "resource_type", "resource_id", "patient_id",     "patient_ids",   "outcome",
      "emergency",     "reason",      "request_id",     "node",
  };
  return columns;
}

Status export_events(const AuditQuery& query, const AuditFilter& filter, ExportFormat format,
                     std::ostream& out) {
  if (format == ExportFormat::kCsv) {
    bool first = true;
    for (const std::string_view column : export_csv_columns()) {
      out << (first ? "" : ",") << column;
      first = false;
    }
    out << "\r\n";
  }
  return query.for_each(filter, [&out, format](const StoredEvent& stored) {
    return write_export_row(out, format, stored);
  });
}

}  // namespace th::audit
