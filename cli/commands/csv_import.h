// Sending a CSV import file to the daemon and reporting the outcome, shared
// by the nouns that import (`thctl user import`, `thctl patient import`).
//
// The daemon takes the file whole, all rows or none. When it refuses, every
// bad row it names goes to stderr as FILE:LINE: message (FILE: message for a
// problem of the whole file), the way compilers report, and the refusal is
// returned for run_command to print last. On success the created records are
// listed in the chosen format with `columns`, unless --quiet.
#pragma once

#include <string>
#include <vector>

#include "commands/command.h"

namespace th::cli {

// POSTs the file at `file` (at most kMaxImportBytes, read before anything
// is sent) to `path` as text/csv.
[[nodiscard]] Status import_csv_file(CommandEnv& env, ApiClient& client, const std::string& file,
                                     const std::string& path, const std::vector<Column>& columns);

}  // namespace th::cli
