// Reading a small whole file (a config file, a secret) with errors in the
// project's grammar. Internal to lib/config.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th {

// Reads the regular file at `path`, refusing anything larger than
// `max_bytes`. Errors read "read <what> '<path>': <reason>" and never quote
// the content: ENOENT is kNotFound, EACCES and EPERM kPermissionDenied, a
// non-regular or oversized file kInvalidArgument, anything else kInternal.
// Thread-safe.
[[nodiscard]] Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes,
                                                  std::string_view what);

}  // namespace th
