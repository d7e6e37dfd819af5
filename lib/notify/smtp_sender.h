// SmtpSender: sends outbox emails through an SMTP submission server, over a
// connection that STARTTLS must secure before anything but the greeting and
// EHLO crosses it.
//
// For each message: connect (with the timeout), EHLO, STARTTLS, the TLS
// handshake with the server's certificate checked against the configured CA
// and host name, EHLO again, AUTH PLAIN (inside TLS) when a username is
// configured, then MAIL, RCPT, DATA. A server that does not offer STARTTLS, or whose certificate
// fails, gets nothing: the message is retried later, and fails after the
// last attempt, rather than ever going out in clear text.
//
// Poco's SecureSMTPClientSession connects without a timeout, and when given
// an already connected socket it forgets the host name its certificate must
// match; this sender therefore connects the socket itself and performs the
// same STARTTLS exchange with the host name kept (see smtp_sender.cc).
//
// Errors become SendResults without the server's reply text, which can
// quote the recipient's address. Not thread-safe (one dispatcher thread).
#pragma once

#include <Poco/Net/Context.h>

#include <string>

#include "notify/mail_composer.h"
#include "notify/message_sender.h"
#include "util/clock.h"

namespace th::notify {

struct SmtpSettings {
  std::string host;
  int port = 587;
  MailIdentity identity;
  std::string username;  // empty: no AUTH
  std::string password;
  std::string helo_name = "localhost";  // the name this client gives in EHLO
  int timeout_seconds = 30;             // connect, and each read or write
};

class SmtpSender final : public MessageSender {
 public:
  SmtpSender(SmtpSettings settings, Poco::Net::Context::Ptr tls, const Clock& clock)
      : settings_(std::move(settings)), tls_(std::move(tls)), clock_(clock) {}

  SendResult send(const ClaimedMessage& message) override;

 private:
  SmtpSettings settings_;
  Poco::Net::Context::Ptr tls_;
  const Clock& clock_;
};

}  // namespace th::notify
