#include "scheduling/guest_invitation_store.h"

#include "storage/row_values.h"

namespace th::scheduling {
namespace {

constexpr std::string_view kTable = "visit_invitations";
constexpr const char* kColumns =
    "id, appointment_id, patient_id, relationship, email_enc, status, expires_at, created_by, "
    "created_at, redeemed_at, revoked_at, revoked_by, revoke_reason, token_hash";
constexpr std::size_t kTokenHashColumn = 13;

constexpr const char* kGrantColumns =
    "id, invitation_id, appointment_id, relationship, created_at, expires_at, revoked_at, "
    "token_hash";

}  // namespace

const storage::SealedTableLayout& GuestInvitationStore::layout() {
  static const storage::SealedTableLayout layout{
      std::string(kTable), "id", {{"email", "email_enc"}}, {}, {}, false};
  return layout;
}

Status GuestInvitationStore::insert(soci::session& session, const GuestInvitation& invitation,
                                    const std::string& secret_hash) {
  auto email = protection_.seal(invitation.email, {kTable, "email", invitation.id});
  if (!email.ok()) {
    return email.error();
  }
  const std::string relationship(guest_relationship_name(invitation.relationship));
  const std::string status(invitation_status_name(invitation.status));
  session << "INSERT INTO visit_invitations (id, appointment_id, patient_id, relationship, "
             "email_enc, status, expires_at, created_by, created_at, redeemed_at, revoked_at, "
             "revoked_by, revoke_reason, token_hash) VALUES (:id, :appointment, :patient, "
             ":relationship, :email, :status, :expires, :by, :created, 0, 0, '', '', :hash)",
      soci::use(invitation.id), soci::use(invitation.appointment_id),
      soci::use(invitation.patient_id), soci::use(relationship), soci::use(*email),
      soci::use(status), soci::use(invitation.expires_at), soci::use(invitation.created_by),
      soci::use(invitation.created_at), soci::use(secret_hash);
  return ok_status();
}

Result<GuestInvitation> GuestInvitationStore::decode(const soci::row& row) {
  GuestInvitation invitation;
  invitation.id = row.get<std::string>(0);
  invitation.appointment_id = row.get<std::string>(1);
  invitation.patient_id = row.get<std::string>(2);
  auto relationship = parse_guest_relationship(row.get<std::string>(3));
  auto email = protection_.open(row.get<std::string>(4), {kTable, "email", invitation.id});
  auto status = parse_invitation_status(row.get<std::string>(5));
  if (!relationship.ok() || !email.ok() || !status.ok()) {
    return Error(ErrorCode::kDataLoss, "visit invitation " + invitation.id + " does not decode");
  }
  invitation.relationship = *relationship;
  invitation.email = std::move(*email);
  invitation.status = *status;
  invitation.expires_at = storage::column_int64(row, 6);
  invitation.created_by = row.get<std::string>(7);
  invitation.created_at = storage::column_int64(row, 8);
  invitation.redeemed_at = storage::column_int64(row, 9);
  invitation.revoked_at = storage::column_int64(row, 10);
  invitation.revoked_by = row.get<std::string>(11);
  invitation.revoke_reason = row.get<std::string>(12);
  return invitation;
}

Result<std::vector<GuestInvitation>> GuestInvitationStore::decode_all(
    soci::rowset<soci::row>& rows) {
  std::vector<GuestInvitation> invitations;
  for (const soci::row& row : rows) {
    auto invitation = decode(row);
    if (!invitation.ok()) {
      return invitation.error();
    }
    invitations.push_back(std::move(*invitation));
  }
  return invitations;
}

Result<std::optional<GuestInvitation>> GuestInvitationStore::find(soci::session& session,
                                                                  const std::string& id) {
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM visit_invitations WHERE id = :id",
                                  soci::use(id));
  auto found = decode_all(rows);
  if (!found.ok()) {
    return found.error();
  }
  if (found->empty()) {
    return std::optional<GuestInvitation>();
  }
  return std::optional<GuestInvitation>(std::move(found->front()));
}

Result<std::vector<GuestInvitation>> GuestInvitationStore::list_for_appointment(
    soci::session& session, const std::string& appointment_id) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM visit_invitations WHERE appointment_id = :appointment "
                              "ORDER BY created_at, id",
       soci::use(appointment_id));
  return decode_all(rows);
}

