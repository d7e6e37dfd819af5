// ReminderPlanner: turns one change of an appointment into the messages it
// calls for, ready to queue in the outbox.
//
//   booked       -> a booking notice now, and a reminder at each offset
//                   before the start (24 hours and 1 hour by default);
//   rescheduled  -> a notice of the new time now, and reminders for it;
//   cancelled    -> a cancellation notice now, nothing else.
// Each on every channel that is configured, that the patient has an address
// for, and that the patient has not opted out of. A reminder whose time has
// already passed is not planned; reminders are not sent once the visit has
// begun, notices not once it has ended.
//
// Messages say the minimum: the date and time in the patient's zone, the
// practitioner's name, the clinic and a link. Never the reason for the
// visit: the planner is not given it. Emails carry the appointment as an
// iCalendar invitation (METHOD:REQUEST, or CANCEL), with the same UID for
// the life of the appointment and its version as SEQUENCE.
//
// Dedupe keys name the appointment, its version, the message and the
// channel ("appointment:<id>:<version>:reminder:24h:email"), so planning the
// same change twice queues nothing new, and the reminders of an earlier
// version are told apart from the new ones (which the caller cancels with
// Outbox::supersede()).
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "notify/appointment_summary.h"
#include "notify/channel.h"
#include "notify/contact_opt_outs.h"
#include "notify/outbox_message.h"
#include "util/text_template.h"

namespace th::notify {

// The placeholders reminder templates may use.
inline constexpr std::string_view kReminderPlaceholders[] = {"clinic", "date", "time",
                                                             "practitioner", "link"};

// The texts of one kind of message.
struct MessageTexts {
  TextTemplate email_subject;
  TextTemplate email_body;
  TextTemplate sms_body;
};

struct ReminderSettings {
  // Minutes before the start at which reminders go out, each distinct.
  std::vector<int> offsets_minutes = {1440, 60};
  MessageTexts booked;
  MessageTexts rescheduled;
  MessageTexts cancelled;
  MessageTexts reminder;
  bool email_enabled = false;  // an SMTP server is configured
  bool sms_enabled = false;    // an SMS provider is configured
  std::string clinic_name;
  // The link in messages: link_base followed by link_path, whose
  // {appointment_id} is the appointment's id.
  std::string link_base;
  TextTemplate link_path;
  std::string date_format = "%A, %B %e, %Y";
  std::string time_format = "%I:%M %p %Z";
  std::string default_time_zone = "UTC";
  std::string organizer_email;  // ORGANIZER of invitations; empty for none
  std::string uid_domain = "telehealthd.invalid";
  std::string event_summary = "Telehealth visit";
};

class ReminderPlanner {
 public:
  explicit ReminderPlanner(ReminderSettings settings) : settings_(std::move(settings)) {}

  // The messages `change` calls for, given the patient's opt-outs, planned
  // at `now`. Empty when no channel applies.
  [[nodiscard]] std::vector<NewMessage> plan(const AppointmentSummary& change,
                                             const ContactOptOuts& opt_outs, UnixMicros now) const;

  // "<appointment id>@<uid domain>": the event's UID everywhere it appears.
  [[nodiscard]] std::string event_uid(std::string_view appointment_id) const;

  // "appointment:<id>": what the messages of an appointment refer to.
  [[nodiscard]] static std::string reference_of(std::string_view appointment_id);

  // "24h", "90m": an offset as it appears in dedupe keys.
  [[nodiscard]] static std::string offset_label(int minutes);

  [[nodiscard]] const ReminderSettings& settings() const { return settings_; }

 private:
  struct Recipient {
    Channel channel;
    std::string address;
  };
  std::vector<Recipient> recipients(const AppointmentSummary& change,
                                    const ContactOptOuts& opt_outs) const;
  std::string link(const AppointmentSummary& change) const;
  NewMessage compose(const AppointmentSummary& change, const Recipient& recipient,
                     const MessageTexts& texts, std::string_view kind, std::string_view label,
                     UnixMicros now) const;

  ReminderSettings settings_;
};

}  // namespace th::notify
