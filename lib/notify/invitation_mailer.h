// InvitationMailer: the email of a visit invitation, queued in the outbox
// inside the invitation's own transaction (scheduling::InvitationNotices),
// so the email exists exactly when the invitation does, and sent by the
// outbox dispatcher like every other message.
//
// The email says the minimum: the visit's date and time (in
// reminders.default_time_zone: the guest's own zone is not known), the
// practitioner's name, the clinic and the guest link. The link is
// server.public_base_url followed by the link path, whose {token} is the
// single-use secret; the default path puts it after a '#', which browsers
// never send to a server, so it cannot reach an access log. The reason for
// the visit is not given to the mailer. Once sent, the outbox blanks the
// message: the secret then exists nowhere but in the guest's mailbox.
//
// Immutable after construction except for the wake function, set once at
// start-up; safe to share between threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "notify/outbox.h"
#include "scheduling/invitation_notices.h"
#include "util/clock.h"
#include "util/text_template.h"

namespace th::notify {

// The placeholders of the invitation's subject and body, and of its link path.
inline constexpr std::string_view kInvitationPlaceholders[] = {"clinic", "date", "time",
                                                               "practitioner", "link"};
inline constexpr std::string_view kInvitationLinkPlaceholders[] = {"token"};

struct InvitationMailSettings {
  bool email_enabled = false;  // an SMTP server is configured
  TextTemplate subject;
  TextTemplate body;
  std::string link_base;  // server.public_base_url
  TextTemplate link_path;
  std::string clinic_name;
  std::string date_format = "%A, %B %-d, %Y";
  std::string time_format = "%-I:%M %p %Z";
  std::string time_zone = "UTC";
};

class InvitationMailer final : public scheduling::InvitationNotices {
 public:
  InvitationMailer(Outbox& outbox, InvitationMailSettings settings, const Clock& clock)
      : outbox_(outbox), settings_(std::move(settings)), clock_(clock) {}

  // Queues the invitation's email on the invitation's session.
  // kFailedPrecondition when no SMTP server is configured: an invitation
  // whose link cannot reach its guest is refused rather than stored.
  [[nodiscard]] Status queue(soci::session& session,
                             const scheduling::InvitationNotice& notice) override;
  // Cancels the invitation's email if it is still waiting in the outbox.
  [[nodiscard]] Status withdraw(soci::session& session, const std::string& invitation_id) override;
  void after_commit() override;

  // What after_commit() calls: the dispatcher's wake(). Set before serving.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  // The message queue() would queue, for tests and for queue() itself.
  [[nodiscard]] NewMessage compose(const scheduling::InvitationNotice& notice) const;

 private:
  Outbox& outbox_;
  InvitationMailSettings settings_;
  const Clock& clock_;
  std::function<void()> wake_;
};

}  // namespace th::notify
