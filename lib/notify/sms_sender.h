// SmsSender: sends outbox text messages through an SMS provider's HTTPS API,
// one POST per message, in the shape the configuration describes:
//   - the endpoint URL (https:// only);
//   - a request body template with {to}, {from} and {body}, whose values are
//     written as JSON strings when the content type is JSON and
//     percent-encoded for application/x-www-form-urlencoded;
//   - an authentication header: its name, and a scheme ("Bearer" sends
//     "Bearer <secret>", "Basic" sends "Basic base64(<secret>)", empty sends
//     the secret as it is) with the secret read from a credentials file.
// The provider's certificate is checked against the configured CA and the
// URL's host. 2xx is success; 408, 425, 429 and 5xx are retried; any other
// answer rejects the message for good. The provider's reply body is never
// kept (it may quote the number or the text). Each request carries the
// outbox id as Idempotency-Key, so a provider that honours the header drops
// a repeat of a send whose answer was lost.
// Not thread-safe (one dispatcher thread).
#pragma once

#include <Poco/Net/Context.h>

#include <string>

#include "notify/message_sender.h"
#include "util/text_template.h"

namespace th::notify {

// The placeholders an SMS request body template may use.
inline constexpr std::string_view kSmsBodyPlaceholders[] = {"to", "from", "body"};

struct SmsSettings {
  std::string url;  // https://provider.example/v1/messages
  std::string from;
  TextTemplate body_template;
  std::string content_type = "application/json";
  std::string auth_header = "Authorization";
  std::string auth_scheme = "Bearer";
  std::string credentials;  // the secret; empty sends no authentication header
  int timeout_seconds = 30;
};

class SmsSender final : public MessageSender {
 public:
  SmsSender(SmsSettings settings, Poco::Net::Context::Ptr tls)
      : settings_(std::move(settings)), tls_(std::move(tls)) {}

  SendResult send(const ClaimedMessage& message) override;

  // The request body for `message` (exposed for tests).
  [[nodiscard]] std::string request_body(const ClaimedMessage& message) const;
  // The authentication header's value; empty for none.
  [[nodiscard]] std::string authorization_value() const;

 private:
  SmsSettings settings_;
  Poco::Net::Context::Ptr tls_;
};

// `text` as a JSON string literal, quotes included.
[[nodiscard]] std::string json_string_literal(std::string_view text);

}  // namespace th::notify
