// Practitioner profiles: the NPI check digit, license states and the
// licensure refusal, and profile validation.

#include "scheduling/practitioner.h"

#include <gtest/gtest.h>

namespace th::scheduling {
namespace {

Practitioner profile() {
  Practitioner practitioner;
  practitioner.user_id = "u1";
  practitioner.npi = "1234567893";
  practitioner.license_states = {"CA", "OR"};
  practitioner.time_zone = "America/Los_Angeles";
  practitioner.slot_minutes = 20;
  return practitioner;
}

TEST(PractitionerTest, ChecksTheNpiCheckDigit) {
  EXPECT_TRUE(is_valid_npi("1234567893"));
  EXPECT_FALSE(is_valid_npi("1234567890"));
  EXPECT_FALSE(is_valid_npi("123456789"));
  EXPECT_FALSE(is_valid_npi("12345678a3"));
}

TEST(PractitionerTest, ParsesLicenseStatesIntoASortedSet) {
  EXPECT_EQ(parse_license_states(" wa, CA,ca ,OR"), (std::vector<std::string>{"CA", "OR", "WA"}));
  EXPECT_EQ(join_license_states({"CA", "OR"}), "CA,OR");
  EXPECT_TRUE(parse_license_states("").empty());
}

TEST(PractitionerTest, LicensureRefusalNamesTheStates) {
  const Practitioner practitioner = profile();

  const Status allowed = check_licensure(practitioner, "OR");
  const Status refused = check_licensure(practitioner, "TX");

  EXPECT_TRUE(allowed.ok());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().message(),
            "not_licensed: the practitioner holds no license in TX, the patient's state, and is "
            "licensed in CA,OR");
}

TEST(PractitionerTest, LicenseChangeAddsAndRemovesKeepingTheListSorted) {
  Practitioner practitioner = profile();

  const Status changed = change_license_states(practitioner, {"AZ", "CA"}, {"OR"});

  ASSERT_TRUE(changed.ok()) << changed.error().message();
  EXPECT_EQ(practitioner.license_states, (std::vector<std::string>{"AZ", "CA"}));
}

TEST(PractitionerTest, LicenseChangeRefusalLeavesTheStatesAsTheyWere) {
  Practitioner practitioner = profile();

  const Status unknown = change_license_states(practitioner, {"XX"}, {});
  const Status not_held = change_license_states(practitioner, {"AZ"}, {"TX"});
  const Status both = change_license_states(practitioner, {"WA"}, {"WA"});
  const Status nothing = change_license_states(practitioner, {}, {});

  for (const Status& status : {unknown, not_held, both, nothing}) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_NE(not_held.error().message().find("TX"), std::string::npos);
  EXPECT_EQ(practitioner.license_states, (std::vector<std::string>{"CA", "OR"}));
}

TEST(PractitionerTest, ValidatesTheProfile) {
  Practitioner bad_state = profile();
  bad_state.license_states = {"XX"};
  Practitioner bad_zone = profile();
  bad_zone.time_zone = "Pacific/Atlantis";
  Practitioner bad_slot = profile();
  bad_slot.slot_minutes = 7;

  EXPECT_TRUE(validate_practitioner(profile()).ok());
  EXPECT_FALSE(validate_practitioner(bad_state).ok());
  EXPECT_FALSE(validate_practitioner(bad_zone).ok());
  EXPECT_FALSE(validate_practitioner(bad_slot).ok());
}

}  // namespace
}  // namespace th::scheduling
