// CalendarEntryStore: what the practitioners' feeds show (the
// calendar_entries table), one row per appointment, written by the
// AppointmentNotifier inside each booking, rescheduling and cancellation
// transaction. The attendee label (initials) is sealed.
//
// Methods run on the caller's session and throw what SOCI throws;
// thread-safe (its only state is the DataProtection).
#pragma once

#include <soci/soci.h>

#include <vector>

#include "notify/calendar_entry.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"
#include "util/result.h"

namespace th::notify {

class CalendarEntryStore {
 public:
  explicit CalendarEntryStore(storage::DataProtection& protection) : protection_(protection) {}

  // How rows are sealed, for `thctl integrity check`: the attendee label,
  // empty when feeds name no patient.
  static const storage::SealedTableLayout& layout();

  // Writes `entry` over the stored one unless that one has a higher sequence
  // (a change that arrives late does not undo a newer one). Returns whether
  // it was written.
  [[nodiscard]] Result<bool> upsert(soci::session& session, const CalendarEntry& entry);

  // The practitioner's entries starting in [from, to), by start time, at
  // most `limit`. kDataLoss for a label that does not decrypt.
  [[nodiscard]] Result<std::vector<CalendarEntry>> list(soci::session& session,
                                                        const std::string& practitioner_id,
                                                        UnixMicros from, UnixMicros to,
                                                        std::size_t limit);

 private:
  storage::DataProtection& protection_;
};

}  // namespace th::notify
