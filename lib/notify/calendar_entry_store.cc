#include "notify/calendar_entry_store.h"

#include "storage/row_values.h"

namespace th::notify {
namespace {

constexpr std::string_view kTable = "calendar_entries";
constexpr std::string_view kLabelColumn = "attendee_label_enc";

}  // namespace

const storage::SealedTableLayout& CalendarEntryStore::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    built.id_column = "appointment_id";
    built.sealed.push_back({std::string(kLabelColumn), std::string(kLabelColumn), true});
    return built;
  }();
  return layout;
}

Result<bool> CalendarEntryStore::upsert(soci::session& session, const CalendarEntry& entry) {
  std::string label;
  if (!entry.attendee_label.empty()) {
    auto sealed = protection_.seal(entry.attendee_label,
                                   storage::FieldRef{kTable, kLabelColumn, entry.appointment_id});
    if (!sealed.ok()) {
      return sealed.error();
    }
    label = std::move(*sealed);
  }
  const int cancelled = entry.cancelled ? 1 : 0;
  soci::statement upsert =
      (session.prepare << "INSERT INTO calendar_entries (appointment_id, practitioner_id, "
                          "patient_id, starts_at, ends_at, sequence, cancelled, "
                          "attendee_label_enc, updated_at) VALUES (:id, :practitioner, :patient, "
                          ":starts, :ends, :sequence, :cancelled, :label, :updated) "
                          "ON CONFLICT (appointment_id) DO UPDATE SET "
                          "practitioner_id = excluded.practitioner_id, "
                          "patient_id = excluded.patient_id, starts_at = excluded.starts_at, "
                          "ends_at = excluded.ends_at, sequence = excluded.sequence, "
                          "cancelled = excluded.cancelled, "
                          "attendee_label_enc = excluded.attendee_label_enc, "
                          "updated_at = excluded.updated_at "
                          "WHERE calendar_entries.sequence <= excluded.sequence",
       soci::use(entry.appointment_id), soci::use(entry.practitioner_id),
       soci::use(entry.patient_id), soci::use(entry.starts_at), soci::use(entry.ends_at),
       soci::use(entry.sequence), soci::use(cancelled), soci::use(label),
       soci::use(entry.updated_at));
  upsert.execute(true);
  return upsert.get_affected_rows() == 1;
}

Result<std::vector<CalendarEntry>> CalendarEntryStore::list(soci::session& session,
                                                            const std::string& practitioner_id,
                                                            UnixMicros from, UnixMicros to,
                                                            std::size_t limit) {
  const int max_rows = static_cast<int>(limit);
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT appointment_id, practitioner_id, patient_id, starts_at, "
                          "ends_at, sequence, cancelled, attendee_label_enc, updated_at "
                          "FROM calendar_entries WHERE practitioner_id = :practitioner "
                          "AND starts_at >= :from AND starts_at < :to "
                          "ORDER BY starts_at, appointment_id LIMIT :limit",
       soci::use(practitioner_id), soci::use(from), soci::use(to), soci::use(max_rows));
  std::vector<CalendarEntry> entries;
  for (const soci::row& row : rows) {
    CalendarEntry entry;
    entry.appointment_id = storage::column_text(row, 0);
    entry.practitioner_id = storage::column_text(row, 1);
    entry.patient_id = storage::column_text(row, 2);
    entry.starts_at = storage::column_int64(row, 3);
    entry.ends_at = storage::column_int64(row, 4);
    entry.sequence = storage::column_int64(row, 5);
    entry.cancelled = storage::column_int64(row, 6) != 0;
    const std::string sealed = storage::column_text(row, 7);
    entry.updated_at = storage::column_int64(row, 8);
    if (!sealed.empty()) {
      auto label =
          protection_.open(sealed, storage::FieldRef{kTable, kLabelColumn, entry.appointment_id});
      if (!label.ok()) {
        return label.error();
      }
      entry.attendee_label = std::move(*label);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace th::notify
