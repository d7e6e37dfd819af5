#include "scheduling/availability_store.h"

#include "storage/row_values.h"

namespace th::scheduling {

Status AvailabilityStore::replace_rules(soci::session& session, const std::string& practitioner_id,
                                        const std::vector<WeeklyRule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (Status valid = validate_rule(rules[i]); !valid.ok()) {
      return valid.error().with_context("rule " + std::to_string(i + 1));
    }
  }
  session << "DELETE FROM availability_rules WHERE practitioner_id = :id",
      soci::use(practitioner_id);
  for (const WeeklyRule& rule : rules) {
    int exists = 0;
    session << "SELECT COUNT(*) FROM availability_rules WHERE practitioner_id = :id AND "
               "weekday = :day AND start_minute = :start",
        soci::use(practitioner_id), soci::use(rule.weekday), soci::use(rule.start_minute),
        soci::into(exists);
    if (exists > 0) {
      return Error(ErrorCode::kInvalidArgument, "two rules start at the same time of one weekday");
    }
    session << "INSERT INTO availability_rules (practitioner_id, weekday, start_minute, "
               "end_minute) VALUES (:id, :day, :start, :end)",
        soci::use(practitioner_id), soci::use(rule.weekday), soci::use(rule.start_minute),
        soci::use(rule.end_minute);
  }
  return ok_status();
}

std::vector<WeeklyRule> AvailabilityStore::rules(soci::session& session,
                                                 const std::string& practitioner_id) {
  std::vector<WeeklyRule> rules;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT weekday, start_minute, end_minute FROM availability_rules "
                          "WHERE practitioner_id = :id ORDER BY weekday, start_minute",
       soci::use(practitioner_id));
  for (const soci::row& row : rows) {
    rules.push_back(WeeklyRule{static_cast<int>(storage::column_int64(row, 0)),
                               static_cast<int>(storage::column_int64(row, 1)),
                               static_cast<int>(storage::column_int64(row, 2))});
  }
  return rules;
}

Status AvailabilityStore::add_exception(soci::session& session, const StoredException& stored) {
  const AvailabilityException& exception = stored.exception;
  TH_RETURN_IF_ERROR(validate_exception(exception));
  const std::string date = format_local_date(exception.date);
  const std::string kind(exception_kind_name(exception.kind));
  session << "INSERT INTO availability_exceptions (id, practitioner_id, on_date, kind, "
             "start_minute, end_minute, created_by, created_at) VALUES (:id, :practitioner, "
             ":date, :kind, :start, :end, :by, :at)",
      soci::use(exception.id), soci::use(stored.practitioner_id), soci::use(date), soci::use(kind),
      soci::use(exception.start_minute), soci::use(exception.end_minute),
      soci::use(stored.created_by), soci::use(stored.created_at);
  return ok_status();
}

bool AvailabilityStore::remove_exception(soci::session& session, const std::string& practitioner_id,
                                         const std::string& exception_id) {
  soci::statement statement =
      (session.prepare << "DELETE FROM availability_exceptions WHERE id = :id AND "
                          "practitioner_id = :practitioner",
       soci::use(exception_id), soci::use(practitioner_id));
  statement.execute(true);
  return statement.get_affected_rows() == 1;
}

Result<std::vector<AvailabilityException>> AvailabilityStore::exceptions(
    soci::session& session, const std::string& practitioner_id, const LocalDate& first,
    const LocalDate& last) {
  // Dates are stored as YYYY-MM-DD, whose text order is their date order.
  const std::string from = format_local_date(first);
  const std::string to = format_local_date(last);
  std::vector<AvailabilityException> exceptions;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT id, on_date, kind, start_minute, end_minute FROM "
                          "availability_exceptions WHERE practitioner_id = :id AND on_date >= "
                          ":from AND on_date <= :to ORDER BY on_date, start_minute, id",
       soci::use(practitioner_id), soci::use(from), soci::use(to));
  for (const soci::row& row : rows) {
    AvailabilityException exception;
    exception.id = row.get<std::string>(0);
    auto date = parse_local_date(row.get<std::string>(1));
    auto kind = parse_exception_kind(row.get<std::string>(2));
    if (!date.ok() || !kind.ok()) {
      return Error(ErrorCode::kDataLoss,
                   "availability exception " + exception.id + " has a malformed date or kind");
    }
    exception.date = *date;
    exception.kind = *kind;
    exception.start_minute = static_cast<int>(storage::column_int64(row, 3));
    exception.end_minute = static_cast<int>(storage::column_int64(row, 4));
    exceptions.push_back(exception);
  }
  return exceptions;
}

}  // namespace th::scheduling
