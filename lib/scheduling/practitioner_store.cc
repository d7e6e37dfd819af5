#include "scheduling/practitioner_store.h"

#include "storage/row_values.h"

namespace th::scheduling {
namespace {

constexpr const char* kSelect =
    "SELECT user_id, npi, license_states, time_zone, slot_minutes, updated_at, display_name "
    "FROM practitioners";

Practitioner decode(const soci::row& row) {
  Practitioner practitioner;
  practitioner.user_id = row.get<std::string>(0);
  practitioner.npi = row.get<std::string>(1);
  practitioner.license_states = parse_license_states(row.get<std::string>(2));
  practitioner.time_zone = row.get<std::string>(3);
  practitioner.slot_minutes = static_cast<int>(storage::column_int64(row, 4));
  practitioner.updated_at = storage::column_int64(row, 5);
  practitioner.display_name = row.get<std::string>(6);
  return practitioner;
}

}  // namespace

Status PractitionerStore::put(soci::session& session, const Practitioner& practitioner) {
  TH_RETURN_IF_ERROR(validate_practitioner(practitioner));
  int taken = 0;
  session << "SELECT COUNT(*) FROM practitioners WHERE npi = :npi AND user_id <> :user",
      soci::use(practitioner.npi), soci::use(practitioner.user_id), soci::into(taken);
  if (taken > 0) {
    return Error(ErrorCode::kConflict, "another practitioner has that NPI");
  }
  const std::string states = join_license_states(practitioner.license_states);
  if (find(session, practitioner.user_id)) {
    session << "UPDATE practitioners SET npi = :npi, license_states = :states, "
               "time_zone = :zone, slot_minutes = :slot, display_name = :name, updated_at = :at "
               "WHERE user_id = :user",
        soci::use(practitioner.npi), soci::use(states), soci::use(practitioner.time_zone),
        soci::use(practitioner.slot_minutes), soci::use(practitioner.display_name),
        soci::use(practitioner.updated_at), soci::use(practitioner.user_id);
    return ok_status();
  }
  session << "INSERT INTO practitioners (user_id, npi, license_states, time_zone, slot_minutes, "
             "display_name, updated_at) VALUES (:user, :npi, :states, :zone, :slot, :name, :at)",
      soci::use(practitioner.user_id), soci::use(practitioner.npi), soci::use(states),
      soci::use(practitioner.time_zone), soci::use(practitioner.slot_minutes),
      soci::use(practitioner.display_name), soci::use(practitioner.updated_at);
  return ok_status();
}

std::optional<Practitioner> PractitionerStore::find(soci::session& session,
                                                    const std::string& user_id) {
  soci::row row;
  session << std::string(kSelect) + " WHERE user_id = :user", soci::use(user_id), soci::into(row);
  if (!session.got_data()) {
    return std::nullopt;
  }
  return decode(row);
}

std::vector<Practitioner> PractitionerStore::list(soci::session& session) {
  std::vector<Practitioner> practitioners;
  soci::rowset<soci::row> rows = (session.prepare << std::string(kSelect) + " ORDER BY user_id");
  for (const soci::row& row : rows) {
    practitioners.push_back(decode(row));
  }
  return practitioners;
}

}  // namespace th::scheduling
