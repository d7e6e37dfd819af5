#include "notify/mail_composer.h"

#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Timestamp.h>

namespace th::notify {
namespace {

// The iTIP method the attachment declares in its own METHOD line.
std::string calendar_method(const std::string& calendar) {
  const std::string marker = "\r\nMETHOD:";
  const auto at = calendar.find(marker);
  if (at == std::string::npos) {
    return "PUBLISH";
  }
  const auto start = at + marker.size();
  return calendar.substr(start, calendar.find("\r\n", start) - start);
}

std::string header_safe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    out += (c == '\r' || c == '\n') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string message_id_for(const std::string& outbox_id, const std::string& domain) {
  return "<" + outbox_id + "@" + domain + ">";
}

std::unique_ptr<Poco::Net::MailMessage> compose_mail(const ClaimedMessage& message,
                                                     const MailIdentity& identity, UnixMicros now) {
  auto mail = std::make_unique<Poco::Net::MailMessage>();
  mail->setSender(header_safe(identity.from));
  mail->addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT,
                                              header_safe(message.recipient)));
  mail->setSubject(Poco::Net::MailMessage::encodeWord(header_safe(message.subject), "UTF-8"));
  mail->setDate(Poco::Timestamp(now));
  mail->set("Message-ID", message_id_for(message.entry.id, identity.message_id_domain));
  mail->set("Auto-Submitted", "auto-generated");

  if (message.attachment.empty()) {
    mail->setContentType("text/plain; charset=UTF-8");
    mail->setContent(message.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
    return mail;
  }
  // The message takes ownership of the part sources it is given (Poco's API).
  mail->addPart("", new Poco::Net::StringPartSource(message.body, "text/plain; charset=UTF-8"),
                Poco::Net::MailMessage::CONTENT_INLINE,
                Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  const std::string type =
      "text/calendar; charset=UTF-8; method=" + calendar_method(message.attachment);
  mail->addAttachment("invite.ics", new Poco::Net::StringPartSource(message.attachment, type),
                      Poco::Net::MailMessage::ENCODING_BASE64);
  return mail;
}

}  // namespace th::notify
