#include "notify/reminder_planner.h"

#include <map>

#include "notify/calendar_event.h"
#include "notify/contact_address.h"
#include "scheduling/time_zone.h"
#include "util/text_template.h"

namespace th::notify {
namespace {

constexpr UnixMicros kMicrosPerMinute = 60'000'000;

using Values = std::map<std::string, std::string, std::less<>>;

// In the patient's zone, else the clinic's default, else UTC.
std::string zoned_text(UnixMicros instant, const std::string& zone, const std::string& fallback,
                       const std::string& format) {
  for (const std::string* candidate : {&zone, &fallback}) {
    if (candidate->empty()) {
      continue;
    }
    auto loaded = scheduling::TimeZone::load(*candidate);
    if (loaded.ok()) {
      return loaded->format(instant, format);
    }
  }
  return scheduling::TimeZone::utc().format(instant, format);
}

const MessageTexts& notice_texts(const ReminderSettings& settings, AppointmentEventKind kind) {
  switch (kind) {
    case AppointmentEventKind::kBooked:
      return settings.booked;
    case AppointmentEventKind::kRescheduled:
      return settings.rescheduled;
    case AppointmentEventKind::kCancelled:
      return settings.cancelled;
  }
  return settings.booked;
}

}  // namespace

std::string ReminderPlanner::event_uid(std::string_view appointment_id) const {
  return std::string(appointment_id) + "@" + settings_.uid_domain;
}

std::string ReminderPlanner::reference_of(std::string_view appointment_id) {
  return "appointment:" + std::string(appointment_id);
}

std::string ReminderPlanner::offset_label(int minutes) {
  if (minutes % 60 == 0) {
    return std::to_string(minutes / 60) + "h";
  }
  return std::to_string(minutes) + "m";
}

std::vector<ReminderPlanner::Recipient> ReminderPlanner::recipients(
    const AppointmentSummary& change, const ContactOptOuts& opt_outs) const {
  std::vector<Recipient> targets;
  if (settings_.email_enabled && !opt_outs.excludes(Channel::kEmail)) {
    if (auto email = normalize_email(change.patient.email)) {
      targets.push_back({Channel::kEmail, std::move(*email)});
    }
  }
  if (settings_.sms_enabled && !opt_outs.excludes(Channel::kSms)) {
    if (auto phone = normalize_phone(change.patient.phone)) {
      targets.push_back({Channel::kSms, std::move(*phone)});
    }
  }
  return targets;
}

std::string ReminderPlanner::link(const AppointmentSummary& change) const {
  return settings_.link_base +
         settings_.link_path.render({{"appointment_id", change.appointment_id}});
}

NewMessage ReminderPlanner::compose(const AppointmentSummary& change, const Recipient& recipient,
                                    const MessageTexts& texts, std::string_view kind,
                                    std::string_view label, UnixMicros now) const {
  const std::string zone = change.patient.time_zone;
  const Values values = {
      {"clinic", single_line(settings_.clinic_name)},
      {"date",
       zoned_text(change.starts_at, zone, settings_.default_time_zone, settings_.date_format)},
      {"time",
       zoned_text(change.starts_at, zone, settings_.default_time_zone, settings_.time_format)},
      {"practitioner", single_line(change.practitioner_name)},
      {"link", link(change)},
  };

  NewMessage message;
  message.channel = recipient.channel;
  message.kind = std::string(kind);
  message.reference = reference_of(change.appointment_id);
  message.revision = change.sequence;
  message.patient_id = change.patient.patient_id;
  message.recipient = recipient.address;
  message.dedupe_key = message.reference + ":" + std::to_string(change.sequence) + ":" +
                       std::string(label) + ":" + std::string(channel_name(recipient.channel));
  if (recipient.channel == Channel::kSms) {
    message.body = texts.sms_body.render(values);
    return message;
  }
  message.subject = single_line(texts.email_subject.render(values));
  message.body = texts.email_body.render(values);

  CalendarEvent event;
  event.uid = event_uid(change.appointment_id);
  event.sequence = change.sequence;
  event.stamp = change.changed_at != 0 ? change.changed_at : now;
  event.starts_at = change.starts_at;
  event.ends_at = change.ends_at;
  event.cancelled = change.kind == AppointmentEventKind::kCancelled;
  event.summary = settings_.event_summary + " with " + values.at("practitioner");
  event.url = values.at("link");
  event.description = values.at("link");
  event.organizer = settings_.organizer_email;
  event.attendee = recipient.address;
  message.attachment = render_invitation(event);
  return message;
}

std::vector<NewMessage> ReminderPlanner::plan(const AppointmentSummary& change,
                                              const ContactOptOuts& opt_outs,
                                              UnixMicros now) const {
  std::vector<NewMessage> messages;
  const std::vector<Recipient> targets = recipients(change, opt_outs);
  const std::string kind(appointment_event_kind_name(change.kind));

  // The notice of the change itself, at once, unless the visit is over.
  if (now < change.ends_at) {
    for (const Recipient& target : targets) {
      NewMessage notice =
          compose(change, target, notice_texts(settings_, change.kind), kind, kind, now);
      notice.due_at = now;
      notice.expires_at = change.ends_at;
      messages.push_back(std::move(notice));
    }
  }
  if (change.kind == AppointmentEventKind::kCancelled) {
    return messages;
  }

  // Reminders still ahead, none once the visit has begun.
  for (const int offset : settings_.offsets_minutes) {
    const UnixMicros due = change.starts_at - offset * kMicrosPerMinute;
    if (due <= now) {
      continue;
    }
    const std::string label = "reminder:" + offset_label(offset);
    for (const Recipient& target : targets) {
      NewMessage reminder = compose(change, target, settings_.reminder, "reminder", label, now);
      reminder.due_at = due;
      reminder.expires_at = change.starts_at;
      messages.push_back(std::move(reminder));
    }
  }
  return messages;
}

}  // namespace th::notify
