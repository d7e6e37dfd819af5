#include "access/emergency_store.h"

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "emergency_grants";
constexpr const char* kColumns =
    "id, user_id, patient_id, reason_enc, granted_at, expires_at, review_state, reviewed_by, "
    "reviewed_at, review_comment_enc, version, integrity_tag";

Error tampered(const std::string& id) {
  return Error(ErrorCode::kDataLoss, "emergency grant " + id + " failed its integrity check");
}

}  // namespace

const storage::SealedTableLayout& EmergencyStore::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    built.sealed = {{"reason", "reason_enc"}, {"review_comment", "review_comment_enc"}};
    built.tagged_plain = {"user_id", "patient_id", "review_state", "reviewed_by"};
    built.tagged_integers = {"granted_at", "expires_at", "reviewed_at"};
    built.tagged = true;
    return built;
  }();
  return layout;
}

Result<EmergencyStore::Sealed> EmergencyStore::seal(const EmergencyGrant& grant) {
  auto reason = protection_.seal(grant.reason, {kTable, "reason", grant.id});
  auto comment = protection_.seal(grant.review_comment, {kTable, "review_comment", grant.id});
  if (!reason.ok() || !comment.ok()) {
    return Error(ErrorCode::kInternal, "seal emergency grant fields");
  }
  return Sealed{std::move(*reason), std::move(*comment)};
}

// Named as layout() names the columns; the tagger sorts the fields.
storage::StoredFields EmergencyStore::tagged_fields(const EmergencyGrant& grant,
                                                    const Sealed& sealed) {
  return {
      {"reason", sealed.reason},
      {"review_comment", sealed.review_comment},
      {"user_id", grant.user_id},
      {"patient_id", grant.patient_id},
      {"review_state", grant.review_state},
      {"reviewed_by", grant.reviewed_by},
      {"granted_at", std::to_string(grant.granted_at)},
      {"expires_at", std::to_string(grant.expires_at)},
      {"reviewed_at", std::to_string(grant.reviewed_at)},
  };
}

Status EmergencyStore::insert(soci::session& session, const EmergencyGrant& grant) {
  auto sealed = seal(grant);
  if (!sealed.ok()) {
    return sealed.error();
  }
  const long long version = grant.version;
  const std::string integrity =
      protection_.integrity_tag(kTable, grant.id, version, tagged_fields(grant, *sealed));
  session << "INSERT INTO emergency_grants (" << kColumns
          << ") VALUES (:id, :user, :patient, :reason, :granted, :expires, :state, :by, :at, "
             ":comment, :version, :tag)",
      soci::use(grant.id), soci::use(grant.user_id), soci::use(grant.patient_id),
      soci::use(sealed->reason), soci::use(grant.granted_at), soci::use(grant.expires_at),
      soci::use(grant.review_state), soci::use(grant.reviewed_by), soci::use(grant.reviewed_at),
      soci::use(sealed->review_comment), soci::use(version), soci::use(integrity);
  return ok_status();
}

// The clear columns of a row (kColumns order).
void EmergencyStore::read_clear_columns(const soci::row& row, EmergencyGrant& grant) {
  grant.id = row.get<std::string>(0);
  grant.user_id = row.get<std::string>(1);
  grant.patient_id = row.get<std::string>(2);
  grant.granted_at = storage::column_int64(row, 4);
  grant.expires_at = storage::column_int64(row, 5);
  grant.review_state = row.get<std::string>(6);
  grant.reviewed_by = row.get<std::string>(7);
  grant.reviewed_at = storage::column_int64(row, 8);
  grant.version = storage::column_int64(row, 10);
}

Result<EmergencyGrant> EmergencyStore::decode(const soci::row& row) {
  EmergencyGrant grant;
  read_clear_columns(row, grant);
  const Sealed sealed{row.get<std::string>(3), row.get<std::string>(9)};

  // Integrity first: a tampered grant is refused before any field is opened.
  if (!protection_.verify_integrity(kTable, grant.id, grant.version, tagged_fields(grant, sealed),
                                    row.get<std::string>(11))) {
    return tampered(grant.id);
  }
  auto reason = protection_.open(sealed.reason, {kTable, "reason", grant.id});
  auto comment = protection_.open(sealed.review_comment, {kTable, "review_comment", grant.id});
  if (!reason.ok() || !comment.ok()) {
    return Error(ErrorCode::kDataLoss, "emergency grant " + grant.id + " does not decrypt");
  }
  grant.reason = std::move(*reason);
  grant.review_comment = std::move(*comment);
  return grant;
}

Result<std::uint64_t> EmergencyStore::tag_untagged_rows(soci::session& session) {
  std::vector<std::pair<EmergencyGrant, Sealed>> untagged;
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM emergency_grants WHERE integrity_tag = ''");
  for (const soci::row& row : rows) {
    EmergencyGrant grant;
    read_clear_columns(row, grant);
    untagged.emplace_back(std::move(grant),
                          Sealed{row.get<std::string>(3), row.get<std::string>(9)});
  }
  // Written once the rowset is finished.
  for (const auto& [grant, sealed] : untagged) {
    const long long version = grant.version;
    const std::string integrity =
        protection_.integrity_tag(kTable, grant.id, version, tagged_fields(grant, sealed));
    session << "UPDATE emergency_grants SET integrity_tag = :tag WHERE id = :id AND "
               "version = :version AND integrity_tag = ''",
        soci::use(integrity), soci::use(grant.id), soci::use(version);
  }
  return static_cast<std::uint64_t>(untagged.size());
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
  auto existing = find(session, id);
  if (!existing.ok()) {
    return existing.error();
  }
  if (!existing->has_value()) {
    return Error(ErrorCode::kNotFound, "no emergency grant " + id);
  }
  EmergencyGrant grant = std::move(**existing);
  if (grant.review_state != "pending") {
    return Error(ErrorCode::kFailedPrecondition, "emergency grant " + id + " was already reviewed");
  }
  grant.review_state = outcome;
  grant.reviewed_by = reviewer;
  grant.reviewed_at = now;
  grant.review_comment = comment;
  auto sealed = seal(grant);
  if (!sealed.ok()) {
    return sealed.error();
  }
  const long long old_version = grant.version;
  const long long new_version = grant.version + 1;
  const std::string integrity =
      protection_.integrity_tag(kTable, id, new_version, tagged_fields(grant, *sealed));

  // The reason is written back re-sealed, as the tag covers it. The version
  // and the pending state guard against a second reviewer who read the
  // grant at the same time.
  soci::statement statement =
      (session.prepare << "UPDATE emergency_grants SET review_state = :state, reviewed_by = :by, "
                          "reviewed_at = :at, reason_enc = :reason, review_comment_enc = :comment, "
                          "version = :newv, integrity_tag = :tag "
                          "WHERE id = :id AND version = :oldv AND review_state = 'pending'",
       soci::use(outcome), soci::use(reviewer), soci::use(now), soci::use(sealed->reason),
       soci::use(sealed->review_comment), soci::use(new_version), soci::use(integrity),
       soci::use(id), soci::use(old_version));
  statement.execute(true);
  if (statement.get_affected_rows() != 1) {
    return Error(ErrorCode::kFailedPrecondition, "emergency grant " + id + " was already reviewed");
  }
  return ok_status();
}

}  // namespace th::access
