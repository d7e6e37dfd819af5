#include "notify/invitation_mailer.h"

#include "scheduling/time_zone.h"

namespace th::notify {

NewMessage InvitationMailer::compose(const scheduling::InvitationNotice& notice) const {
  const auto zone = scheduling::TimeZone::load(settings_.time_zone);
  auto in_zone = [&](std::string_view format) {
    return zone.ok() ? zone->format(notice.starts_at, format) : std::string();
  };
  const std::map<std::string, std::string, std::less<>> values = {
      {"clinic", single_line(settings_.clinic_name)},
      {"date", in_zone(settings_.date_format)},
      {"time", in_zone(settings_.time_format)},
      {"practitioner", single_line(notice.practitioner_name)},
      {"link", settings_.link_base + settings_.link_path.render({{"token", notice.link_secret}})},
  };

  NewMessage message;
  message.dedupe_key = "invitation:" + notice.invitation_id + ":email";
  message.channel = Channel::kEmail;
  message.kind = "invitation";
  message.reference = "invitation:" + notice.invitation_id;
  message.recipient = notice.recipient;
  message.subject = single_line(settings_.subject.render(values));
  message.body = settings_.body.render(values);
  message.due_at = clock_.now_micros();
  message.expires_at = notice.expires_at;  // a dead link is not worth sending
  return message;
}

Status InvitationMailer::queue(soci::session& session, const scheduling::InvitationNotice& notice) {
  if (!settings_.email_enabled) {
    return Error(ErrorCode::kFailedPrecondition,
                 "no SMTP server is configured, so invitations cannot be sent");
  }
  auto queued = outbox_.enqueue(session, compose(notice));
  if (!queued.ok()) {
    return queued.error().with_context("queue the invitation's email");
  }
  return ok_status();
}

// The email is queued at revision 0 of its reference: superseding revision 1
// cancels it while it is pending, and leaves it alone once sent.
Status InvitationMailer::withdraw(soci::session& session, const std::string& invitation_id) {
  auto cancelled = outbox_.supersede(session, "invitation:" + invitation_id, 1);
  if (!cancelled.ok()) {
    return cancelled.error().with_context("withdraw the invitation's email");
  }
  return ok_status();
}

void InvitationMailer::after_commit() {
  if (wake_) {
    wake_();
  }
}

}  // namespace th::notify
