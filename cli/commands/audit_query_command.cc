// thctl audit search | report | export: the audit trail read back, for
// holders of "audit.read" (compliance officers; the local operator does not
// hold it, so these run with --url and a compliance officer's token).
//
// Registers its verbs on the `audit` noun, creating it when no other file
// has yet, so the order of the registrars does not matter.
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <streambuf>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kEventColumns = {
    {"seq", "seq"},
    {"occurred_at", "time"},
    {"actor_user_id", "user"},
    {"actor_role", "role"},
    {"action", "action"},
    {"resource_type", "resource"},
    {"resource_id", "resource id"},
    {"patient_id", "patient"},
    {"outcome", "outcome"},
    {"emergency", "emergency"},
};

const std::vector<Column> kAccessSummaryColumns = {
    {"actor_user_id", "user"}, {"actor_role", "role"}, {"action", "action"}, {"outcome", "outcome"},
    {"count", "count"},        {"first", "first"},     {"last", "last"},
};

const std::vector<Column> kActivitySummaryColumns = {
    {"action", "action"},   {"resource_type", "resource"},
    {"outcome", "outcome"}, {"count", "count"},
    {"first", "first"},     {"last", "last"},
};

const std::vector<Column> kGrantColumns = {
    {"id", "grant"},
    {"user_id", "user"},
    {"patient_id", "patient"},
    {"granted_at", "granted"},
    {"expires_at", "expires"},
    {"review_state", "review"},
    {"reviewed_by", "reviewed by"},
    {"access_count", "accesses"},
};

const std::vector<Column> kFailedLoginColumns = {
    {"actor_user_id", "user"}, {"source_address", "source"}, {"count", "count"}, {"first", "first"},
    {"last", "last"},          {"reasons", "reasons"},
};

struct AuditQueryOptions {
  std::string user;
  std::string patient;
  std::string action;
  std::string resource;
  std::string outcome;
  std::string from;
  std::string to;
  bool emergency = false;
  int limit = 100;
  bool all = false;
  std::string after;
  std::string format;
  std::string out;
};

// An API path with query parameters; empty values are left out.
class ApiPath {
 public:
  explicit ApiPath(std::string path) : text_(std::move(path)) {}

  ApiPath& add(std::string_view name, std::string_view value) {
    if (!value.empty()) {
      std::string encoded;
      Poco::URI::encode(std::string(value), "!#$&'()*+,/:;=?@[]", encoded);
      text_ +=
          (text_.find('?') == std::string::npos ? "?" : "&") + std::string(name) + "=" + encoded;
    }
    return *this;
  }

