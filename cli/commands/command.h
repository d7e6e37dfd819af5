// The contract between thctl's main() and its commands.
//
// Each noun (status, user, role, ...) lives in its own file and exposes one
// registrar that adds its subcommands to the CLI11 app. A command's callback
// calls run_command() with its body; the body returns a Status, and
// run_command() prints a failure the one way thctl prints failures
// ("thctl: error: <message>" on stderr) and records the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "cli_context.h"
#include "client/api_client.h"
#include "util/result.h"

namespace th::cli {

struct CommandEnv {
  GlobalOptions options;
  std::string output_name = "table";
  int exit_code = 0;
  std::ostream* out = &std::cout;
};

void run_command(CommandEnv& env, const std::function<Status(ApiClient&)>& body);

// Prints "thctl: error: <message>" to stderr.
void print_error(std::string_view message);

using NounRegistrar = void (*)(CLI::App& app, CommandEnv& env);

// One registrar per noun file.
void register_status_command(CLI::App& app, CommandEnv& env);
void register_user_command(CLI::App& app, CommandEnv& env);
void register_role_command(CLI::App& app, CommandEnv& env);
void register_careteam_command(CLI::App& app, CommandEnv& env);
void register_document_command(CLI::App& app, CommandEnv& env);
void register_session_command(CLI::App& app, CommandEnv& env);
void register_token_command(CLI::App& app, CommandEnv& env);
void register_access_command(CLI::App& app, CommandEnv& env);
void register_patient_command(CLI::App& app, CommandEnv& env);
void register_audit_command(CLI::App& app, CommandEnv& env);
void register_audit_query_command(CLI::App& app, CommandEnv& env);
void register_integrity_command(CLI::App& app, CommandEnv& env);
void register_keys_command(CLI::App& app, CommandEnv& env);
void register_practitioner_command(CLI::App& app, CommandEnv& env);
void register_appointment_command(CLI::App& app, CommandEnv& env);
void register_schedule_command(CLI::App& app, CommandEnv& env);
void register_reminder_command(CLI::App& app, CommandEnv& env);
void register_calendar_command(CLI::App& app, CommandEnv& env);

// ---- Helpers for the noun files ----

// Adds verb `name` to `noun`; its callback runs `body` through run_command.
CLI::App* add_verb(CLI::App& noun, const std::string& name, const std::string& description,
                   CommandEnv& env, std::function<Status(ApiClient&)> body);

// `value` as one segment of an API path. The daemon matches segments as
// written, without percent-decoding, so anything but letters, digits and
// ". _ - @ + :" is refused (kInvalidArgument) instead of being sent.
[[nodiscard]] Result<std::string> path_segment(std::string_view value, std::string_view what);

// "?name=value" with the value percent-encoded; empty when value is empty.
[[nodiscard]] std::string query_string(std::string_view name, std::string_view value);

// A request whose reply is a JSON object; POSTs without a body send {}.
[[nodiscard]] Result<Poco::JSON::Object::Ptr> call_object(ApiClient& client,
                                                          const std::string& method,
                                                          const std::string& path,
                                                          Poco::JSON::Object::Ptr body = nullptr);

// A GET of a listing: the array under the reply's "items".
[[nodiscard]] Result<Poco::JSON::Array::Ptr> get_items(ApiClient& client, const std::string& path);

// print_record / print_listing in the chosen format, unless --quiet.
void show_record(CommandEnv& env, const Poco::JSON::Object::Ptr& record,
                 const std::vector<Column>& columns);
void show_listing(CommandEnv& env, const Poco::JSON::Array::Ptr& rows,
                  const std::vector<Column>& columns);

// `record` with each array field named in `fields` turned into one
// space-separated cell, for table and CSV output; JSON output keeps the
// daemon's arrays, so there the record itself is returned.
[[nodiscard]] Poco::JSON::Object::Ptr lists_as_text(const CommandEnv& env,
                                                    const Poco::JSON::Object::Ptr& record,
                                                    const std::vector<std::string>& fields);

// A change the daemon confirmed with {"ok": true}: the reply (json), an "ok"
// column (csv) or the sentence `done` (table); nothing with --quiet.
void show_done(CommandEnv& env, const Poco::JSON::Object::Ptr& reply, const std::string& done);

// A record holding a secret the daemon shows only once (an enrolment code,
// a token) in field `secret_field`: the record (json, csv; `columns` should
// include the field), or the record followed by "<label> (shown once):
// <secret>" (table). With --quiet only the bare secret is printed, so that a
// script can capture it.
void show_record_with_secret(CommandEnv& env, const Poco::JSON::Object::Ptr& record,
                             const std::vector<Column>& columns, const std::string& secret_field,
                             const std::string& label);

// For a command line CLI11 refused, a clearer message when the noun or verb
// is the problem: "unknown command '<words>'" with "did you mean '<name>'?"
// for a close enough name, or "'<noun>' needs a command: <verbs>" when the
// verb is missing. Empty when the failure is of another kind.
[[nodiscard]] std::string unknown_command_message(const CLI::App& app,
                                                  const std::vector<std::string>& args);

}  // namespace th::cli
