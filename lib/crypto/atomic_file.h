// Writing a file so that readers see either the old contents or the complete
// new contents, never a partial file, and with a permission mode that is
// right from the first byte (private keys must never exist world-readable,
// not even briefly).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

// Writes contents to a new temporary file beside path, created with exactly
// `mode` (the umask does not apply), syncs it, renames it over path and syncs
// the directory. On failure the temporary file is removed, path is left as it
// was, and the Status holds kUnavailable with the system's reason. Concurrent
// writers of the same path do not corrupt it: the last rename wins.
[[nodiscard]] Status write_file_atomically(const std::string& path, std::string_view contents,
                                           mode_t mode);

}  // namespace th::crypto
