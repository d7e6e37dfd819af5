// Loading the daemon's TOML configuration into a Config.
//
// Keys left out keep their defaults (config.h). Everything else is strict:
// an unknown section or key, a value of the wrong type, a value out of range
// or of the wrong shape, and settings that contradict each other are all
// errors, so a typo never silently leaves a default in force. Every problem
// in the file is reported at once, one per line, sorted by position:
//
//   telehealthd.toml:12:1: unknown key 'server.listn' (did you mean 'server.listen'?)
//   telehealthd.toml:14:18: key 'server.worker_threads' must be an integer between 1 and 1024, got
//   0
//
// Unknown names are located at the key, bad values at the value; TOML syntax
// errors carry toml++'s line and column. All such problems are
// kInvalidArgument. Messages never quote a secret (secrets live in files the
// config only names).
//
// Both functions are thread-safe; they touch no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "config/config.h"
#include "util/result.h"

namespace th {

// The largest configuration file accepted.
inline constexpr std::size_t kMaxConfigFileBytes = 1 << 20;

// Reads and parses the file at `path`, which also names it in messages and in
// Config::source_path. Fails as parse_config() does, or with
// "read config file '<path>': <reason>" (kNotFound, kPermissionDenied,
// kInvalidArgument for a non-regular or oversized file, kInternal otherwise).
[[nodiscard]] Result<Config> load_config_file(const std::string& path);

// Parses `toml_text`; `source_name` prefixes every message and becomes
// Config::source_path.
[[nodiscard]] Result<Config> parse_config(std::string_view toml_text,
                                          const std::string& source_name);

}  // namespace th
