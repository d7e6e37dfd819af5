// MessageSender: delivers one claimed outbox message over one channel
// (SmtpSender for email, SmsSender for SMS; tests plug in their own).
//
// A sender reports what the outbox should do next:
//   kSent      the provider accepted the message;
//   kRetry     it may succeed later (the provider is down, busy, or refused
//              the connection; TLS or credentials are wrong, which an
//              operator can fix): try again after a backoff;
//   kRejected  it will never succeed (the provider refused this recipient
//              or message for good): fail it now.
// `detail` says why, for operators, without personal data: no address, no
// message text, no provider reply that could quote them.
//
// The dispatcher calls a sender from its own thread only, one message at a
// time; implementations need not be thread-safe.
#pragma once

#include <string>

#include "notify/outbox_message.h"

namespace th::notify {

enum class SendOutcome { kSent, kRetry, kRejected };

struct SendResult {
  SendOutcome outcome = SendOutcome::kSent;
  std::string detail;

  static SendResult sent() { return {SendOutcome::kSent, ""}; }
  static SendResult retry(std::string detail) { return {SendOutcome::kRetry, std::move(detail)}; }
  static SendResult rejected(std::string detail) {
    return {SendOutcome::kRejected, std::move(detail)};
  }
};

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  virtual SendResult send(const ClaimedMessage& message) = 0;
};

}  // namespace th::notify
