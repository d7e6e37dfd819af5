#include "exit_codes.h"

namespace th::cli {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kDataLoss:
      return kExitDataError;
    case ErrorCode::kUnavailable:
      return kExitUnavailable;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return kExitNoPermission;
    default:
      return kExitOther;
  }
}

}  // namespace th::cli
