// The values that pass through the outbox: a message to queue, a row as
// operators list it (no personal fields), and a claimed message with its
// opened fields, ready to hand to a sender. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "notify/channel.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::notify {

// pending -> sending -> sent, or back to pending for a retry, or failed
// after the last attempt; pending -> cancelled when a later change of the
// same appointment makes the message obsolete.
enum class OutboxStatus { kPending, kSending, kSent, kFailed, kCancelled };

std::string_view outbox_status_name(OutboxStatus status);
[[nodiscard]] Result<OutboxStatus> parse_outbox_status(std::string_view name);

// A message to queue. dedupe_key names it among every message ever queued
// ("appointment:<id>:3:reminder:24h:email"): queuing a second message with
// the same key does nothing.
struct NewMessage {
  std::string dedupe_key;
  Channel channel = Channel::kEmail;
  std::string kind;           // what it says: booked, rescheduled, cancelled, reminder
  std::string reference;      // what it is about, "appointment:<id>"; may be empty
  std::int64_t revision = 0;  // the version of `reference` it was planned for
  std::string patient_id;     // the recipient, when a patient; may be empty
  // Personal fields, sealed at rest.
  std::string recipient;      // email address or E.164 phone number
  std::string subject;        // email only
  std::string body;           // plain text
  std::string attachment;     // an iCalendar object (email only); empty for none
  UnixMicros due_at = 0;      // not sent before
  UnixMicros expires_at = 0;  // not sent after (a reminder of a visit that has begun); 0: never
};

// A stored message without its personal fields.
struct OutboxEntry {
  std::string id;
  std::string dedupe_key;
  Channel channel = Channel::kEmail;
  std::string kind;
  std::string reference;
  std::int64_t revision = 0;
  std::string patient_id;
  OutboxStatus status = OutboxStatus::kPending;
  UnixMicros due_at = 0;
  UnixMicros expires_at = 0;
  UnixMicros next_attempt_at = 0;
  int attempts = 0;  // claims so far, the current one included
  UnixMicros lease_expires_at = 0;
  std::string claimed_by;  // node of the last claim
  std::string last_error;  // never personal data
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
  UnixMicros sent_at = 0;
};

// A message claimed for sending: the stored row, the token that proves the
// claim is still this sender's, and the opened personal fields.
struct ClaimedMessage {
  OutboxEntry entry;
  std::string claim_token;
  std::string recipient;
  std::string subject;
  std::string body;
  std::string attachment;
};

}  // namespace th::notify
