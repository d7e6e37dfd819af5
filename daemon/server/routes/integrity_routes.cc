#include "server/routes/integrity_routes.h"

#include <algorithm>

#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

// How many failed rows the audit event names; the report names them all.
constexpr std::size_t kAuditedFailures = 10;

Poco::JSON::Object::Ptr report_json(const storage::IntegrityReport& report) {
  Poco::JSON::Array::Ptr tables = new Poco::JSON::Array;
  for (const storage::TableSummary& table : report.tables) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("table", table.table);
    item->set("rows_checked", static_cast<Poco::UInt64>(table.rows_checked));
    item->set("rows_failed", static_cast<Poco::UInt64>(table.rows_failed));
    tables->add(item);
  }
  Poco::JSON::Array::Ptr failures = new Poco::JSON::Array;
  for (const storage::RecordFailure& failure : report.failures) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("table", failure.table);
    item->set("row_id", failure.row_id);
    Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
    for (const std::string& problem : failure.problems) {
      problems->add(problem);
    }
    item->set("problems", problems);
    failures->add(item);
  }
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("ok", report.ok());
  object->set("rows_checked", static_cast<Poco::UInt64>(report.rows_checked()));
  object->set("tables", tables);
  object->set("failures", failures);
  return object;
}

// "2 records failed: patients/<id>, users/<id>", naming at most a few rows.
std::string failure_summary(const storage::IntegrityReport& report) {
  std::string text = std::to_string(report.failures.size()) + " record(s) failed:";
  const std::size_t named = std::min(report.failures.size(), kAuditedFailures);
  for (std::size_t i = 0; i < named; ++i) {
    text += (i == 0 ? " " : ", ") + report.failures[i].table + "/" + report.failures[i].row_id;
  }
  if (named < report.failures.size()) {
    text += ", ...";
  }
  return text;
}

// The walk, then its audit event, then the report.
Result<ApiResponse> check(const storage::IntegrityScanner& scanner, audit::AuditSink& audit,
                          ServiceContext& context, ApiRequest& request) {
  const auto report = scanner.scan();
  audit::AuditEvent event = caller_of(request, context).event("verify", "personal_data");
  if (!report.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = report.error().message();
  } else if (!report->ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = failure_summary(*report);
  }
  TH_RETURN_IF_ERROR(audit.record(std::move(event)));
  if (!report.ok()) {
    return report.error();
  }
  return ApiResponse::json(200, report_json(*report));
}

}  // namespace

void add_integrity_routes(Router& router, const storage::IntegrityScanner& scanner,
                          audit::AuditSink& audit, ServiceContext& context) {
  router.add("POST", "/api/v1/integrity/check", Access::permission("integrity.check"),
             [&scanner, &audit, &context](ApiRequest& request) {
               return check(scanner, audit, context, request);
             });
}

}  // namespace th::server
