// GuestInvitation: an extra participant of a video visit (a family member,
// a caregiver, an interpreter) invited by email, and GuestGrant: the guest
// session a redeemed invitation gives, limited to that one visit.
//
// An invitation carries a single-use link secret, shown only in the email
// and stored as its SHA-256 hash. It is pending until redeemed, revoked
// (by hand, or because the visit was cancelled) or past its expiry (the
// visit's end plus a configurable grace). The invitee's email is personal
// data and is stored sealed. Plain values.
#pragma once

#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

// At most this many guests per visit, counting invitations not revoked and
// not expired (a redeemed guest still takes a place).
inline constexpr int kMaxGuestsPerVisit = 3;

enum class GuestRelationship { kFamilyMember, kCaregiver, kInterpreter };

// "family_member", "caregiver", "interpreter".
std::string_view guest_relationship_name(GuestRelationship relationship);
[[nodiscard]] Result<GuestRelationship> parse_guest_relationship(std::string_view name);

enum class InvitationStatus { kPending, kRedeemed, kRevoked };

// "pending", "redeemed", "revoked"; an expired pending invitation is shown
// as "expired" by invitation_state_name().
std::string_view invitation_status_name(InvitationStatus status);
[[nodiscard]] Result<InvitationStatus> parse_invitation_status(std::string_view name);

struct GuestInvitation {
  std::string id;
  std::string appointment_id;
  std::string patient_id;  // the visit's patient, for the audit trail
  GuestRelationship relationship = GuestRelationship::kFamilyMember;
  std::string email;  // personal, sealed at rest
  InvitationStatus status = InvitationStatus::kPending;
  UnixMicros expires_at = 0;
  std::string created_by;  // user id, or the principal kind for the local operator
  UnixMicros created_at = 0;
  UnixMicros redeemed_at = 0;
  UnixMicros revoked_at = 0;
  std::string revoked_by;
  std::string revoke_reason;  // "revoked", "visit cancelled": never personal

  // Whether it can still be redeemed at `now`.
  bool redeemable_at(UnixMicros now) const {
    return status == InvitationStatus::kPending && now < expires_at;
  }
  // Whether it still holds one of the visit's guest places at `now`.
  bool holds_place_at(UnixMicros now) const {
    return status != InvitationStatus::kRevoked && now < expires_at;
  }
};

// The status as a reader should see it at `now`: the stored one, or
// "expired" for a pending invitation past its expiry.
std::string_view invitation_state_name(const GuestInvitation& invitation, UnixMicros now);

// Checks an invitee's email address: one line, 3 to 254 bytes, one '@'
// with text on both sides and no spaces. The message never repeats it.
[[nodiscard]] Status validate_guest_email(std::string_view email);

// What a guest session may reach: one visit, until it expires or is
// revoked. Stored so that the real-time hub can check a guest's token
// against the visit room it asks for.
struct GuestGrant {
  std::string session_id;
  std::string invitation_id;
  std::string appointment_id;
  GuestRelationship relationship = GuestRelationship::kFamilyMember;
  UnixMicros created_at = 0;
  UnixMicros expires_at = 0;
  UnixMicros revoked_at = 0;  // 0 while in force
};

}  // namespace th::scheduling
