#include "notify/mail_composer.h"

#include <gtest/gtest.h>

#include <sstream>

#include "notify/sms_sender.h"

namespace th::notify {
namespace {

ClaimedMessage email_message(std::string attachment) {
  ClaimedMessage message;
  message.entry.id = "0b6c1d2e-0000-4000-8000-000000000001";
  message.entry.channel = Channel::kEmail;
  message.recipient = "pat@example.org";
  message.subject = "Your visit on Monday";
  message.body = "See you then.";
  message.attachment = std::move(attachment);
  return message;
}

std::string written(const Poco::Net::MailMessage& mail) {
  std::ostringstream out;
  mail.write(out);
  return out.str();
}

const MailIdentity kIdentity{"Bay Clinic <reminders@clinic.example>", "clinic.example"};

TEST(MailComposerTest, MessageIdIsTheSameOnEveryAttempt) {
  const auto first = compose_mail(email_message(""), kIdentity, 1);
  const auto second = compose_mail(email_message(""), kIdentity, 2);

  EXPECT_EQ(first->get("Message-ID"), "<0b6c1d2e-0000-4000-8000-000000000001@clinic.example>");
  EXPECT_EQ(first->get("Message-ID"), second->get("Message-ID"));
}

TEST(MailComposerTest, InvitationTravelsAsATextCalendarAttachmentWithItsMethod) {
  const auto mail = compose_mail(
      email_message("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"), kIdentity, 1);

  const std::string text = written(*mail);

  EXPECT_NE(text.find("multipart/mixed"), std::string::npos);
  EXPECT_NE(text.find("text/calendar; charset=UTF-8; method=CANCEL"), std::string::npos);
  EXPECT_NE(text.find("invite.ics"), std::string::npos);
  EXPECT_NE(text.find("text/plain; charset=UTF-8"), std::string::npos);
}

TEST(MailComposerTest, PlainMessageWithoutAttachmentIsOnePart) {
  const std::string text = written(*compose_mail(email_message(""), kIdentity, 1));

  EXPECT_EQ(text.find("multipart"), std::string::npos);
  EXPECT_NE(text.find("See you then."), std::string::npos);
  EXPECT_NE(text.find("Auto-Submitted: auto-generated"), std::string::npos);
}

TEST(MailComposerTest, LineBreaksCannotAddHeaders) {
  ClaimedMessage message = email_message("");
  message.subject = "Hello\r\nBcc: someone@else.example";

  const std::string text = written(*compose_mail(message, kIdentity, 1));

  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(text.find("\nBcc:"), std::string::npos);
}

SmsSettings sms_settings(std::string body_template, std::string content_type) {
  constexpr std::string_view kNames[] = {"to", "from", "body"};
  SmsSettings settings;
  settings.url = "https://sms.example/v1/messages";
  settings.from = "+15550001111";
  settings.body_template = TextTemplate::parse(body_template, kNames).value();
  settings.content_type = std::move(content_type);
  return settings;
}

TEST(SmsRequestTest, JsonBodyQuotesAndEscapesEachValue) {
  const SmsSender sender(
      sms_settings(R"({"to": {to}, "from": {from}, "text": {body}})", "application/json"), nullptr);
  ClaimedMessage message;
  message.recipient = "+14155550123";
  message.body = "Visit \"today\"\nat 9:00 \\ ok";

  EXPECT_EQ(
      sender.request_body(message),
      R"({"to": "+14155550123", "from": "+15550001111", "text": "Visit \"today\"\nat 9:00 \\ ok"})");
}

TEST(SmsRequestTest, FormBodyPercentEncodesEachValue) {
  const SmsSender sender(
      sms_settings("To={to}&From={from}&Body={body}", "application/x-www-form-urlencoded"),
      nullptr);
  ClaimedMessage message;
  message.recipient = "+14155550123";
  message.body = "a&b=c d";

  EXPECT_EQ(sender.request_body(message),
            "To=%2B14155550123&From=%2B15550001111&Body=a%26b%3Dc%20d");
}

TEST(SmsRequestTest, AuthorizationFollowsTheScheme) {
  SmsSettings settings = sms_settings("{body}", "text/plain");
  settings.credentials = "user:secret";
  settings.auth_scheme = "Basic";
  const SmsSender basic(settings, nullptr);
  settings.auth_scheme = "Bearer";
  const SmsSender bearer(settings, nullptr);
  settings.auth_scheme = "";
  const SmsSender bare(settings, nullptr);

  EXPECT_EQ(basic.authorization_value(), "Basic dXNlcjpzZWNyZXQ=");
  EXPECT_EQ(bearer.authorization_value(), "Bearer user:secret");
  EXPECT_EQ(bare.authorization_value(), "user:secret");
}

}  // namespace
}  // namespace th::notify