  ApiPath& add_filters(const AuditQueryOptions& options) {
    add("user", options.user).add("patient", options.patient).add("action", options.action);
    add("resource", options.resource).add("outcome", options.outcome);
    add("from", options.from).add("to", options.to);
    return add("emergency", options.emergency ? "true" : "");
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// The "next" cursor of a page: empty on the last page.
std::string next_cursor(const Poco::JSON::Object::Ptr& page) {
  return field_text(page, "next");
}

Result<Poco::JSON::Array::Ptr> items_of(const Poco::JSON::Object::Ptr& page) {
  Poco::JSON::Array::Ptr items = page->getArray("items");
  if (!items) {
    return Error(ErrorCode::kInternal, "the daemon's reply has no 'items' list");
  }
  return items;
}

// Fetches `path` page after page, appending every page's items to `items`;
// returns the first page (for the fields besides the items). With `all`
// false only the first page is read, and a note says how to go on.
Result<Poco::JSON::Object::Ptr> fetch_pages(CommandEnv& env, ApiClient& client, const ApiPath& path,
                                            std::string after, bool all,
                                            Poco::JSON::Array::Ptr items) {
  Poco::JSON::Object::Ptr first;
  while (true) {
    ApiPath page_path = path;
    auto page = client.get_object(page_path.add("after", after).text());
    if (!page.ok()) {
      return page.error();
    }
    auto page_items = items_of(*page);
    if (!page_items.ok()) {
      return page_items.error();
    }
    for (std::size_t i = 0; i < (*page_items)->size(); ++i) {
      items->add((*page_items)->get(static_cast<unsigned>(i)));
    }
    if (!first) {
      first = *page;
    }
    after = next_cursor(*page);
    if (after.empty()) {
      return first;
    }
    if (!all) {
      if (!env.options.quiet) {
        std::cerr << "thctl: note: more events follow; repeat with --after " << after
                  << ", or use --all\n";
      }
      return first;
    }
  }
}

Status search_events(CommandEnv& env, ApiClient& client, const AuditQueryOptions& options) {
  ApiPath path("/api/v1/audit/events");
  path.add_filters(options).add("limit", std::to_string(options.limit));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  auto first = fetch_pages(env, client, path, options.after, options.all, items);
  if (!first.ok()) {
    return first.error();
  }
  show_listing(env, items, kEventColumns);
  return ok_status();
}

// The access and user reports: every page of events under the summary.
// Tables show the summary, then the events; CSV the events; JSON the whole
// report with every event under "items".
Status activity_report(CommandEnv& env, ApiClient& client, const AuditQueryOptions& options,
                       const std::string& kind) {
  const bool by_patient = kind == "access";
  const std::string& subject = by_patient ? options.patient : options.user;
  ApiPath path("/api/v1/audit/reports/" + kind);
  path.add(by_patient ? "patient" : "user", subject).add("from", options.from);
  path.add("to", options.to).add("limit", "1000");
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  auto report = fetch_pages(env, client, path, "", true, items);
  if (!report.ok()) {
    return report.error();
  }
  (*report)->set("items", items);
  (*report)->remove("next");
  if (env.options.quiet) {
    return ok_status();
  }
  const auto& summary_columns = by_patient ? kAccessSummaryColumns : kActivitySummaryColumns;
  switch (env.options.output) {
    case OutputFormat::kJson:
      print_record(*env.out, OutputFormat::kJson, *report, {});
      break;
    case OutputFormat::kCsv:
      print_listing(*env.out, OutputFormat::kCsv, items, kEventColumns);
      break;
    case OutputFormat::kTable:
      *env.out << (by_patient ? "Accesses to patient " : "Activity of user ") << subject << "\n\n";
      print_listing(*env.out, OutputFormat::kTable, (*report)->getArray("summary"),
                    summary_columns);
      *env.out << "\n";
      print_listing(*env.out, OutputFormat::kTable, items, kEventColumns);
      break;
  }
  return ok_status();
}

// Reports that come whole: the grants of emergency access, the refused
// sign-ins. JSON shows the report, the other formats its items.
Status whole_report(CommandEnv& env, ApiClient& client, const ApiPath& path,
                    const std::vector<Column>& columns) {
  auto report = client.get_object(path.text());
  if (!report.ok()) {
    return report.error();
  }
  auto items = items_of(*report);
  if (!items.ok()) {
    return items.error();
  }
  if (env.options.output == OutputFormat::kJson) {
    show_record(env, *report, {});
  } else {
    show_listing(env, *items, columns);
  }
  return ok_status();
}

// Counts the records of an export as they pass on to the real output:
// lines for NDJSON, and for CSV the line ends outside quoted fields, less
// the header row.
class RecordCounter final : public std::streambuf {
 public:
  RecordCounter(std::ostream& sink, bool csv) : sink_(sink), csv_(csv) {}

  std::int64_t records() const { return csv_ && ends_ > 0 ? ends_ - 1 : ends_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) {
      return traits_type::not_eof(c);
    }
    const char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }

  std::streamsize xsputn(const char* data, std::streamsize size) override {
    for (std::streamsize i = 0; i < size; ++i) {
      if (csv_ && data[i] == '"') {
        quoted_ = !quoted_;
      } else if (data[i] == '\n' && !quoted_) {
        ++ends_;
      }
    }
    sink_.write(data, size);
    return sink_ ? size : 0;
  }

 private:
  std::ostream& sink_;
  bool csv_;
  bool quoted_ = false;
  std::int64_t ends_ = 0;
};

// Streams the export into `sink` and checks that every event the daemon
// announced arrived: a cut-short download is an error, never a short file.
Status download_export(ApiClient& client, const AuditQueryOptions& options, std::ostream& sink) {
  ApiPath path("/api/v1/audit/export");
  path.add("format", options.format).add_filters(options);
  RecordCounter counter(sink, options.format == "csv");
  std::ostream counted(&counter);
  auto headers = client.download(path.text(), counted);
  if (!headers.ok()) {
    return headers.error();
  }
  counted.flush();
  if (!sink) {
    return Error(ErrorCode::kInternal, "write the export: the output refused the data");
  }
  const std::string announced = headers->get("X-Audit-Event-Count", "");
  if (announced.empty()) {
    return Error(ErrorCode::kInternal, "the daemon's export reply has no event count");
  }
  if (std::to_string(counter.records()) != announced) {
    return Error(ErrorCode::kUnavailable, "the export was cut short: received " +
                                              std::to_string(counter.records()) + " of " +
                                              announced + " events");
  }
  return ok_status();
}

// To --out FILE the export goes into FILE.partial (owner-only, as it lists
// who touched which patient), renamed to FILE once complete.
Status export_events(CommandEnv& env, ApiClient& client, const AuditQueryOptions& options) {
  if (options.out.empty() || options.out == "-") {
    return download_export(client, options, *env.out);
  }
  const std::string partial = options.out + ".partial";
  Status written = ok_status();
  {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Error(ErrorCode::kInvalidArgument,
                   "create '" + partial + "': cannot open for writing");
    }
    std::error_code ignored;
    std::filesystem::permissions(
        partial, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ignored);
    written = download_export(client, options, file);
    file.close();
    if (written.ok() && !file) {
      written = Error(ErrorCode::kInternal, "write '" + partial + "': the disk refused the data");
    }
  }
  std::error_code failure;
  if (written.ok()) {
    std::filesystem::rename(partial, options.out, failure);
    if (failure) {
      return Error(ErrorCode::kInternal, "rename '" + partial + "': " + failure.message());
    }
    return ok_status();
  }
  std::filesystem::remove(partial, failure);
  return written;
}

