// GuestInvitationStore: the visit_invitations and guest_sessions tables.
//
// Invitations are found by id, by visit, or by the hash of their link
// secret; single use is enforced in the database: claim_redemption() moves
// a row from pending to redeemed only if it is still pending, so of two
// redemptions racing on any number of daemons exactly one wins. Revoking an
// invitation revokes the guest sessions it gave in the same statement set.
// The invitee's email is sealed under (visit_invitations, email, id).
//
// Methods run on a caller's session and throw what SOCI throws
// (Database::run converts it); thread-safe (no state of its own).
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "scheduling/guest_invitation.h"
#include "storage/data_protection.h"
#include "storage/sealed_table_checker.h"

namespace th::scheduling {

// A stored row with the hash of its secret, for a constant-time check.
template <typename Record>
struct Hashed {
  Record record;
  std::string secret_hash;
};

class GuestInvitationStore {
 public:
  explicit GuestInvitationStore(storage::DataProtection& protection) : protection_(protection) {}

  // How visit_invitations rows are sealed, for `thctl integrity check`.
  static const storage::SealedTableLayout& layout();

  Status insert(soci::session& session, const GuestInvitation& invitation,
                const std::string& secret_hash);
  Result<std::optional<GuestInvitation>> find(soci::session& session, const std::string& id);
  // Oldest first.
  Result<std::vector<GuestInvitation>> list_for_appointment(soci::session& session,
                                                            const std::string& appointment_id);
  Result<std::optional<Hashed<GuestInvitation>>> find_by_secret_hash(
      soci::session& session, const std::string& secret_hash);

  // pending -> redeemed at `now`; false when the row was no longer pending.
  bool claim_redemption(soci::session& session, const std::string& id, UnixMicros now);

  // Revokes one invitation (pending or redeemed) and its guest sessions;
  // false when it was revoked already.
  bool revoke(soci::session& session, const std::string& id, const std::string& by,
              const std::string& reason, UnixMicros now);
  // Revokes every invitation of a visit not revoked yet, and their guest
  // sessions; returns the ids of those it revoked.
  std::vector<std::string> revoke_all_for_appointment(soci::session& session,
                                                      const std::string& appointment_id,
                                                      const std::string& by,
                                                      const std::string& reason, UnixMicros now);

  // -- guest sessions --
  void insert_grant(soci::session& session, const GuestGrant& grant,
                    const std::string& secret_hash);
  std::optional<Hashed<GuestGrant>> find_grant_by_secret_hash(soci::session& session,
                                                              const std::string& secret_hash);

 private:
  Result<GuestInvitation> decode(const soci::row& row);
  Result<std::vector<GuestInvitation>> decode_all(soci::rowset<soci::row>& rows);
  void revoke_grants(soci::session& session, const std::string& invitation_id, UnixMicros now);

  storage::DataProtection& protection_;
};

}  // namespace th::scheduling
