#include "notify/contact_address.h"

#include <gtest/gtest.h>

namespace th::notify {
namespace {

TEST(ContactAddressTest, AcceptsPlainMailboxes) {
  EXPECT_EQ(normalize_email("  pat@example.org "), "pat@example.org");
  EXPECT_EQ(normalize_email("first.last+tag@mail.example.co.uk"),
            "first.last+tag@mail.example.co.uk");
}

TEST(ContactAddressTest, RefusesAddressesThatCouldInjectHeaders) {
  EXPECT_FALSE(normalize_email("pat@example.org\r\nBcc: x@y.z"));
  EXPECT_FALSE(normalize_email("Pat <pat@example.org>"));
  EXPECT_FALSE(normalize_email("a@b@example.org"));
  EXPECT_FALSE(normalize_email("pat@localhost"));
  EXPECT_FALSE(normalize_email(""));
}

TEST(ContactAddressTest, PhoneNumbersBecomeE164) {
  EXPECT_EQ(normalize_phone("(415) 555-0123"), "+14155550123");
  EXPECT_EQ(normalize_phone("1-415-555-0123"), "+14155550123");
  EXPECT_EQ(normalize_phone("+44 20 7946 0958"), "+442079460958");
}

TEST(ContactAddressTest, RefusesWhatIsNotAPhoneNumber) {
  EXPECT_FALSE(normalize_phone("555-0123"));
  EXPECT_FALSE(normalize_phone("+1 415 555 0123 ext 9"));
  EXPECT_FALSE(normalize_phone("(015) 555-0123"));
  EXPECT_FALSE(normalize_phone(""));
}

TEST(ContactAddressTest, DomainOfAMailbox) {
  EXPECT_EQ(email_domain("Clinic <reminders@clinic.example>"), "clinic.example");
  EXPECT_EQ(email_domain("reminders@clinic.example"), "clinic.example");
  EXPECT_EQ(email_domain("nobody"), "");
}

}  // namespace
}  // namespace th::notify
