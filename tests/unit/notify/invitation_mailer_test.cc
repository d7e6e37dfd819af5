// The invitation email: what it says, where its link points, and that it is
// refused when no SMTP server is configured.

#include "notify/invitation_mailer.h"

#include <gtest/gtest.h>

#include "../storage/plain_protection.h"

namespace th::notify {
namespace {

TextTemplate parsed(std::string_view text, std::span<const std::string_view> allowed) {
  auto result = TextTemplate::parse(text, allowed);
  EXPECT_TRUE(result.ok());
  return result.ok() ? *result : TextTemplate();
}

InvitationMailSettings settings() {
  InvitationMailSettings settings;
  settings.email_enabled = true;
  settings.subject = parsed("Join a visit with {practitioner} on {date}", kInvitationPlaceholders);
  settings.body =
      parsed("{date} at {time} with {practitioner}: {link}\n{clinic}\n", kInvitationPlaceholders);
  settings.link_base = "https://clinic.example";
  settings.link_path = parsed("/guest#token={token}", kInvitationLinkPlaceholders);
  settings.clinic_name = "Bay Clinic";
  settings.time_zone = "America/New_York";
  return settings;
}

scheduling::InvitationNotice notice() {
  scheduling::InvitationNotice notice;
  notice.invitation_id = "inv-1";
  notice.appointment_id = "appt-1";
  notice.patient_id = "patient-1";
  notice.recipient = "kin@example.org";
  notice.link_secret = "SECRET-abc";
  notice.starts_at = 1'773'061'200'000'000LL;  // 2026-03-09T13:00:00Z, 9:00 AM EDT
  notice.ends_at = notice.starts_at + 20LL * 60 * 1'000'000;
  notice.expires_at = notice.ends_at + 30LL * 60 * 1'000'000;
  notice.practitioner_name = "Dr. Lee";
  return notice;
}

TEST(InvitationMailerTest, EmailCarriesTheTimePractitionerAndLinkToTheGuest) {
  ManualClock clock(1'772'000'000'000'000LL);
  storage::PlainProtection protection;
  Outbox outbox(protection, clock);
  const InvitationMailer mailer(outbox, settings(), clock);

  const NewMessage message = mailer.compose(notice());

  EXPECT_EQ(message.recipient, "kin@example.org");
  EXPECT_EQ(message.kind, "invitation");
  EXPECT_EQ(message.dedupe_key, "invitation:inv-1:email");
  EXPECT_EQ(message.subject, "Join a visit with Dr. Lee on Monday, March 9, 2026");
  EXPECT_NE(message.body.find("9:00 AM EDT with Dr. Lee"), std::string::npos) << message.body;
  EXPECT_NE(message.body.find("https://clinic.example/guest#token=SECRET-abc"), std::string::npos);
  EXPECT_TRUE(message.patient_id.empty());  // the guest is not the patient
  EXPECT_EQ(message.expires_at, notice().expires_at);
  EXPECT_TRUE(message.attachment.empty());
}

}  // namespace
}  // namespace th::notify
