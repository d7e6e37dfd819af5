#include "notify/smtp_sender.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace th::notify {
namespace {

// An SMTP session on a socket connected beforehand (so the connect has a
// timeout) that upgrades to TLS with STARTTLS, verifying the certificate
// against `host`: the exchange of SecureSMTPClientSession::startTLS(), which
// cannot be given both a connected socket and the host name.
class StartTlsSession final : public Poco::Net::SMTPClientSession {
 public:
  StartTlsSession(const Poco::Net::StreamSocket& socket, std::string host)
      : SMTPClientSession(socket), host_(std::move(host)) {}

  // True once the connection is secured; false when the server refused
  // STARTTLS. Throws SSLException when the handshake or the check fails.
  bool start_tls(Poco::Net::Context::Ptr context) {
    std::string response;
    if (!isPositiveCompletion(sendCommand("STARTTLS", response))) {
      return false;
    }
    socket() = Poco::Net::SecureStreamSocket::attach(socket(), host_, context);
    return true;
  }

 private:
  std::string host_;
};

// Codes that say the client side is wrong (authentication), which an
// operator can put right: retried, unlike refusals of the message itself.
bool is_configuration_refusal(int code) {
  return code == 530 || code == 534 || code == 535 || code == 538;
}

// QUIT, when the outcome is already decided: a failure to say goodbye
// changes nothing.
void quit(Poco::Net::SMTPClientSession& session) {
  try {
    session.close();
  } catch (const Poco::Exception&) {
    // The connection is closed when the session goes either way.
  }
}

SendResult classify_smtp_refusal(int code) {
  const std::string detail = "the SMTP server refused with code " + std::to_string(code);
  if (code >= 500 && code < 600 && !is_configuration_refusal(code)) {
    return SendResult::rejected(detail);
  }
  return SendResult::retry(detail);
}

}  // namespace

SendResult SmtpSender::send(const ClaimedMessage& message) {
  const Poco::Timespan timeout(settings_.timeout_seconds, 0);
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(
        Poco::Net::SocketAddress(settings_.host, static_cast<Poco::UInt16>(settings_.port)),
        timeout);
    StartTlsSession session(socket, settings_.host);
    session.setTimeout(timeout);
    session.login(settings_.helo_name);
    if (!session.start_tls(tls_)) {
      quit(session);
      return SendResult::retry("the SMTP server does not offer STARTTLS; nothing was sent");
    }
    if (settings_.username.empty()) {
      session.login(settings_.helo_name);
    } else {
      session.login(settings_.helo_name, Poco::Net::SMTPClientSession::AUTH_PLAIN,
                    settings_.username, settings_.password);
    }
    const auto mail = compose_mail(message, settings_.identity, clock_.now_micros());
    session.sendMessage(*mail);
    quit(session);
    return SendResult::sent();
  } catch (const Poco::Net::SMTPException& failure) {
    // Never failure.message(): Poco puts the refused address in it.
    return classify_smtp_refusal(failure.code());
  } catch (const Poco::Net::SSLException& failure) {
    return SendResult::retry("TLS with the SMTP server failed: " + failure.displayText());
  } catch (const Poco::TimeoutException&) {
    return SendResult::retry("the SMTP server did not answer in time");
  } catch (const Poco::Exception& failure) {
    return SendResult::retry("SMTP connection failed: " + failure.displayText());
  }
}

}  // namespace th::notify
