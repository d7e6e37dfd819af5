// thctl integrity: the check of every stored record of personal data
// against its integrity tag and sealed fields. The report names tables and
// row ids, never stored values.
#include "commands/command.h"
#include "exit_codes.h"

namespace th::cli {
namespace {

const std::vector<Column> kTableColumns = {
    {"table", "table"},
    {"rows_checked", "rows checked"},
    {"rows_failed", "rows failed"},
};

const std::vector<Column> kProblemColumns = {
    {"table", "table"},
    {"row_id", "row id"},
    {"problem", "problem"},
};

// One row per problem, so that table and CSV output have one value a cell.
Poco::JSON::Array::Ptr problem_rows(const Poco::JSON::Array::Ptr& failures) {
  Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
  for (std::size_t i = 0; failures && i < failures->size(); ++i) {
    const Poco::JSON::Object::Ptr failure = failures->getObject(static_cast<unsigned>(i));
    const Poco::JSON::Array::Ptr problems = failure->getArray("problems");
    for (std::size_t j = 0; problems && j < problems->size(); ++j) {
      Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
      row->set("table", failure->get("table"));
      row->set("row_id", failure->get("row_id"));
      row->set("problem", problems->get(static_cast<unsigned>(j)));
      rows->add(row);
    }
  }
  return rows;
}

void show_report(CommandEnv& env, const Poco::JSON::Object::Ptr& report,
                 const Poco::JSON::Array::Ptr& failures) {
  if (env.options.quiet) {
    return;
  }
  switch (env.options.output) {
    case OutputFormat::kJson:
      show_record(env, report, {});
      return;
    case OutputFormat::kCsv:
      show_listing(env, problem_rows(failures), kProblemColumns);
      return;
    case OutputFormat::kTable:
      show_listing(env, report->getArray("tables"), kTableColumns);
      if (failures && failures->size() > 0) {
        *env.out << "\n";
        show_listing(env, problem_rows(failures), kProblemColumns);
      }
      return;
  }
}

// Rows that failed are the output, and the exit code says "data error"
// whatever the format.
Status check(CommandEnv& env, ApiClient& client) {
  auto report = call_object(client, "POST", "/api/v1/integrity/check");
  if (!report.ok()) {
    return report.error();
  }
  const Poco::JSON::Array::Ptr failures = (*report)->getArray("failures");
  show_report(env, *report, failures);
  if (failures && failures->size() > 0) {
    print_error("integrity check failed: " + std::to_string(failures->size()) +
                " record(s) do not match their integrity tag or do not decrypt");
    env.exit_code = kExitDataError;
  }
  return ok_status();
}

}  // namespace

void register_integrity_command(CLI::App& app, CommandEnv& env) {
  CLI::App* integrity =
      app.add_subcommand("integrity", "Check stored personal data for alteration");
  integrity->require_subcommand(1);
  add_verb(*integrity, "check",
           "Check every record's integrity tag and sealed fields (exit 65 if any fails)", env,
           [&env](ApiClient& c) { return check(env, c); });
}

}  // namespace th::cli
