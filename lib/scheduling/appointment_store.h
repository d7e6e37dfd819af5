// AppointmentStore: appointments, with their sealed fields and an integrity
// tag over the stored row, and the slot cells that keep a practitioner's
// appointments from overlapping.
//
// Double booking is refused by the database: insert() and move() claim one
// appointment_slots row per five-minute cell of the visit, keyed by
// (practitioner, cell). Two transactions claiming a common cell cannot both
// commit, whichever daemon runs them; the loser's insert fails with the
// unique-key violation (kConflict from Database), which callers report as
// the slot being taken. A check before the insert gives the same answer
// without the violation when nothing is racing.
//
// Changes are optimistic: update() writes only when the stored version is
// the one the caller read, else kConflict.
// Methods run on a caller's session inside its transaction and throw what
// SOCI throws; thread-safe (state is the DataProtection, itself thread-safe).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "scheduling/appointment.h"
#include "storage/data_protection.h"

namespace th::scheduling {

inline constexpr UnixMicros kSlotCellMicros = 5 * 60'000'000LL;

struct AppointmentFilter {
  std::string practitioner_id;  // empty for any
  std::string patient_id;       // empty for any
  UnixMicros from = 0;          // appointments starting at or after
  UnixMicros to = 0;            // ... and before; 0 for no end
  std::string status;           // a status name, empty for any
  std::size_t limit = 1000;
};

class AppointmentStore {
 public:
  explicit AppointmentStore(storage::DataProtection& protection) : protection_(protection) {}

  // Writes a new appointment and claims its cells. kInvalidArgument for a
  // time off the five-minute grid; kConflict ("slot_taken") when the time
  // overlaps another appointment of the practitioner.
  Status insert(soci::session& session, const Appointment& appointment);

  // Writes `appointment` (whose version the caller has already bumped) over
  // the stored row of version `read_version`. kConflict when it changed.
  Status update(soci::session& session, const Appointment& appointment, std::int64_t read_version);

  // Gives up the appointment's cells (cancellation) ...
  void release(soci::session& session, const std::string& appointment_id);
  // ... or claims them for its current time (after release, to reschedule).
  Status claim(soci::session& session, const Appointment& appointment);

  // kDataLoss for a row that fails its integrity check.
  Result<std::optional<Appointment>> find(soci::session& session, const std::string& id);
  // By start time, then id.
  Result<std::vector<Appointment>> list(soci::session& session, const AppointmentFilter& filter);
  // The times held by the practitioner's appointments overlapping `window`.
  std::vector<TimeWindow> busy(soci::session& session, const std::string& practitioner_id,
                               const TimeWindow& window);
  // Whether the user is the practitioner of an appointment of the patient
  // that was not cancelled.
  bool is_practitioner_of(soci::session& session, const std::string& patient_id,
                          const std::string& user_id);

 private:
  struct Sealed {
    std::string reason;
    std::string cancel_reason;
  };
  Result<Sealed> seal(const Appointment& appointment);
  static storage::StoredFields tagged_fields(const Appointment& appointment, const Sealed& sealed);
  Result<Appointment> decode(const soci::row& row);

  storage::DataProtection& protection_;
};

}  // namespace th::scheduling
