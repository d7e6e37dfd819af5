#include "access/emergency_store.h"

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "emergency_grants";
constexpr const char* kColumns =
    "id, user_id, patient_id, reason_enc, granted_at, expires_at, review_state, reviewed_by, "
    "reviewed_at, review_comment_enc";

}  // namespace

const storage::SealedTableLayout& EmergencyStore::layout() {
  static const storage::SealedTableLayout layout{
      std::string(kTable),
      "id",
      {{"reason", "reason_enc"}, {"review_comment", "review_comment_enc"}},
      {},
      false};
  return layout;
}

Status EmergencyStore::insert(soci::session& session, const EmergencyGrant& grant) {
  auto reason = protection_.seal(grant.reason, {kTable, "reason", grant.id});
  auto comment = protection_.seal(grant.review_comment, {kTable, "review_comment", grant.id});
  if (!reason.ok() || !comment.ok()) {
    return Error(ErrorCode::kInternal, "seal emergency grant fields");
  }
  session << "INSERT INTO emergency_grants (id, user_id, patient_id, reason_enc, granted_at, "
             "expires_at, review_state, reviewed_by, reviewed_at, review_comment_enc) VALUES "
             "(:id, :user, :patient, :reason, :granted, :expires, :state, :by, :at, :comment)",
      soci::use(grant.id), soci::use(grant.user_id), soci::use(grant.patient_id),
      soci::use(*reason), soci::use(grant.granted_at), soci::use(grant.expires_at),
      soci::use(grant.review_state), soci::use(grant.reviewed_by), soci::use(grant.reviewed_at),
      soci::use(*comment);
  return ok_status();
}

Result<EmergencyGrant> EmergencyStore::decode(const soci::row& row) {
  EmergencyGrant grant;
  grant.id = row.get<std::string>(0);
  grant.user_id = row.get<std::string>(1);
  grant.patient_id = row.get<std::string>(2);
  auto reason = protection_.open(row.get<std::string>(3), {kTable, "reason", grant.id});
  auto comment = protection_.open(row.get<std::string>(9), {kTable, "review_comment", grant.id});
  if (!reason.ok() || !comment.ok()) {
    return Error(ErrorCode::kDataLoss, "emergency grant " + grant.id + " does not decrypt");
  }
  grant.reason = std::move(*reason);
  grant.granted_at = storage::column_int64(row, 4);
  grant.expires_at = storage::column_int64(row, 5);
  grant.review_state = row.get<std::string>(6);
  grant.reviewed_by = row.get<std::string>(7);
  grant.reviewed_at = storage::column_int64(row, 8);
  grant.review_comment = std::move(*comment);
  return grant;
}

Result<std::vector<EmergencyGrant>> EmergencyStore::decode_all(soci::rowset<soci::row>& rows) {
  std::vector<EmergencyGrant> grants;
  for (const soci::row& row : rows) {
    auto grant = decode(row);
    if (!grant.ok()) {
      return grant.error();
    }
    grants.push_back(std::move(*grant));
  }
  return grants;
}

Result<std::optional<EmergencyGrant>> EmergencyStore::active(soci::session& session,
                                                             const std::string& user_id,
                                                             const std::string& patient_id,
                                                             UnixMicros now) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM emergency_grants WHERE user_id = :user AND "
                              "patient_id = :patient AND expires_at > :now "
                              "ORDER BY expires_at DESC",
       soci::use(user_id), soci::use(patient_id), soci::use(now));
  auto grants = decode_all(rows);
  if (!grants.ok()) {
    return grants.error();
  }
  if (grants->empty()) {
    return std::optional<EmergencyGrant>();
  }
  return std::optional<EmergencyGrant>(grants->front());
}

Result<std::optional<EmergencyGrant>> EmergencyStore::find(soci::session& session,
                                                           const std::string& id) {
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM emergency_grants WHERE id = :id",
                                  soci::use(id));
  auto grants = decode_all(rows);
  if (!grants.ok()) {
    return grants.error();
  }
  if (grants->empty()) {
    return std::optional<EmergencyGrant>();
  }
  return std::optional<EmergencyGrant>(grants->front());
}

Result<std::vector<EmergencyGrant>> EmergencyStore::list(soci::session& session,
                                                         bool pending_only) {
  const int all = pending_only ? 0 : 1;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM emergency_grants WHERE review_state = 'pending' OR :all = 1 "
                              "ORDER BY granted_at DESC, id",
       soci::use(all));
  return decode_all(rows);
}

Status EmergencyStore::review(soci::session& session, const std::string& id,
                              const std::string& outcome, const std::string& reviewer,
                              const std::string& comment, UnixMicros now) {
  if (outcome != "justified" && outcome != "unjustified") {
    return Error(ErrorCode::kInvalidArgument, "outcome must be justified or unjustified");
  }
  auto sealed = protection_.seal(comment, {kTable, "review_comment", id});
  if (!sealed.ok()) {
    return sealed.error();
  }
  soci::statement statement =
      (session.prepare << "UPDATE emergency_grants SET review_state = :state, reviewed_by = :by, "
                          "reviewed_at = :at, review_comment_enc = :comment "
                          "WHERE id = :id AND review_state = 'pending'",
       soci::use(outcome), soci::use(reviewer), soci::use(now), soci::use(*sealed), soci::use(id));
  statement.execute(true);
  if (statement.get_affected_rows() != 1) {
    auto existing = find(session, id);
    if (existing.ok() && !existing->has_value()) {
      return Error(ErrorCode::kNotFound, "no emergency grant " + id);
    }
    return Error(ErrorCode::kFailedPrecondition, "emergency grant " + id + " was already reviewed");
  }
  return ok_status();
}

}  // namespace th::access
