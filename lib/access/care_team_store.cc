#include "access/care_team_store.h"

#include "storage/row_values.h"

namespace th::access {
namespace {

std::vector<CareTeamMember> query(soci::session& session, const std::string& sql,
                                  const std::string& value) {
  std::vector<CareTeamMember> members;
  soci::rowset<soci::row> rows = (session.prepare << sql, soci::use(value));
  for (const soci::row& row : rows) {
    members.push_back(CareTeamMember{row.get<std::string>(0), row.get<std::string>(1),
                                     row.get<std::string>(2), storage::column_int64(row, 3)});
  }
  return members;
}

}  // namespace

bool CareTeamStore::add(soci::session& session, const CareTeamMember& member) {
  if (is_member(session, member.patient_id, member.user_id)) {
    return false;
  }
  session << "INSERT INTO care_team_members (patient_id, user_id, added_by, added_at) "
             "VALUES (:patient, :user, :by, :at)",
      soci::use(member.patient_id), soci::use(member.user_id), soci::use(member.added_by),
      soci::use(member.added_at);
  return true;
}

bool CareTeamStore::remove(soci::session& session, const std::string& patient_id,
                           const std::string& user_id) {
  soci::statement statement =
      (session.prepare << "DELETE FROM care_team_members WHERE patient_id = :patient "
                          "AND user_id = :user",
       soci::use(patient_id), soci::use(user_id));
  statement.execute(true);
  return statement.get_affected_rows() == 1;
}

bool CareTeamStore::is_member(soci::session& session, const std::string& patient_id,
                              const std::string& user_id) {
  int count = 0;
  session << "SELECT COUNT(*) FROM care_team_members WHERE patient_id = :patient "
             "AND user_id = :user",
      soci::use(patient_id), soci::use(user_id), soci::into(count);
  return count > 0;
}

std::vector<CareTeamMember> CareTeamStore::for_patient(soci::session& session,
                                                       const std::string& patient_id) {
  return query(session,
               "SELECT patient_id, user_id, added_by, added_at FROM care_team_members "
               "WHERE patient_id = :v ORDER BY added_at, user_id",
               patient_id);
}

std::vector<CareTeamMember> CareTeamStore::for_user(soci::session& session,
                                                    const std::string& user_id) {
  return query(session,
               "SELECT patient_id, user_id, added_by, added_at FROM care_team_members "
               "WHERE user_id = :v ORDER BY added_at, patient_id",
               user_id);
}

}  // namespace th::access
