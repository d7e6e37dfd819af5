#include "scheduling/visit_type_store.h"

#include "storage/row_values.h"

namespace th::scheduling {
namespace {

constexpr const char* kSelect =
    "SELECT code, name, duration_minutes, active, updated_at FROM visit_types";

VisitType decode(const soci::row& row) {
  VisitType type;
  type.code = row.get<std::string>(0);
  type.name = row.get<std::string>(1);
  type.duration_minutes = static_cast<int>(storage::column_int64(row, 2));
  type.active = storage::column_bool(row, 3);
  type.updated_at = storage::column_int64(row, 4);
  return type;
}

}  // namespace

Status VisitTypeStore::put(soci::session& session, const VisitType& type) {
  TH_RETURN_IF_ERROR(validate_visit_type(type));
  const int active = type.active ? 1 : 0;
  if (find(session, type.code)) {
    session << "UPDATE visit_types SET name = :name, duration_minutes = :duration, "
               "active = :active, updated_at = :at WHERE code = :code",
        soci::use(type.name), soci::use(type.duration_minutes), soci::use(active),
        soci::use(type.updated_at), soci::use(type.code);
    return ok_status();
  }
  session << "INSERT INTO visit_types (code, name, duration_minutes, active, updated_at) "
             "VALUES (:code, :name, :duration, :active, :at)",
      soci::use(type.code), soci::use(type.name), soci::use(type.duration_minutes),
      soci::use(active), soci::use(type.updated_at);
  return ok_status();
}

std::optional<VisitType> VisitTypeStore::find(soci::session& session, const std::string& code) {
  soci::row row;
  session << std::string(kSelect) + " WHERE code = :code", soci::use(code), soci::into(row);
  if (!session.got_data()) {
    return std::nullopt;
  }
  return decode(row);
}

std::vector<VisitType> VisitTypeStore::list(soci::session& session) {
  std::vector<VisitType> types;
  soci::rowset<soci::row> rows = (session.prepare << std::string(kSelect) + " ORDER BY code");
  for (const soci::row& row : rows) {
    types.push_back(decode(row));
  }
  return types;
}

}  // namespace th::scheduling