Result<std::optional<Hashed<GuestInvitation>>> GuestInvitationStore::find_by_secret_hash(
    soci::session& session, const std::string& secret_hash) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kColumns +
                              " FROM visit_invitations WHERE token_hash = :hash",
       soci::use(secret_hash));
  for (const soci::row& row : rows) {
    auto invitation = decode(row);
    if (!invitation.ok()) {
      return invitation.error();
    }
    return std::optional<Hashed<GuestInvitation>>(
        Hashed<GuestInvitation>{std::move(*invitation), row.get<std::string>(kTokenHashColumn)});
  }
  return std::optional<Hashed<GuestInvitation>>();
}

bool GuestInvitationStore::claim_redemption(soci::session& session, const std::string& id,
                                            UnixMicros now) {
  soci::statement statement =
      (session.prepare << "UPDATE visit_invitations SET status = 'redeemed', redeemed_at = :now "
                          "WHERE id = :id AND status = 'pending'",
       soci::use(now), soci::use(id));
  statement.execute(true);
  return statement.get_affected_rows() == 1;
}

void GuestInvitationStore::revoke_grants(soci::session& session, const std::string& invitation_id,
                                         UnixMicros now) {
  session << "UPDATE guest_sessions SET revoked_at = :now "
             "WHERE invitation_id = :invitation AND revoked_at = 0",
      soci::use(now), soci::use(invitation_id);
}

bool GuestInvitationStore::revoke(soci::session& session, const std::string& id,
                                  const std::string& by, const std::string& reason,
                                  UnixMicros now) {
  soci::statement statement =
      (session.prepare << "UPDATE visit_invitations SET status = 'revoked', revoked_at = :now, "
                          "revoked_by = :by, revoke_reason = :reason "
                          "WHERE id = :id AND status <> 'revoked'",
       soci::use(now), soci::use(by), soci::use(reason), soci::use(id));
  statement.execute(true);
  if (statement.get_affected_rows() != 1) {
    return false;
  }
  revoke_grants(session, id, now);
  return true;
}

std::vector<std::string> GuestInvitationStore::revoke_all_for_appointment(
    soci::session& session, const std::string& appointment_id, const std::string& by,
    const std::string& reason, UnixMicros now) {
  std::vector<std::string> ids;
  soci::rowset<std::string> rows =
      (session.prepare << "SELECT id FROM visit_invitations WHERE appointment_id = :appointment "
                          "AND status <> 'revoked' ORDER BY id",
       soci::use(appointment_id));
  for (const std::string& id : rows) {
    ids.push_back(id);
  }
  std::vector<std::string> revoked;
  for (const std::string& id : ids) {
    if (revoke(session, id, by, reason, now)) {
      revoked.push_back(id);
    }
  }
  return revoked;
}

void GuestInvitationStore::insert_grant(soci::session& session, const GuestGrant& grant,
                                        const std::string& secret_hash) {
  const std::string relationship(guest_relationship_name(grant.relationship));
  session << "INSERT INTO guest_sessions (id, invitation_id, appointment_id, relationship, "
             "created_at, expires_at, revoked_at, token_hash) VALUES (:id, :invitation, "
             ":appointment, :relationship, :created, :expires, 0, :hash)",
      soci::use(grant.session_id), soci::use(grant.invitation_id), soci::use(grant.appointment_id),
      soci::use(relationship), soci::use(grant.created_at), soci::use(grant.expires_at),
      soci::use(secret_hash);
}

std::optional<Hashed<GuestGrant>> GuestInvitationStore::find_grant_by_secret_hash(
    soci::session& session, const std::string& secret_hash) {
  soci::rowset<soci::row> rows =
      (session.prepare << std::string("SELECT ") + kGrantColumns +
                              " FROM guest_sessions WHERE token_hash = :hash",
       soci::use(secret_hash));
  for (const soci::row& row : rows) {
    GuestGrant grant;
    grant.session_id = row.get<std::string>(0);
    grant.invitation_id = row.get<std::string>(1);
    grant.appointment_id = row.get<std::string>(2);
    auto relationship = parse_guest_relationship(row.get<std::string>(3));
    grant.relationship = relationship.ok() ? *relationship : GuestRelationship::kFamilyMember;
    grant.created_at = storage::column_int64(row, 4);
    grant.expires_at = storage::column_int64(row, 5);
    grant.revoked_at = storage::column_int64(row, 6);
    return Hashed<GuestGrant>{std::move(grant), row.get<std::string>(7)};
  }
  return std::nullopt;
}

}  // namespace th::scheduling
