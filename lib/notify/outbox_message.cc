#include "notify/outbox_message.h"

namespace th::notify {
namespace {

constexpr OutboxStatus kAllStatuses[] = {OutboxStatus::kPending, OutboxStatus::kSending,
                                         OutboxStatus::kSent, OutboxStatus::kFailed,
                                         OutboxStatus::kCancelled};

}  // namespace

std::string_view outbox_status_name(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::kPending:
      return "pending";
    case OutboxStatus::kSending:
      return "sending";
    case OutboxStatus::kSent:
      return "sent";
    case OutboxStatus::kFailed:
      return "failed";
    case OutboxStatus::kCancelled:
      return "cancelled";
  }
  return "pending";
}

Result<OutboxStatus> parse_outbox_status(std::string_view name) {
  for (const OutboxStatus status : kAllStatuses) {
    if (outbox_status_name(status) == name) {
      return status;
    }
  }
  return Error(ErrorCode::kInvalidArgument,
               "status must be pending, sending, sent, failed or cancelled");
}

}  // namespace th::notify
