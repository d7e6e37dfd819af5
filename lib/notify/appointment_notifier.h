// AppointmentNotifier: the one call the scheduling code makes for reminders
// and calendar feeds when an appointment is booked, rescheduled or
// cancelled.
//
// on_appointment_change() runs on the session of the change's own write
// transaction, after the appointment row is written, so that everything it
// writes commits or rolls back with the change (a transactional outbox):
//   1. pending messages planned for earlier versions of the appointment are
//      cancelled (their time no longer holds);
//   2. the planner's messages for this version are queued, minus the
//      channels the patient opted out of;
//   3. the appointment's calendar entry is written for the practitioner's
//      feed.
// after_commit() then wakes the dispatcher, so the notice of the change
// goes out within moments rather than at the next poll.
//
// Thread-safe: the members it uses are, and it holds no state of its own
// beyond the wake function, which is set once at start-up.
#pragma once

#include <soci/soci.h>

#include <functional>

#include "notify/appointment_summary.h"
#include "notify/calendar_entry_store.h"
#include "notify/calendar_feed.h"
#include "notify/contact_opt_out_store.h"
#include "notify/outbox.h"
#include "notify/reminder_planner.h"
#include "util/clock.h"

namespace th::notify {

struct NotifyOutcome {
  int queued = 0;      // messages newly queued
  int superseded = 0;  // pending messages of earlier versions cancelled
};

class AppointmentNotifier {
 public:
  AppointmentNotifier(const ReminderPlanner& planner, Outbox& outbox, ContactOptOutStore& opt_outs,
                      CalendarEntryStore& entries, FeedAttendee attendee, const Clock& clock)
      : planner_(planner),
        outbox_(outbox),
        opt_outs_(opt_outs),
        entries_(entries),
        attendee_(attendee),
        clock_(clock) {}

  // See above. Fails only when the database or the sealing does; the caller
  // should then roll its change back.
  [[nodiscard]] Result<NotifyOutcome> on_appointment_change(soci::session& session,
                                                            const AppointmentSummary& change);

  // Call after the change committed. Never blocks, never fails.
  void after_commit() const {
    if (wake_) {
      wake_();
    }
  }

  // What after_commit() calls: the dispatcher's wake(). Set before serving.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

 private:
  const ReminderPlanner& planner_;
  Outbox& outbox_;
  ContactOptOutStore& opt_outs_;
  CalendarEntryStore& entries_;
  FeedAttendee attendee_;
  const Clock& clock_;
  std::function<void()> wake_;
};

}  // namespace th::notify
