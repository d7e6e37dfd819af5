// thctl's exit codes, in the style of sysexits(3). Listed in thctl(1).
#pragma once

#include "util/error.h"

namespace th::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOther = 1;
inline constexpr int kExitUsage = 64;  // EX_USAGE: bad command line
inline constexpr int kExitDataError =
    65;  // EX_DATAERR: the input or request was refused as invalid
inline constexpr int kExitUnavailable = 69;   // EX_UNAVAILABLE: the daemon could not be reached
inline constexpr int kExitNoPermission = 77;  // EX_NOPERM: authentication or authorization failed

int exit_code_for(ErrorCode code);

}  // namespace th::cli
