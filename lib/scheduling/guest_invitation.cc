#include "scheduling/guest_invitation.h"

#include <algorithm>
#include <array>
#include <utility>

namespace th::scheduling {
namespace {

constexpr std::array<std::pair<GuestRelationship, std::string_view>, 3> kRelationships = {{
    {GuestRelationship::kFamilyMember, "family_member"},
    {GuestRelationship::kCaregiver, "caregiver"},
    {GuestRelationship::kInterpreter, "interpreter"},
}};

constexpr std::array<std::pair<InvitationStatus, std::string_view>, 3> kStatuses = {{
    {InvitationStatus::kPending, "pending"},
    {InvitationStatus::kRedeemed, "redeemed"},
    {InvitationStatus::kRevoked, "revoked"},
}};

constexpr std::size_t kMaxEmailBytes = 254;

}  // namespace

std::string_view guest_relationship_name(GuestRelationship relationship) {
  for (const auto& [value, name] : kRelationships) {
    if (value == relationship) {
      return name;
    }
  }
  return "family_member";
}

Result<GuestRelationship> parse_guest_relationship(std::string_view name) {
  for (const auto& [value, known] : kRelationships) {
    if (known == name) {
      return value;
    }
  }
  return Error(ErrorCode::kInvalidArgument,
               "relationship must be family_member, caregiver or interpreter");
}

std::string_view invitation_status_name(InvitationStatus status) {
  for (const auto& [value, name] : kStatuses) {
    if (value == status) {
      return name;
    }
  }
  return "pending";
}

Result<InvitationStatus> parse_invitation_status(std::string_view name) {
  for (const auto& [value, known] : kStatuses) {
    if (known == name) {
      return value;
    }
  }
  return Error(ErrorCode::kDataLoss, "stored invitation status is unknown");
}

std::string_view invitation_state_name(const GuestInvitation& invitation, UnixMicros now) {
  if (invitation.status == InvitationStatus::kPending && now >= invitation.expires_at) {
    return "expired";
  }
  return invitation_status_name(invitation.status);
}

Status validate_guest_email(std::string_view email) {
  const auto at = email.find('@');
  const bool shaped = email.size() >= 3 && email.size() <= kMaxEmailBytes &&
                      at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
                      email.find('@', at + 1) == std::string_view::npos;
  const bool plain = std::ranges::none_of(email, [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '<' || c == '>' || c == ',';
  });
  if (!shaped || !plain) {
    return Error(ErrorCode::kInvalidArgument, "email must be one address, like name@example.org");
  }
  return ok_status();
}

}  // namespace th::scheduling
