// Process-wide logging setup over spdlog.
//
// Policy (applies to every log call in the project):
//   - info is rare and operator-relevant: start, listen addresses, config
//     path, reloads, stop. Nothing at info or above may be triggered by a
//     remote peer without limit; per-request lines are at debug, except
//     errors (5xx), which are warnings.
//   - never log personal data, secrets, tokens, request bodies or query
//     strings; log identifiers (request id, user id) and counts.
// Output goes to stderr (journald under systemd), as text for a terminal or
// one JSON object per line.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

#include "util/result.h"

namespace th::logging {

enum class LogFormat { kText, kJson };

Result<spdlog::level::level_enum> parse_log_level(std::string_view name);
Result<LogFormat> parse_log_format(std::string_view name);

// Replaces the default logger with one writing to stderr in the given format.
void configure(LogFormat format, spdlog::level::level_enum level);

// Changes the level of the default logger; used on SIGHUP.
void set_level(spdlog::level::level_enum level);

// A formatter writing each record as one JSON object:
//   {"time":"2026-12-03T21:03:57.123456Z","level":"info","msg":"..."}
std::unique_ptr<spdlog::formatter> make_json_formatter();

}  // namespace th::logging
