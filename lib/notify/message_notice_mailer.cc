#include "notify/message_notice_mailer.h"

namespace th::notify {

std::string MessageNoticeMailer::reference_of(std::string_view conversation_id,
                                              std::string_view user_id) {
  return "conversation:" + std::string(conversation_id) + ":member:" + std::string(user_id);
}

Status MessageNoticeMailer::queue(soci::session& session, const messaging::UnreadMessage& unread) {
  if (!settings_.email_enabled || settings_.delay_seconds <= 0) {
    return ok_status();
  }
  const std::string reference = reference_of(unread.conversation_id, unread.recipient_id);
  if (already_told(session, reference, unread.read_seq)) {
    return ok_status();
  }
  auto user = users_.find_by_id(session, unread.recipient_id);
  if (!user.ok()) {
    return user.error().with_context("read the recipient of a message notice");
  }
  if (!user->has_value() || (*user)->email.empty() ||
      (*user)->status == access::UserStatus::kDisabled) {
    return ok_status();
  }

  const std::map<std::string, std::string, std::less<>> values = {
      {"clinic", single_line(settings_.clinic_name)}, {"link", settings_.link}};
  NewMessage message;
  message.dedupe_key = reference + ":seq:" + std::to_string(unread.seq);
  message.channel = Channel::kEmail;
  message.kind = "message_notice";
  message.reference = reference;
  // Read marks supersede by sequence number: a mark at or past this message
  // cancels the notice while it waits.
  message.revision = unread.seq;
  message.patient_id = (*user)->patient_id;
  message.recipient = (*user)->email;
  message.subject = single_line(settings_.subject.render(values));
  message.body = settings_.body.render(values);
  message.due_at = unread.posted_at + settings_.delay_seconds * 1'000'000;
  auto queued = outbox_.enqueue(session, message);
  if (!queued.ok()) {
    return queued.error().with_context("queue a message notice");
  }
  return ok_status();
}

Status MessageNoticeMailer::withdraw(soci::session& session, const std::string& conversation_id,
                                     const std::string& reader_id, std::int64_t seq) {
  auto cancelled = outbox_.supersede(session, reference_of(conversation_id, reader_id), seq + 1);
  if (!cancelled.ok()) {
    return cancelled.error().with_context("withdraw a message notice");
  }
  return ok_status();
}

void MessageNoticeMailer::after_commit() {
  if (wake_) {
    wake_();
  }
}

// Whether a notice about a message after the read mark is waiting, being
// sent or was sent: the member has been told of this unread stretch.
bool MessageNoticeMailer::already_told(soci::session& session, const std::string& reference,
                                       std::int64_t read_seq) const {
  OutboxFilter filter;
  filter.reference = reference;
  filter.limit = 20;
  for (const OutboxEntry& entry : outbox_.list(session, filter)) {
    const bool live = entry.status == OutboxStatus::kPending ||
                      entry.status == OutboxStatus::kSending || entry.status == OutboxStatus::kSent;
    if (live && entry.revision > read_seq) {
      return true;
    }
  }
  return false;
}

}  // namespace th::notify
