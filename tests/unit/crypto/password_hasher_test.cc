#include "crypto/password_hasher.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"

namespace th::crypto {
namespace {

// Small parameters keep the tests fast; one test uses the defaults.
constexpr PasswordHashParams kFast{64, 1, 1};

// "password" hashed with salt "somesalt", m=256, t=2, p=1: a test vector of
// libar2, an Argon2 implementation independent of libargon2.
constexpr std::string_view kIndependentVector =
    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

std::string fast_hash(std::string_view password) {
  auto encoded = hash_password(password, kFast);
  EXPECT_TRUE(encoded.ok()) << encoded.error().message();
  return encoded.ok() ? *encoded : std::string();
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void expect_invalid(const Result<bool>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
}

TEST(PasswordHasherTest, ProducesPhcStringWithSaltAndTagLengths) {
  const std::string encoded = fast_hash("correct horse battery staple");

  ASSERT_EQ(encoded.rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << encoded;
  const std::string tail = encoded.substr(encoded.find("p=1$") + 4);
  const std::string salt = tail.substr(0, tail.find('$'));
  const std::string tag = tail.substr(tail.find('$') + 1);
  EXPECT_EQ(base64_decode(salt + "==")->size(), kPasswordSaltBytes);
  EXPECT_EQ(base64_decode(tag + "=")->size(), kPasswordHashBytes);
  EXPECT_EQ(encoded.find('\0'), std::string::npos);
}

TEST(PasswordHasherTest, VerifiesTheHashedPassword) {
  const std::string encoded = fast_hash("correct horse battery staple");

  const auto verified = verify_password("correct horse battery staple", encoded);

  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(*verified);
}

TEST(PasswordHasherTest, WrongPasswordIsMismatchNotError) {
  const std::string encoded = fast_hash("correct horse battery staple");

  const auto verified = verify_password("correct horse battery stapler", encoded);

  ASSERT_TRUE(verified.ok());
  EXPECT_FALSE(*verified);
}

TEST(PasswordHasherTest, BytesAfterEmbeddedZeroCount) {
  using namespace std::string_literals;
  const std::string encoded = fast_hash("pass\0word"s);

  EXPECT_FALSE(*verify_password("pass", encoded));
  EXPECT_TRUE(*verify_password("pass\0word"s, encoded));
}

TEST(PasswordHasherTest, SamePasswordGetsDifferentSalts) {
  const std::string first = fast_hash("same password");
  const std::string second = fast_hash("same password");

  EXPECT_NE(first, second);
  EXPECT_TRUE(*verify_password("same password", first));
  EXPECT_TRUE(*verify_password("same password", second));
}

TEST(PasswordHasherTest, DefaultParametersAreOwaspMinimum) {
  const auto encoded = hash_password("correct horse battery staple", PasswordHashParams{});

  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u);
  EXPECT_TRUE(*verify_password("correct horse battery staple", *encoded));
  EXPECT_FALSE(password_hash_needs_upgrade(*encoded, PasswordHashParams{}));
}

TEST(PasswordHasherTest, VerifiesKnownArgon2idHash) {
  const std::string encoded(kIndependentVector);

  const auto verified = verify_password("password", encoded);
  const auto wrong = verify_password("passwore", encoded);

  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_TRUE(*verified);
  EXPECT_FALSE(*wrong);
}

TEST(PasswordHasherTest, RejectsParametersOutOfRange) {
  EXPECT_EQ(hash_password("pw", {64, 0, 1}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {64, 1, 0}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {7, 1, 1}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {16, 1, 4}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {kMaxPasswordHashMemoryKib + 1, 1, 1}).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(PasswordHasherTest, MalformedEncodingIsError) {
  const std::string encoded = fast_hash("pw");

  expect_invalid(verify_password("pw", ""));
  expect_invalid(verify_password("pw", "not a hash"));
  expect_invalid(verify_password("pw", "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$aGFzaA"));
  expect_invalid(verify_password("pw", replace_all(encoded, "m=64", "m=sixty")));
  expect_invalid(verify_password("pw", encoded.substr(0, encoded.rfind('$'))));
  expect_invalid(verify_password("pw", encoded + "$extra"));
}

TEST(PasswordHasherTest, ErrorMessageDoesNotEchoHashOrPassword) {
  const std::string encoded = fast_hash("hunter2hunter2");

  const auto verified =
      verify_password("hunter2hunter2", encoded.substr(0, encoded.size() - 1) + "!");

  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().message().find("hunter2"), std::string::npos);
  EXPECT_EQ(verified.error().message().find(encoded.substr(30)), std::string::npos);
}

TEST(PasswordHasherTest, OtherAlgorithmIsError) {
  const std::string argon2i = replace_all(fast_hash("pw"), "$argon2id$", "$argon2i$");

  const auto verified = verify_password("pw", argon2i);

  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.error().message().find("unsupported algorithm 'argon2i'"), std::string::npos);
}

TEST(PasswordHasherTest, RefusesStoredParametersThatWouldExhaustMemory) {
  const std::string huge = replace_all(fast_hash("pw"), "m=64", "m=4194304");

  expect_invalid(verify_password("pw", huge));
}

TEST(PasswordHasherTest, EmptyPasswordCanBeHashed) {
  const std::string encoded = fast_hash("");

  EXPECT_TRUE(*verify_password("", encoded));
  EXPECT_FALSE(*verify_password(" ", encoded));
}

TEST(PasswordHashUpgradeTest, CurrentParametersNeedNoUpgrade) {
  EXPECT_FALSE(password_hash_needs_upgrade(fast_hash("pw"), kFast));
}

TEST(PasswordHashUpgradeTest, StrongerStoredParametersNeedNoUpgrade) {
  const auto encoded = hash_password("pw", {128, 2, 2});

  ASSERT_TRUE(encoded.ok());
  EXPECT_FALSE(password_hash_needs_upgrade(*encoded, kFast));
}

TEST(PasswordHashUpgradeTest, AnyWeakerParameterNeedsUpgrade) {
  const std::string encoded = fast_hash("pw");

  EXPECT_TRUE(password_hash_needs_upgrade(encoded, {128, 1, 1}));
  EXPECT_TRUE(password_hash_needs_upgrade(encoded, {64, 2, 1}));
  EXPECT_TRUE(password_hash_needs_upgrade(encoded, {64, 1, 2}));
}

TEST(PasswordHashUpgradeTest, OtherAlgorithmOrVersionNeedsUpgrade) {
  const std::string encoded = fast_hash("pw");

  EXPECT_TRUE(password_hash_needs_upgrade(replace_all(encoded, "$argon2id$", "$argon2i$"), kFast));
  EXPECT_TRUE(password_hash_needs_upgrade(replace_all(encoded, "v=19", "v=16"), kFast));
  EXPECT_TRUE(password_hash_needs_upgrade(replace_all(encoded, "$v=19", ""), kFast));
}

TEST(PasswordHashUpgradeTest, UnreadableHashNeedsUpgrade) {
  EXPECT_TRUE(password_hash_needs_upgrade("", kFast));
  EXPECT_TRUE(password_hash_needs_upgrade("$2b$12$abcdefghijklmnopqrstuv", kFast));
}

TEST(PasswordHashUpgradeTest, ShortSaltNeedsUpgrade) {
  // The independent vector's salt is the 8 bytes "somesalt".
  const std::string encoded(kIndependentVector);

  EXPECT_TRUE(password_hash_needs_upgrade(encoded, kFast));
}

}  // namespace
}  // namespace th::crypto
