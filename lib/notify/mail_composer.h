// compose_mail(): the RFC 5322 message for an outbox email. A plain-text
// body (UTF-8, quoted-printable) and, when the outbox message has one, its
// iCalendar object as an attachment "invite.ics" of type
//   text/calendar; charset=UTF-8; method=REQUEST   (or method=CANCEL)
// so mail clients offer to add, update or remove the event.
//
// The Message-ID is derived from the outbox id alone, "<id@domain>": every
// attempt at the same message carries the same one, so a receiving system
// that sees a message twice (the sender died after the server accepted it
// and before the outbox recorded that) can recognise the copy.
// Pure; the returned message owns its parts.
#pragma once

#include <Poco/Net/MailMessage.h>

#include <memory>
#include <string>

#include "notify/outbox_message.h"
#include "util/clock.h"

namespace th::notify {

struct MailIdentity {
  std::string from;               // "Clinic <reminders@clinic.example>" or a bare address
  std::string message_id_domain;  // right-hand side of Message-IDs
};

[[nodiscard]] std::string message_id_for(const std::string& outbox_id, const std::string& domain);

[[nodiscard]] std::unique_ptr<Poco::Net::MailMessage> compose_mail(const ClaimedMessage& message,
                                                                   const MailIdentity& identity,
                                                                   UnixMicros now);

}  // namespace th::notify
