// Guests of video visits against a real SQLite database: who may invite,
// the three-guest limit, the single-use link, its expiry, the guest session
// limited to one visit, revocation by hand and by cancellation, and the
// audit events of each.

#include "scheduling/invitation_service.h"

#include <gtest/gtest.h>

#include "access/credential_cache.h"
#include "scheduling_fixture.h"

namespace th::scheduling {
namespace {

// Keeps the notices it is given, as the outbox would queue them.
class RecordingNotices final : public InvitationNotices {
 public:
  Status queue(soci::session&, const InvitationNotice& notice) override {
    notices.push_back(notice);
    return ok_status();
  }
  Status withdraw(soci::session&, const std::string& invitation_id) override {
    withdrawn.push_back(invitation_id);
    return ok_status();
  }
  std::vector<InvitationNotice> notices;
  std::vector<std::string> withdrawn;
};

class InvitationServiceTest : public SchedulingFixture {
 protected:
  void SetUp() override {
    SchedulingFixture::SetUp();
    services_->invitations.set_notices(&notices_);
    practitioner_ = add_practitioner();
    patient_ = add_patient("OR");
    auto booked = services_->bookings.book(booking(practitioner_, patient_, "2026-03-09T09:00:00Z"),
                                           front_desk());
    ASSERT_TRUE(booked.ok()) << booked.error().message();
    appointment_ = booked->appointment.id;
  }

  InvitationService& invitations() { return services_->invitations; }

  Result<GuestInvitation> invite(const std::string& email = "guest@example.org",
                                 const std::string& relationship = "caregiver") {
    return invitations().invite(appointment_, {email, relationship}, front_desk());
  }

  // The link secret of the last invitation, as its email carries it.
  std::string last_secret() const {
    return notices_.notices.empty() ? "" : notices_.notices.back().link_secret;
  }

  static access::Caller anonymous() {
    access::Caller caller;
    caller.source_address = "192.0.2.7";
    return caller;
  }

  std::vector<audit::AuditEvent> events_for(std::string_view action) const {
    std::vector<audit::AuditEvent> found;
    for (const auto& event : audit_.events()) {
      if (event.action == action && event.resource_type == "visit_invitation") {
        found.push_back(event);
      }
    }
    return found;
  }

