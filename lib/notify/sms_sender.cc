#include "notify/sms_sender.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/URI.h>

#include <cstdio>

#include "crypto/encoding.h"

namespace th::notify {
namespace {

constexpr std::size_t kMaxReplyBytes = 64 * 1024;

std::string form_encoded(std::string_view text) {
  std::string out;
  // Everything but the unreserved characters of RFC 3986 is escaped.
  Poco::URI::encode(std::string(text), "!#$&'()*+,/:;=?@[]\"<>%{}|\\^`", out);
  return out;
}

bool is_form_content(std::string_view content_type) {
  return content_type.starts_with("application/x-www-form-urlencoded");
}

SendResult classify_status(int status) {
  const std::string detail = "the SMS provider answered HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) {
    return SendResult::sent();
  }
  if (status == 408 || status == 425 || status == 429 || status >= 500) {
    return SendResult::retry(detail);
  }
  return SendResult::rejected(detail);
}

// Reads and drops the reply, up to a bound, so the connection ends cleanly.
void discard(std::istream& in) {
  char buffer[4096];
  std::size_t total = 0;
  while (in && total < kMaxReplyBytes) {
    in.read(buffer, sizeof buffer);
    total += static_cast<std::size_t>(in.gcount());
  }
}

}  // namespace

std::string json_string_literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string SmsSender::request_body(const ClaimedMessage& message) const {
  const std::map<std::string, std::string, std::less<>> values = {
      {"to", message.recipient}, {"from", settings_.from}, {"body", message.body}};
  if (is_form_content(settings_.content_type)) {
    return settings_.body_template.render(values, form_encoded);
  }
  return settings_.body_template.render(values, json_string_literal);
}

std::string SmsSender::authorization_value() const {
  if (settings_.credentials.empty()) {
    return "";
  }
  if (settings_.auth_scheme == "Basic") {
    return "Basic " + crypto::base64_encode(settings_.credentials);
  }
  if (settings_.auth_scheme.empty()) {
    return settings_.credentials;
  }
  return settings_.auth_scheme + " " + settings_.credentials;
}

SendResult SmsSender::send(const ClaimedMessage& message) {
  try {
    const Poco::URI uri(settings_.url);
    Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), tls_);
    session.setTimeout(Poco::Timespan(settings_.timeout_seconds, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string body = request_body(message);
    request.setContentType(settings_.content_type);
    request.setContentLength64(static_cast<std::int64_t>(body.size()));
    request.set("Idempotency-Key", message.entry.id);
    if (const std::string authorization = authorization_value(); !authorization.empty()) {
      request.set(settings_.auth_header, authorization);
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    discard(in);
    return classify_status(static_cast<int>(response.getStatus()));
  } catch (const Poco::Net::SSLException& failure) {
    return SendResult::retry("TLS with the SMS provider failed: " + failure.displayText());
  } catch (const Poco::TimeoutException&) {
    return SendResult::retry("the SMS provider did not answer in time");
  } catch (const Poco::Exception& failure) {
    return SendResult::retry("SMS provider connection failed: " + failure.displayText());
  }
}

}  // namespace th::notify
