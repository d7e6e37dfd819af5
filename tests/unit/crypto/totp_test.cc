#include "crypto/totp.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace th::crypto {
namespace {

// The RFC 4226 and RFC 6238 (SHA-1) test key.
const std::string kKey = "12345678901234567890";

TEST(HotpTest, MatchesRfc4226AppendixD) {
  const std::string expected[] = {"755224", "287082", "359152", "969429", "338314",
                                  "254676", "287922", "162583", "399871", "520489"};

  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(hotp_code(kKey, counter), expected[counter]) << "counter " << counter;
  }
}

TEST(HotpTest, KeepsLeadingZeros) {
  // RFC 6238 at t=1111111109 gives 07081804; its step is 0x23523EC.
  EXPECT_EQ(hotp_code(kKey, 0x23523EC, 8), "07081804");
  EXPECT_EQ(hotp_code(kKey, 0x23523EC, 7), "7081804");
}

TEST(HotpTest, FewerDigitsAreTheLowOrderDigits) {
  EXPECT_EQ(hotp_code(kKey, 1, 8), "94287082");
  EXPECT_EQ(hotp_code(kKey, 1, 6), "287082");
}

TEST(HotpTest, RejectsOutOfRangeDigits) {
  EXPECT_DEATH((void)hotp_code(kKey, 0, 5), "digits out of range");
  EXPECT_DEATH((void)hotp_code(kKey, 0, 9), "digits out of range");
}

TEST(TotpTest, MatchesRfc6238AppendixBSha1) {
  const struct {
    std::int64_t time;
    const char* code;
  } vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                 {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};

  for (const auto& vector : vectors) {
    EXPECT_EQ(totp_code(kKey, vector.time, 30, 8), vector.code) << "t=" << vector.time;
  }
}

TEST(TotpTest, StepNeedsSixtyFourBits) {
  EXPECT_EQ(totp_step(20000000000), 0x27BC86AA);
}

TEST(TotpTest, StepIsFloorOfTimeOverPeriod) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59, 60), 0);
  EXPECT_EQ(totp_step(-1), -1);
}

TEST(TotpTest, DefaultsToSixDigitsAndThirtySeconds) {
  EXPECT_EQ(totp_code(kKey, 59), "287082");
  EXPECT_EQ(totp_code(kKey, 30), totp_code(kKey, 59));
  EXPECT_NE(totp_code(kKey, 59), totp_code(kKey, 60));
}

TEST(TotpTest, AcceptsCodeFromCurrentStep) {
  const std::int64_t now = 1234567890;

  const auto step = totp_match_step(kKey, totp_code(kKey, now), now);

  EXPECT_EQ(step, totp_step(now));
}

TEST(TotpTest, AcceptsCodeFromPreviousStep) {
  const std::int64_t now = 1234567890;

  const auto step = totp_match_step(kKey, totp_code(kKey, now - 30), now);

  EXPECT_EQ(step, totp_step(now) - 1);
}

TEST(TotpTest, AcceptsCodeFromNextStep) {
  const std::int64_t now = 1234567890;

  const auto step = totp_match_step(kKey, totp_code(kKey, now + 30), now);

  EXPECT_EQ(step, totp_step(now) + 1);
}

TEST(TotpTest, RejectsCodeOutsideWindow) {
  const std::int64_t now = 1234567890;

  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, now - 60), now), std::nullopt);
  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, now + 60), now), std::nullopt);
}

TEST(TotpTest, WiderWindowAcceptsOlderCode) {
  const std::int64_t now = 1234567890;

  const auto step = totp_match_step(kKey, totp_code(kKey, now - 60), now, 2);

  EXPECT_EQ(step, totp_step(now) - 2);
}

TEST(TotpTest, ZeroWindowAcceptsOnlyCurrentStep) {
  const std::int64_t now = 1234567890;

  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, now), now, 0), totp_step(now));
  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, now - 30), now, 0), std::nullopt);
}

TEST(TotpTest, WindowIsCappedAtMaximum) {
  const std::int64_t now = 1234567890;
  const std::int64_t far = now - 30 * (kMaxTotpWindowSteps + 1);

  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, far), now, 1000), std::nullopt);
}

TEST(TotpTest, MatchesEightDigitCodes) {
  EXPECT_EQ(totp_match_step(kKey, "89005924", 1234567890), totp_step(1234567890));
}

TEST(TotpTest, RejectsMalformedCodes) {
  const std::int64_t now = 1234567890;
  const std::string code = totp_code(kKey, now);

  EXPECT_EQ(totp_match_step(kKey, "", now), std::nullopt);
  EXPECT_EQ(totp_match_step(kKey, code.substr(1), now), std::nullopt);
  EXPECT_EQ(totp_match_step(kKey, code + " ", now), std::nullopt);
  EXPECT_EQ(totp_match_step(kKey, "12345a", now), std::nullopt);
}

TEST(TotpTest, RejectsCodeForAnotherKey) {
  const std::int64_t now = 1234567890;

  EXPECT_EQ(totp_match_step("another key 12345678", totp_code(kKey, now), now), std::nullopt);
}

TEST(TotpTest, SkipsStepsBeforeEpoch) {
  // At t=10 the window would include step -1; only step 0 can match.
  EXPECT_EQ(totp_match_step(kKey, totp_code(kKey, 10), 10), 0);
}

TEST(TotpTest, NewKeysAreRandomAndRecommendedLength) {
  const std::string a = new_totp_key();
  const std::string b = new_totp_key();

  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
}

TEST(OtpauthUriTest, HasKeyUriFormat) {
  const std::string uri = otpauth_uri("Clinic", "alice", kKey);

  EXPECT_EQ(uri,
            "otpauth://totp/Clinic:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Clinic&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUriTest, PercentEncodesLabelAndIssuer) {
  const std::string uri = otpauth_uri("Acme Care: East", "bob@example.org", kKey);

  EXPECT_EQ(uri.substr(0, uri.find('?')), "otpauth://totp/Acme%20Care%3A%20East:bob@example.org");
  EXPECT_NE(uri.find("&issuer=Acme%20Care%3A%20East&"), std::string::npos);
}

TEST(OtpauthUriTest, PercentEncodesUtf8AndReservedBytes) {
  const std::string uri = otpauth_uri("Cl\xC3\xADnica", "a&b=c?d/e", kKey);

  EXPECT_EQ(uri.substr(0, uri.find('?')), "otpauth://totp/Cl%C3%ADnica:a%26b%3Dc%3Fd%2Fe");
}

TEST(OtpauthUriTest, SecretDecodesToKey) {
  const std::string key = new_totp_key();
  const std::string uri = otpauth_uri("Clinic", "alice", key);

  const std::size_t start = uri.find("secret=") + 7;
  const std::string secret = uri.substr(start, uri.find('&', start) - start);

  EXPECT_EQ(*base32_decode(secret), key);
  EXPECT_EQ(secret.find('='), std::string::npos);
}

}  // namespace
}  // namespace th::crypto
