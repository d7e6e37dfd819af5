#include "server/notify_services.h"

#include <Poco/Net/PrivateKeyPassphraseHandler.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

#include "config/config_values.h"
#include "config/secret_file.h"
#include "notify/contact_address.h"
#include "notify/sms_sender.h"
#include "notify/smtp_sender.h"
#include "notify/tls_client_context.h"
#include "scheduling/time_zone.h"

namespace th::server {
namespace {

constexpr std::string_view kLinkPlaceholders[] = {"appointment_id"};

Result<TextTemplate> parse_template(std::string_view key, const std::string& text,
                                    std::span<const std::string_view> allowed) {
  auto parsed = TextTemplate::parse(text, allowed);
  if (!parsed.ok()) {
    return parsed.error().with_context(std::string(key));
  }
  return parsed;
}

Result<notify::MessageTexts> message_texts(std::string_view kind, const std::string& subject,
                                           const std::string& body, const std::string& sms) {
  const std::string prefix = "reminders." + std::string(kind);
  const auto allowed = std::span<const std::string_view>(notify::kReminderPlaceholders);
  auto parsed_subject = parse_template(prefix + "_subject", subject, allowed);
  auto parsed_body = parse_template(prefix + "_body", body, allowed);
  auto parsed_sms = parse_template(prefix + "_sms", sms, allowed);
  for (const auto* parsed : {&parsed_subject, &parsed_body, &parsed_sms}) {
    if (!parsed->ok()) {
      return parsed->error();
    }
  }
  return notify::MessageTexts{*parsed_subject, *parsed_body, *parsed_sms};
}

Result<notify::ReminderSettings> reminder_settings(const Config& config) {
  const RemindersConfig& reminders = config.reminders;
  notify::ReminderSettings settings;
  auto offsets = parse_minute_offsets(reminders.offsets_minutes);
  if (!offsets.ok()) {
    return offsets.error().with_context("reminders.offsets_minutes");
  }
  settings.offsets_minutes = std::move(*offsets);
  struct Kind {
    std::string_view name;
    notify::MessageTexts notify::ReminderSettings::*texts;
    const std::string RemindersConfig::*subject;
    const std::string RemindersConfig::*body;
    const std::string RemindersConfig::*sms;
  };
  static constexpr Kind kKinds[] = {
      {"booked", &notify::ReminderSettings::booked, &RemindersConfig::booked_subject,
       &RemindersConfig::booked_body, &RemindersConfig::booked_sms},
      {"rescheduled", &notify::ReminderSettings::rescheduled, &RemindersConfig::rescheduled_subject,
       &RemindersConfig::rescheduled_body, &RemindersConfig::rescheduled_sms},
      {"cancelled", &notify::ReminderSettings::cancelled, &RemindersConfig::cancelled_subject,
       &RemindersConfig::cancelled_body, &RemindersConfig::cancelled_sms},
      {"reminder", &notify::ReminderSettings::reminder, &RemindersConfig::reminder_subject,
       &RemindersConfig::reminder_body, &RemindersConfig::reminder_sms},
  };
  for (const Kind& kind : kKinds) {
    auto texts = message_texts(kind.name, reminders.*kind.subject, reminders.*kind.body,
                               reminders.*kind.sms);
    if (!texts.ok()) {
      return texts.error();
    }
    settings.*kind.texts = std::move(*texts);
  }
  auto link = parse_template("reminders.link_path", reminders.link_path, kLinkPlaceholders);
  if (!link.ok()) {
    return link.error();
  }
  if (!scheduling::TimeZone::load(reminders.default_time_zone).ok()) {
    return Error(ErrorCode::kInvalidArgument, "reminders.default_time_zone: unknown time zone '" +
                                                  reminders.default_time_zone + "'");
  }
  settings.link_path = std::move(*link);
  settings.link_base = effective_public_base_url(config.server);
  settings.email_enabled = !config.smtp.host.empty();
  settings.sms_enabled = !config.sms.url.empty();
  settings.clinic_name = reminders.clinic_name;
  settings.date_format = reminders.date_format;
  settings.time_format = reminders.time_format;
  settings.default_time_zone = reminders.default_time_zone;
  settings.organizer_email =
      notify::normalize_email(notify::mailbox_address(config.smtp.from)).value_or("");
  settings.uid_domain = config.calendar.uid_domain;
  settings.event_summary = config.calendar.event_summary;
  return settings;
}

Result<notify::InvitationMailSettings> invitation_settings(const Config& config) {
  const RemindersConfig& reminders = config.reminders;
  const auto allowed = std::span<const std::string_view>(notify::kInvitationPlaceholders);
  auto subject =
      parse_template("reminders.invitation_subject", reminders.invitation_subject, allowed);
  auto body = parse_template("reminders.invitation_body", reminders.invitation_body, allowed);
  auto link = parse_template("reminders.invitation_link_path", reminders.invitation_link_path,
                             notify::kInvitationLinkPlaceholders);
  for (const auto* parsed : {&subject, &body, &link}) {
    if (!parsed->ok()) {
      return parsed->error();
    }
  }
  notify::InvitationMailSettings settings;
  settings.email_enabled = !config.smtp.host.empty();
  settings.subject = std::move(*subject);
  settings.body = std::move(*body);
  settings.link_base = effective_public_base_url(config.server);
  settings.link_path = std::move(*link);
  settings.clinic_name = reminders.clinic_name;
  settings.date_format = reminders.date_format;
  settings.time_format = reminders.time_format;
  settings.time_zone = reminders.default_time_zone;
  return settings;
}

Result<notify::MessageNoticeSettings> message_notice_settings(const Config& config) {
  const RemindersConfig& reminders = config.reminders;
  const auto allowed = std::span<const std::string_view>(notify::kMessageNoticePlaceholders);
  auto subject =
      parse_template("reminders.message_notice_subject", reminders.message_notice_subject, allowed);
  auto body =
      parse_template("reminders.message_notice_body", reminders.message_notice_body, allowed);
  for (const auto* parsed : {&subject, &body}) {
    if (!parsed->ok()) {
      return parsed->error();
    }
  }
  notify::MessageNoticeSettings settings;
  settings.email_enabled = !config.smtp.host.empty();
  settings.delay_seconds = reminders.message_notice_delay_seconds;
  settings.subject = std::move(*subject);
  settings.body = std::move(*body);
  settings.clinic_name = reminders.clinic_name;
  settings.link = effective_public_base_url(config.server) + "/";
  return settings;
}

Result<std::string> optional_secret(std::string_view key, const std::string& reference) {
  if (reference.empty()) {
    return std::string();
  }
  auto secret = read_secret_file(reference);
  if (!secret.ok()) {
    return secret.error().with_context(std::string(key));
  }
  return secret;
}

Result<Poco::Net::Context::Ptr> client_tls(std::string_view key, const std::string& ca_file) {
  auto context = notify::make_client_tls_context(ca_file);
  if (!context.ok()) {
    return context.error().with_context(std::string(key));
  }
  return context;
}

Status add_senders(const Config& config, const Clock& clock, const std::string& node_name,
                   notify::OutboxDispatcher& dispatcher) {
  if (!config.smtp.host.empty()) {
    auto password = optional_secret("smtp.password_file", config.smtp.password_file);
    auto tls = client_tls("smtp.ca_file", config.smtp.ca_file);
    if (!password.ok()) {
      return password.error();
    }
    if (!tls.ok()) {
      return tls.error();
    }
    notify::SmtpSettings smtp;
    smtp.host = config.smtp.host;
    smtp.port = config.smtp.port;
    smtp.identity.from = config.smtp.from;
    smtp.identity.message_id_domain = notify::email_domain(config.smtp.from);
    smtp.username = config.smtp.username;
    smtp.password = std::move(*password);
    smtp.helo_name = node_name;
    smtp.timeout_seconds = config.smtp.timeout_seconds;
    dispatcher.set_sender(notify::Channel::kEmail,
                          std::make_unique<notify::SmtpSender>(std::move(smtp), *tls, clock));
  }
  if (!config.sms.url.empty()) {
    auto credentials = optional_secret("sms.credentials_file", config.sms.credentials_file);
    auto tls = client_tls("sms.ca_file", config.sms.ca_file);
    auto body =
        parse_template("sms.body_template", config.sms.body_template, notify::kSmsBodyPlaceholders);
    if (!credentials.ok()) {
      return credentials.error();
    }
    if (!tls.ok()) {
      return tls.error();
    }
    if (!body.ok()) {
      return body.error();
    }
    notify::SmsSettings sms;
    sms.url = config.sms.url;
    sms.from = config.sms.from;
    sms.body_template = std::move(*body);
    sms.content_type = config.sms.content_type;
    sms.auth_header = config.sms.auth_header;
    sms.auth_scheme = config.sms.auth_scheme;
    sms.credentials = std::move(*credentials);
    sms.timeout_seconds = config.sms.timeout_seconds;
    dispatcher.set_sender(notify::Channel::kSms,
                          std::make_unique<notify::SmsSender>(std::move(sms), *tls));
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<NotifyServices>> NotifyServices::create(
    const Config& config, storage::Database& database, storage::DataProtection& protection,
    access::UserStore& users, const Clock& clock, const std::string& node_name) {
  auto settings = reminder_settings(config);
  if (!settings.ok()) {
    return settings.error();
  }
  auto invitations = invitation_settings(config);
  if (!invitations.ok()) {
    return invitations.error();
  }
  auto notices = message_notice_settings(config);
  if (!notices.ok()) {
    return notices.error();
  }
  notify::CalendarFeedSettings feed;
  feed.attendee = *notify::parse_feed_attendee(config.calendar.attendee);
  feed.event_summary = config.calendar.event_summary;
  feed.uid_domain = config.calendar.uid_domain;
  feed.calendar_name = config.calendar.calendar_name;

  notify::DispatcherOptions options;
  options.claim.node = node_name;
  options.claim.limit = static_cast<std::size_t>(config.reminders.batch_size);
  options.claim.lease_seconds = config.reminders.lease_seconds;
  options.claim.max_attempts = config.reminders.max_attempts;
  options.retry.max_attempts = config.reminders.max_attempts;
  options.retry.initial_delay_seconds = config.reminders.retry_initial_seconds;
  options.retry.max_delay_seconds = config.reminders.retry_max_seconds;
  options.poll_interval = std::chrono::seconds(config.reminders.poll_interval_seconds);

  // A certificate that fails verification is refused outright: Poco's
  // default handler for that case would ask on the console.
  Poco::Net::SSLManager::instance().initializeClient(
      nullptr, new Poco::Net::RejectCertificateHandler(false), nullptr);

  auto services = std::make_unique<NotifyServices>(
      database, protection, clock, std::move(*settings), std::move(feed), std::move(options));
  TH_RETURN_IF_ERROR(add_senders(config, clock, node_name, services->dispatcher));
  services->notifier.set_wake([dispatcher = &services->dispatcher] { dispatcher->wake(); });
  services->invitation_mailer =
      std::make_unique<notify::InvitationMailer>(services->outbox, std::move(*invitations), clock);
  services->invitation_mailer->set_wake(
      [dispatcher = &services->dispatcher] { dispatcher->wake(); });
  services->message_notices =
      std::make_unique<notify::MessageNoticeMailer>(services->outbox, users, std::move(*notices));
  services->message_notices->set_wake([dispatcher = &services->dispatcher] { dispatcher->wake(); });
  services->public_base_url = effective_public_base_url(config.server);
  services->feed_past_days = config.calendar.past_days;
  services->feed_future_days = config.calendar.future_days;
  return services;
}

}  // namespace th::server