CLI::App* audit_noun(CLI::App& app) {
  const auto found =
      app.get_subcommands([](CLI::App* command) { return command->get_name() == "audit"; });
  if (!found.empty()) {
    return found.front();
  }
  CLI::App* audit = app.add_subcommand("audit", "The audit trail: verify, prove, search, report");
  audit->require_subcommand(1);
  return audit;
}

void add_filter_options(CLI::App& verb, AuditQueryOptions& options) {
  verb.add_option("--user", options.user, "only events of this actor (user ID)");
  verb.add_option("--patient", options.patient, "only events about this patient ID");
  verb.add_option("--action", options.action, "only this action: read, login, search, ...");
  verb.add_option("--resource", options.resource, "only this resource type: patient_record, ...");
  verb.add_option("--outcome", options.outcome, "only this outcome")
      ->check(CLI::IsMember({"success", "denied", "error"}));
  verb.add_option("--from", options.from, "at or after TIME (RFC 3339 or YYYY-MM-DD)");
  verb.add_option("--to", options.to, "at or before TIME (a date covers the whole day)");
  verb.add_flag("--emergency", options.emergency, "only access under emergency (break-glass)");
}

void add_interval_options(CLI::App& verb, AuditQueryOptions& options) {
  verb.add_option("--from", options.from, "at or after TIME (RFC 3339 or YYYY-MM-DD)");
  verb.add_option("--to", options.to, "at or before TIME (a date covers the whole day)");
}

void register_reports(CLI::App& audit, CommandEnv& env,
                      const std::shared_ptr<AuditQueryOptions>& options) {
  CLI::App* report = audit.add_subcommand("report", "Compliance reports from the audit trail");
  report->require_subcommand(1);

  CLI::App* access = add_verb(
      *report, "access", "Who accessed one patient's data, and how", env,
      [&env, options](ApiClient& c) { return activity_report(env, c, *options, "access"); });
  access->add_option("--patient", options->patient, "ID of the patient")->required();
  add_interval_options(*access, *options);

  CLI::App* user =
      add_verb(*report, "user", "Everything one person did", env,
               [&env, options](ApiClient& c) { return activity_report(env, c, *options, "user"); });
  user->add_option("--user", options->user, "ID of the user")->required();
  add_interval_options(*user, *options);

  add_verb(*report, "emergency", "Every emergency-access grant, its review and its use", env,
           [&env](ApiClient& c) {
             return whole_report(env, c, ApiPath("/api/v1/audit/reports/emergency"), kGrantColumns);
           });

  CLI::App* failed = add_verb(*report, "failed-logins", "Refused sign-ins by user and source", env,
                              [&env, options](ApiClient& c) {
                                ApiPath path("/api/v1/audit/reports/failed-logins");
                                path.add("from", options->from).add("to", options->to);
                                return whole_report(env, c, path, kFailedLoginColumns);
                              });
  add_interval_options(*failed, *options);
}

}  // namespace

void register_audit_query_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<AuditQueryOptions>();
  CLI::App* audit = audit_noun(app);

  CLI::App* search =
      add_verb(*audit, "search", "Search audit events, oldest first", env,
               [&env, options](ApiClient& c) { return search_events(env, c, *options); });
  add_filter_options(*search, *options);
  search->add_option("--limit", options->limit, "events per page (1 to 1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  search->add_flag("--all", options->all, "follow every page to the end");
  search->add_option("--after", options->after, "continue after this cursor (from a note)");

  register_reports(*audit, env, options);

  CLI::App* exporter =
      add_verb(*audit, "export", "Stream audit events as CSV, NDJSON or FHIR", env,
               [&env, options](ApiClient& c) { return export_events(env, c, *options); });
  exporter->add_option("--format", options->format, "csv, ndjson or fhir (FHIR R4 AuditEvent)")
      ->required()
      ->check(CLI::IsMember({"csv", "ndjson", "fhir"}));
  add_filter_options(*exporter, *options);
  exporter->add_option("--out", options->out, "write to FILE instead of standard output");
}

}  // namespace th::cli