  RecordingNotices notices_;
  std::string practitioner_;
  std::string patient_;
  std::string appointment_;
};

TEST_F(InvitationServiceTest, InvitationQueuesOneEmailWithTheVisitAndAFreshSecret) {
  auto first = invite("ana@example.org", "family_member");
  auto second = invite("ben@example.org", "interpreter");

  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(notices_.notices.size(), 2U);
  const InvitationNotice& notice = notices_.notices.front();
  EXPECT_EQ(notice.recipient, "ana@example.org");
  EXPECT_EQ(notice.starts_at, at("2026-03-09T09:00:00Z"));
  EXPECT_EQ(notice.practitioner_id, practitioner_);
  EXPECT_EQ(notice.link_secret.size(), 43U);  // 256 bits in base64url
  EXPECT_NE(notice.link_secret, notices_.notices.back().link_secret);
  EXPECT_EQ(first->status, InvitationStatus::kPending);
  EXPECT_EQ(first->expires_at, at("2026-03-09T09:50:00Z"));  // the end plus 30 minutes
  EXPECT_EQ(events_for("invite").back().patient_id, patient_);
}

TEST_F(InvitationServiceTest, RedeemedLinkGivesASessionForThatVisitOnly) {
  ASSERT_TRUE(invite().ok());
  auto other = services_->bookings.book(booking(practitioner_, patient_, "2026-03-09T10:00:00Z"),
                                        front_desk());
  ASSERT_TRUE(other.ok());

  auto guest = invitations().redeem(last_secret(), anonymous());

  ASSERT_TRUE(guest.ok()) << guest.error().message();
  EXPECT_TRUE(guest->secret.starts_with(access::kGuestSessionPrefix));
  auto principal = invitations().authenticate_guest(guest->secret);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->kind, access::PrincipalKind::kGuest);
  EXPECT_EQ(principal->guest_appointment_id, appointment_);
  EXPECT_TRUE(principal->permissions.empty());
  EXPECT_TRUE(principal->patient_id.empty());
  EXPECT_TRUE(invitations().grant_for(guest->secret, appointment_).ok());
  auto elsewhere = invitations().grant_for(guest->secret, other->appointment.id);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(InvitationServiceTest, SecondRedemptionIsRefusedLikeAnUnknownLink) {
  ASSERT_TRUE(invite().ok());
  ASSERT_TRUE(invitations().redeem(last_secret(), anonymous()).ok());

  auto again = invitations().redeem(last_secret(), anonymous());
  auto unknown = invitations().redeem("not-a-link", anonymous());

  ASSERT_FALSE(again.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(again.error().message(), unknown.error().message());
  const auto redeems = events_for("redeem");
  ASSERT_EQ(redeems.size(), 3U);
  EXPECT_EQ(redeems[0].outcome, audit::AuditOutcome::kSuccess);
  EXPECT_EQ(redeems[1].outcome, audit::AuditOutcome::kDenied);
  EXPECT_EQ(redeems[1].reason, "already redeemed");
  EXPECT_EQ(redeems[2].reason, "unknown link");
}

TEST_F(InvitationServiceTest, LinkExpiresAtTheVisitsEndPlusTheGrace) {
  ASSERT_TRUE(invite().ok());
  clock_.set_micros(at("2026-03-09T09:50:00Z"));

  auto late = invitations().redeem(last_secret(), anonymous());

  ASSERT_FALSE(late.ok());
  EXPECT_EQ(events_for("redeem").back().reason, "expired");
}

TEST_F(InvitationServiceTest, GuestSessionIsRecognisedFromTheHashOfItsSecret) {
  ASSERT_TRUE(invite().ok());
  auto guest = invitations().redeem(last_secret(), anonymous());
  ASSERT_TRUE(guest.ok());

  auto by_hash = invitations().authenticate_guest_hash(access::hash_bearer_secret(guest->secret));
  auto unknown = invitations().authenticate_guest_hash(access::hash_bearer_secret("guest.nope"));

  ASSERT_TRUE(by_hash.ok()) << by_hash.error().message();
  EXPECT_EQ(by_hash->kind, access::PrincipalKind::kGuest);
  EXPECT_EQ(by_hash->guest_appointment_id, appointment_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kUnauthenticated);
}

TEST_F(InvitationServiceTest, GuestSessionEndsWithTheLinksExpiry) {
  ASSERT_TRUE(invite().ok());
  clock_.set_micros(at("2026-03-09T09:00:00Z"));
  auto guest = invitations().redeem(last_secret(), anonymous());
  ASSERT_TRUE(guest.ok());

  clock_.set_micros(at("2026-03-09T09:49:59Z"));
  const bool alive_before = invitations().authenticate_guest(guest->secret).ok();
  clock_.set_micros(at("2026-03-09T09:50:00Z"));
  auto after = invitations().authenticate_guest(guest->secret);

  EXPECT_TRUE(alive_before);
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(after.error().message().starts_with("session_expired"));
}

TEST_F(InvitationServiceTest, AVisitTakesAtMostThreeGuestsAndARevocationFreesAPlace) {
  std::vector<std::string> ids;
  for (const char* email : {"a@example.org", "b@example.org", "c@example.org"}) {
    auto invited = invite(email);
    ASSERT_TRUE(invited.ok());
    ids.push_back(invited->id);
  }

  auto fourth = invite("d@example.org");
  const Status revoked = invitations().revoke(appointment_, ids[0], front_desk());
  auto replacement = invite("d@example.org");

  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(revoked.ok());
  EXPECT_TRUE(replacement.ok());
}

TEST_F(InvitationServiceTest, RevocationEndsTheLinkAndTheGuestSession) {
  auto first = invite("a@example.org");
  ASSERT_TRUE(first.ok());
  auto guest = invitations().redeem(last_secret(), anonymous());
  ASSERT_TRUE(guest.ok());
  ASSERT_TRUE(invite("b@example.org").ok());
  const std::string unused = last_secret();

  ASSERT_TRUE(invitations().revoke(appointment_, first->id, front_desk()).ok());
  auto session = invitations().authenticate_guest(guest->secret);

  ASSERT_FALSE(session.ok());
  EXPECT_TRUE(session.error().message().starts_with("session_revoked"));
  EXPECT_TRUE(invitations().redeem(unused, anonymous()).ok());  // the other one still works
  EXPECT_EQ(events_for("revoke").back().resource_id, first->id);
  EXPECT_EQ(notices_.withdrawn, std::vector<std::string>{first->id});
}

TEST_F(InvitationServiceTest, CancellingTheVisitRevokesEveryInvitation) {
  ASSERT_TRUE(invite("a@example.org").ok());
  auto guest = invitations().redeem(last_secret(), anonymous());
  ASSERT_TRUE(guest.ok());
  ASSERT_TRUE(invite("b@example.org").ok());
  const std::string pending = last_secret();

  ASSERT_TRUE(services_->bookings.cancel(appointment_, "patient unwell", front_desk()).ok());

  EXPECT_FALSE(invitations().redeem(pending, anonymous()).ok());
  EXPECT_FALSE(invitations().authenticate_guest(guest->secret).ok());
  auto listed = invitations().list(appointment_, front_desk());
  ASSERT_TRUE(listed.ok());
  for (const GuestInvitation& invitation : *listed) {
    EXPECT_EQ(invitation.status, InvitationStatus::kRevoked);
    EXPECT_EQ(invitation.revoke_reason, "visit cancelled");
  }
  EXPECT_EQ(events_for("revoke").size(), 2U);
  EXPECT_EQ(notices_.withdrawn.size(), 2U);
  EXPECT_EQ(events_for("revoke").back().patient_id, patient_);
}

TEST_F(InvitationServiceTest, APatientInvitesToTheirOwnVisitOnly) {
  const std::string other_patient = add_patient("OR");
  const access::Caller own = caller_as("patient", add_user("patient", patient_), patient_);
  const access::Caller stranger =
      caller_as("patient", add_user("patient", other_patient), other_patient);

  auto mine = invitations().invite(appointment_, {"kin@example.org", "family_member"}, own);
  auto theirs = invitations().invite(appointment_, {"kin@example.org", "family_member"}, stranger);

  EXPECT_TRUE(mine.ok());
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(events_for("invite").back().outcome, audit::AuditOutcome::kDenied);
}

TEST_F(InvitationServiceTest, RefusesABadAddressOrRelationshipWithoutRepeatingIt) {
  auto address = invite("not an address");
  auto relationship = invite("guest@example.org", "neighbour");

  ASSERT_FALSE(address.ok());
  ASSERT_FALSE(relationship.ok());
  EXPECT_EQ(address.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(address.error().message().find("not an address"), std::string::npos);
  EXPECT_EQ(relationship.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(notices_.notices.empty());
}

TEST_F(InvitationServiceTest, GuestSeesTheVisitsTimeAndPractitionerAudited) {
  ASSERT_TRUE(invite().ok());
  auto guest = invitations().redeem(last_secret(), anonymous());
  ASSERT_TRUE(guest.ok());
  access::Caller caller;
  caller.principal = *invitations().authenticate_guest(guest->secret);

  auto visit = invitations().guest_visit(caller);

  ASSERT_TRUE(visit.ok()) << visit.error().message();
  EXPECT_EQ(visit->starts_at, at("2026-03-09T09:00:00Z"));
  EXPECT_EQ(visit->ends_at, at("2026-03-09T09:20:00Z"));
  EXPECT_FALSE(visit->practitioner_name.empty());
  const auto events = audit_.events();
  EXPECT_EQ(events.back().action, "read");
  EXPECT_EQ(events.back().resource_type, "guest_visit");
  EXPECT_EQ(events.back().patient_id, patient_);
  EXPECT_EQ(events.back().actor_kind, "guest");
}

}  // namespace
}  // namespace th::scheduling
