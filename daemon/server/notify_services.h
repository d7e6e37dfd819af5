// NotifyServices: the reminder and calendar-feed services of one daemon,
// built from [reminders], [smtp], [sms] and [calendar] at start-up and
// shared by every request thread (each member is thread-safe).
//
// `notifier` is what booking, rescheduling and cancellation call inside
// their transactions (see notify/appointment_notifier.h); `dispatcher`
// sends what they queued.
#pragma once

#include <memory>
#include <string>

#include "access/user_store.h"
#include "config/config.h"
#include "notify/appointment_notifier.h"
#include "notify/calendar_entry_store.h"
#include "notify/calendar_feed.h"
#include "notify/calendar_token_store.h"
#include "notify/contact_opt_out_store.h"
#include "notify/invitation_mailer.h"
#include "notify/message_notice_mailer.h"
#include "notify/outbox.h"
#include "notify/outbox_dispatcher.h"
#include "notify/reminder_planner.h"
#include "storage/data_protection.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::server {

struct NotifyServices {
  // Fails when a template does not parse, the default time zone is unknown,
  // a secret file (SMTP password, SMS credentials) or a CA file cannot be
  // read: each an error naming the key.
  [[nodiscard]] static Result<std::unique_ptr<NotifyServices>> create(
      const Config& config, storage::Database& database, storage::DataProtection& protection,
      access::UserStore& users, const Clock& clock, const std::string& node_name);

  NotifyServices(storage::Database& database, storage::DataProtection& protection,
                 const Clock& clock, notify::ReminderSettings reminder_settings,
                 notify::CalendarFeedSettings feed_settings, notify::DispatcherOptions options)
      : planner(std::move(reminder_settings)),
        feed(std::move(feed_settings)),
        outbox(protection, clock),
        entries(protection),
        notifier(planner, outbox, opt_outs, entries, feed.attendee, clock),
        dispatcher(database, outbox, clock, std::move(options)) {}

  notify::ReminderPlanner planner;
  notify::CalendarFeedSettings feed;
  notify::Outbox outbox;
  notify::ContactOptOutStore opt_outs;
  notify::CalendarEntryStore entries;
  notify::CalendarTokenStore tokens;
  notify::AppointmentNotifier notifier;
  notify::OutboxDispatcher dispatcher;
  // The emails of guests' invitations (scheduling's InvitationNotices).
  std::unique_ptr<notify::InvitationMailer> invitation_mailer;
  // The emails telling members of unread secure messages (messaging's
  // MessageNotices).
  std::unique_ptr<notify::MessageNoticeMailer> message_notices;
  std::string public_base_url;  // feed URLs are built on it
  int feed_past_days = 30;
  int feed_future_days = 365;
};

}  // namespace th::server
