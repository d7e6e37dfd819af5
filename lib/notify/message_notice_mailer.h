// MessageNoticeMailer: the email telling a member that a secure message
// waits for them (messaging::MessageNotices), queued in the outbox inside
// the message's own transaction and due after a delay
// (reminders.message_notice_delay_seconds). Reading the conversation before
// then cancels it, so only someone who has not looked (a clinician who is
// not signed in, a patient away from the portal) is told.
//
// The email carries nothing of the message: neither its text, nor its
// sender, nor the patient it concerns; only that a message waits, the
// clinic's name and the link to sign in. One notice covers an unread
// stretch of a conversation: while a member has a notice pending or sent
// for messages after their read mark, further messages there queue no
// other. Members without an email address on file, and disabled accounts,
// get none.
//
// Immutable after construction except for the wake function, set once at
// start-up; safe to share between threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "access/user_store.h"
#include "messaging/message_notices.h"
#include "notify/outbox.h"
#include "util/clock.h"
#include "util/text_template.h"

namespace th::notify {

// The placeholders of the notice's subject and body.
inline constexpr std::string_view kMessageNoticePlaceholders[] = {"clinic", "link"};

struct MessageNoticeSettings {
  bool email_enabled = false;      // an SMTP server is configured
  std::int64_t delay_seconds = 0;  // 0: no notices
  TextTemplate subject;
  TextTemplate body;
  std::string clinic_name;
  std::string link;  // where to sign in: server.public_base_url
};

class MessageNoticeMailer final : public messaging::MessageNotices {
 public:
  MessageNoticeMailer(Outbox& outbox, access::UserStore& users, MessageNoticeSettings settings)
      : outbox_(outbox), users_(users), settings_(std::move(settings)) {}

  [[nodiscard]] Status queue(soci::session& session,
                             const messaging::UnreadMessage& unread) override;
  [[nodiscard]] Status withdraw(soci::session& session, const std::string& conversation_id,
                                const std::string& reader_id, std::int64_t seq) override;
  void after_commit() override;

  // What after_commit() calls: the dispatcher's wake(). Set before serving.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  // The outbox reference of one member's notices in one conversation.
  static std::string reference_of(std::string_view conversation_id, std::string_view user_id);

 private:
  bool already_told(soci::session& session, const std::string& reference,
                    std::int64_t read_seq) const;

  Outbox& outbox_;
  access::UserStore& users_;
  MessageNoticeSettings settings_;
  std::function<void()> wake_;
};

}  // namespace th::notify
