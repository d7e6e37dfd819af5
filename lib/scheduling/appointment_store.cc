#include "scheduling/appointment_store.h"

#include <limits>

#include "scheduling/visit_state_machine.h"
#include "storage/row_values.h"

namespace th::scheduling {
namespace {

constexpr std::string_view kTable = "appointments";
constexpr const char* kColumns =
    "id, practitioner_id, patient_id, visit_type, starts_at, ends_at, status, reason_enc, "
    "urgent, booked_by, booked_at, checked_in_at, started_at, completed_at, no_show_at, "
    "cancelled_at, cancelled_by, cancel_reason_enc, updated_by, updated_at, version, "
    "integrity_tag";

Error slot_taken() {
  return Error(ErrorCode::kConflict,
               "slot_taken: the practitioner already has an appointment at that time");
}

}  // namespace

Result<AppointmentStore::Sealed> AppointmentStore::seal(const Appointment& appointment) {
  auto reason = protection_.seal(appointment.reason, {kTable, "reason", appointment.id});
  if (!reason.ok()) {
    return reason.error();
  }
  auto cancel_reason =
      protection_.seal(appointment.cancel_reason, {kTable, "cancel_reason", appointment.id});
  if (!cancel_reason.ok()) {
    return cancel_reason.error();
  }
  return Sealed{std::move(*reason), std::move(*cancel_reason)};
}

// The tag covers who, when, what and the sealed text: what a tamperer would
// want to move or rewrite. The timestamps of the status history are left
// out: they are bookkeeping, and the status they belong to is covered.
storage::StoredFields AppointmentStore::tagged_fields(const Appointment& appointment,
                                                      const Sealed& sealed) {
  return {
      {"practitioner_id", appointment.practitioner_id},
      {"patient_id", appointment.patient_id},
      {"visit_type", appointment.visit_type},
      {"starts_at", std::to_string(appointment.starts_at)},
      {"ends_at", std::to_string(appointment.ends_at)},
      {"status", std::string(appointment_status_name(appointment.status))},
      {"reason", sealed.reason},
      {"urgent", appointment.urgent ? "1" : "0"},
      {"booked_by", appointment.booked_by},
      {"cancelled_by", appointment.cancelled_by},
      {"cancel_reason", sealed.cancel_reason},
  };
}

Status AppointmentStore::claim(soci::session& session, const Appointment& appointment) {
  if (appointment.starts_at % kSlotCellMicros != 0 || appointment.ends_at % kSlotCellMicros != 0 ||
      appointment.ends_at <= appointment.starts_at) {
    return Error(ErrorCode::kInvalidArgument, "appointments start and end on five-minute marks");
  }
  const long long first = appointment.starts_at / kSlotCellMicros;
  const long long last = appointment.ends_at / kSlotCellMicros;
  int held = 0;
  session << "SELECT COUNT(*) FROM appointment_slots WHERE practitioner_id = :id AND "
             "cell >= :first AND cell < :last",
      soci::use(appointment.practitioner_id), soci::use(first), soci::use(last), soci::into(held);
  if (held > 0) {
    return slot_taken();
  }
  for (long long cell = first; cell < last; ++cell) {
    session << "INSERT INTO appointment_slots (practitioner_id, cell, appointment_id) "
               "VALUES (:practitioner, :cell, :appointment)",
        soci::use(appointment.practitioner_id), soci::use(cell), soci::use(appointment.id);
  }
  return ok_status();
}

void AppointmentStore::release(soci::session& session, const std::string& appointment_id) {
  session << "DELETE FROM appointment_slots WHERE appointment_id = :id", soci::use(appointment_id);
}

Status AppointmentStore::insert(soci::session& session, const Appointment& appointment) {
  auto sealed = seal(appointment);
  if (!sealed.ok()) {
    return sealed.error();
  }
  const std::string status(appointment_status_name(appointment.status));
  const int urgent = appointment.urgent ? 1 : 0;
  const long long version = appointment.version;
  const std::string integrity = protection_.integrity_tag(
      kTable, appointment.id, appointment.version, tagged_fields(appointment, *sealed));
  session << "INSERT INTO appointments (" << kColumns
          << ") VALUES (:id, :practitioner, :patient, :type, :starts, :ends, :status, :reason, "
             ":urgent, :booked_by, :booked_at, :checked_in, :started, :completed, :no_show, "
             ":cancelled_at, :cancelled_by, :cancel_reason, :updated_by, :updated_at, :version, "
             ":tag)",
      soci::use(appointment.id), soci::use(appointment.practitioner_id),
      soci::use(appointment.patient_id), soci::use(appointment.visit_type),
      soci::use(appointment.starts_at), soci::use(appointment.ends_at), soci::use(status),
      soci::use(sealed->reason), soci::use(urgent), soci::use(appointment.booked_by),
      soci::use(appointment.booked_at), soci::use(appointment.checked_in_at),
      soci::use(appointment.started_at), soci::use(appointment.completed_at),
      soci::use(appointment.no_show_at), soci::use(appointment.cancelled_at),
      soci::use(appointment.cancelled_by), soci::use(sealed->cancel_reason),
      soci::use(appointment.updated_by), soci::use(appointment.updated_at), soci::use(version),
      soci::use(integrity);
  return claim(session, appointment);
}

Status AppointmentStore::update(soci::session& session, const Appointment& appointment,
                                std::int64_t read_version) {
  auto sealed = seal(appointment);
  if (!sealed.ok()) {
    return sealed.error();
  }
  const std::string status(appointment_status_name(appointment.status));
  const int urgent = appointment.urgent ? 1 : 0;
  const long long version = appointment.version;
  const long long expected = read_version;
  const std::string integrity = protection_.integrity_tag(
      kTable, appointment.id, appointment.version, tagged_fields(appointment, *sealed));
  soci::statement statement =
      (session.prepare << "UPDATE appointments SET practitioner_id = :practitioner, "
                          "starts_at = :starts, ends_at = :ends, "
                          "status = :status, reason_enc = :reason, urgent = :urgent, "
                          "checked_in_at = :checked_in, started_at = :started, completed_at = "
                          ":completed, no_show_at = :no_show, cancelled_at = :cancelled_at, "
                          "cancelled_by = :cancelled_by, cancel_reason_enc = :cancel_reason, "
                          "updated_by = :updated_by, updated_at = :updated_at, version = "
                          ":version, integrity_tag = :tag WHERE id = :id AND version = :expected",
       soci::use(appointment.practitioner_id), soci::use(appointment.starts_at),
       soci::use(appointment.ends_at), soci::use(status), soci::use(sealed->reason),
       soci::use(urgent), soci::use(appointment.checked_in_at), soci::use(appointment.started_at),
       soci::use(appointment.completed_at), soci::use(appointment.no_show_at),
       soci::use(appointment.cancelled_at), soci::use(appointment.cancelled_by),
       soci::use(sealed->cancel_reason), soci::use(appointment.updated_by),
       soci::use(appointment.updated_at), soci::use(version), soci::use(integrity),
       soci::use(appointment.id), soci::use(expected));
  statement.execute(true);
  if (statement.get_affected_rows() != 1) {
    return Error(ErrorCode::kConflict,
                 "changed_concurrently: the appointment was changed meanwhile; read it again");
  }
  return ok_status();
}

Result<Appointment> AppointmentStore::decode(const soci::row& row) {
  Appointment appointment;
  appointment.id = row.get<std::string>(0);
  appointment.practitioner_id = row.get<std::string>(1);
  appointment.patient_id = row.get<std::string>(2);
  appointment.visit_type = row.get<std::string>(3);
  appointment.starts_at = storage::column_int64(row, 4);
  appointment.ends_at = storage::column_int64(row, 5);
  auto status = parse_appointment_status(row.get<std::string>(6));
  const Sealed sealed{row.get<std::string>(7), row.get<std::string>(17)};
  appointment.urgent = storage::column_bool(row, 8);
  appointment.booked_by = row.get<std::string>(9);
  appointment.booked_at = storage::column_int64(row, 10);
  appointment.checked_in_at = storage::column_int64(row, 11);
  appointment.started_at = storage::column_int64(row, 12);
  appointment.completed_at = storage::column_int64(row, 13);
  appointment.no_show_at = storage::column_int64(row, 14);
  appointment.cancelled_at = storage::column_int64(row, 15);
  appointment.cancelled_by = row.get<std::string>(16);
  appointment.updated_by = row.get<std::string>(18);
  appointment.updated_at = storage::column_int64(row, 19);
  appointment.version = storage::column_int64(row, 20);
  const std::string stored_tag = row.get<std::string>(21);

  // Integrity first: a tampered row is refused before its fields are opened.
  const Error tampered(ErrorCode::kDataLoss,
                       "appointment " + appointment.id + " failed its integrity check");
  if (!status.ok()) {
    return tampered;
  }
  appointment.status = *status;
  if (!protection_.verify_integrity(kTable, appointment.id, appointment.version,
                                    tagged_fields(appointment, sealed), stored_tag)) {
    return tampered;
  }
  auto reason = protection_.open(sealed.reason, {kTable, "reason", appointment.id});
  auto cancel_reason =
      protection_.open(sealed.cancel_reason, {kTable, "cancel_reason", appointment.id});
  if (!reason.ok()) {
    return reason.error().with_context("read appointment " + appointment.id);
  }
  if (!cancel_reason.ok()) {
    return cancel_reason.error().with_context("read appointment " + appointment.id);
  }
  appointment.reason = std::move(*reason);
  appointment.cancel_reason = std::move(*cancel_reason);
  return appointment;
}

Result<std::optional<Appointment>> AppointmentStore::find(soci::session& session,
                                                          const std::string& id) {
  soci::row row;
  session << std::string("SELECT ") + kColumns + " FROM appointments WHERE id = :id", soci::use(id),
      soci::into(row);
  if (!session.got_data()) {
    return std::optional<Appointment>();
  }
  auto appointment = decode(row);
  if (!appointment.ok()) {
    return appointment.error();
  }
  return std::optional<Appointment>(std::move(*appointment));
}

Result<std::vector<Appointment>> AppointmentStore::list(soci::session& session,
                                                        const AppointmentFilter& filter) {
  // Optional filters are written so that an empty value matches every row;
  // each value is bound twice because placeholders are not reused.
  const long long from = filter.from;
  const long long to = filter.to == 0 ? std::numeric_limits<long long>::max() : filter.to;
  const long long limit = static_cast<long long>(filter.limit);
  std::vector<Appointment> appointments;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM appointments WHERE (:p1 = '' OR practitioner_id = :p2) "
                              "AND (:q1 = '' OR patient_id = :q2) AND starts_at >= :from AND "
                              "starts_at < :to AND (:s1 = '' OR status = :s2) "
                              "ORDER BY starts_at, id LIMIT :limit",
       soci::use(filter.practitioner_id), soci::use(filter.practitioner_id),
       soci::use(filter.patient_id), soci::use(filter.patient_id), soci::use(from), soci::use(to),
       soci::use(filter.status), soci::use(filter.status), soci::use(limit));
  for (const soci::row& row : rows) {
    auto appointment = decode(row);
    if (!appointment.ok()) {
      return appointment.error();
    }
    appointments.push_back(std::move(*appointment));
  }
  return appointments;
}

std::vector<TimeWindow> AppointmentStore::busy(soci::session& session,
                                               const std::string& practitioner_id,
                                               const TimeWindow& window) {
  std::vector<TimeWindow> held;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT starts_at, ends_at FROM appointments WHERE practitioner_id = "
                          ":id AND status <> 'cancelled' AND starts_at < :to AND ends_at > :from "
                          "ORDER BY starts_at",
       soci::use(practitioner_id), soci::use(window.end), soci::use(window.start));
  for (const soci::row& row : rows) {
    held.push_back(TimeWindow{storage::column_int64(row, 0), storage::column_int64(row, 1)});
  }
  return held;
}

bool AppointmentStore::is_practitioner_of(soci::session& session, const std::string& patient_id,
                                          const std::string& user_id) {
  int count = 0;
  session << "SELECT COUNT(*) FROM appointments WHERE patient_id = :patient AND "
             "practitioner_id = :user AND status <> 'cancelled'",
      soci::use(patient_id), soci::use(user_id), soci::into(count);
  return count > 0;
}

}  // namespace th::scheduling
