// InvitationNotices: how an invitation's email is sent, without the
// scheduling code knowing the outbox. queue() runs inside the invitation's
// write transaction, so the email is queued exactly when the invitation is
// stored (a failure rolls both back); after_commit() may then wake the
// sender. withdraw() runs inside a revocation's transaction likewise. The notice is the only place
// the link secret goes. Implementations are thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>

#include "scheduling/guest_invitation.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

// What the email needs: the visit's time, the practitioner's name, the
// invitee's address and the link secret; never the reason for the visit.
struct InvitationNotice {
  std::string invitation_id;
  std::string appointment_id;
  std::string patient_id;
  GuestRelationship relationship = GuestRelationship::kFamilyMember;
  std::string recipient;    // the invitee's email
  std::string link_secret;  // single use; goes into the link and nowhere else
  UnixMicros starts_at = 0;
  UnixMicros ends_at = 0;
  UnixMicros expires_at = 0;  // of the link
  std::string practitioner_id;
  std::string practitioner_name;
  std::string practitioner_time_zone;
};

class InvitationNotices {
 public:
  virtual ~InvitationNotices() = default;
  [[nodiscard]] virtual Status queue(soci::session& session, const InvitationNotice& notice) = 0;
  // Inside the transaction that revokes an invitation: its email, when not
  // sent yet, is not sent at all.
  [[nodiscard]] virtual Status withdraw(soci::session& session,
                                        const std::string& invitation_id) = 0;
  virtual void after_commit() {}
};

}  // namespace th::scheduling
