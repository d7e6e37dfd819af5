#include "crypto/password_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace th::crypto {
namespace {

// A password that passes every rule, for tests that vary one thing.
constexpr std::string_view kGood = "violet river 7 anchors";

std::string failure(std::string_view password, std::string_view username = "alice",
                    std::size_t min_length = kDefaultMinPasswordLength) {
  const Status status = check_password_policy(password, username, min_length);
  if (status.ok()) {
    return "ok";
  }
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  return status.error().message();
}

TEST(PasswordPolicyTest, AcceptsLongPassphraseWithoutCompositionRules) {
  EXPECT_EQ(failure(kGood), "ok");
  EXPECT_EQ(failure("all lower case words here"), "ok");
}

TEST(PasswordPolicyTest, RejectsShortPassword) {
  EXPECT_EQ(failure("tiger lily5"), "check 'password': shorter than 12 characters");
  EXPECT_EQ(failure("tiger lily57"), "ok");
}

TEST(PasswordPolicyTest, MinimumLengthIsConfigurable) {
  EXPECT_EQ(failure("tiger lily57", "alice", 15), "check 'password': shorter than 15 characters");
  EXPECT_EQ(failure("tiger l5", "alice", 8), "ok");
}

TEST(PasswordPolicyTest, CountsCodePointsNotBytes) {
  // Eleven code points, 22 bytes: still too short.
  const std::string eleven =
      "\xC3\xA9\xC3\xA9\xC3\xA9 \xC3\xB1\xC3\xB1\xC3\xB1 \xC3\xBC\xC3\xBC\xC3\xBC";
  const std::string twelve = eleven + "\xC3\xBC";

  EXPECT_EQ(failure(eleven), "check 'password': shorter than 12 characters");
  EXPECT_EQ(failure(twelve), "ok");
}

TEST(PasswordPolicyTest, RejectsMoreThan128CodePoints) {
  std::string long_password;
  while (long_password.size() < 128) {
    long_password += "violet river ";
  }
  long_password.resize(128);

  EXPECT_EQ(failure(long_password), "ok");
  EXPECT_EQ(failure(long_password + "x"), "check 'password': longer than 128 characters");
}

TEST(PasswordPolicyTest, RejectsInvalidUtf8) {
  EXPECT_EQ(failure("violet river \xff anchors"), "check 'password': not valid UTF-8");
  EXPECT_EQ(failure("violet river \xC0\xAF anchors"), "check 'password': not valid UTF-8");
  EXPECT_EQ(failure("violet river \xED\xA0\x80 anchors"), "check 'password': not valid UTF-8");
  EXPECT_EQ(failure("violet river anchors \xE2\x82"), "check 'password': not valid UTF-8");
}

TEST(PasswordPolicyTest, RejectsSingleRepeatedCharacter) {
  EXPECT_EQ(failure("aaaaaaaaaaaaaaaa"), "check 'password': a single character repeated");
  EXPECT_EQ(failure("AaAaAaAaAaAaAaAa"), "check 'password': a single character repeated");
}

TEST(PasswordPolicyTest, RejectsShorterPatternRepeated) {
  EXPECT_EQ(failure("abcabcabcabc"), "check 'password': a shorter pattern repeated");
  EXPECT_EQ(failure("7x!q7x!q7x!q7x"), "check 'password': a shorter pattern repeated");
  EXPECT_EQ(failure("tiger7 tiger7 t"), "check 'password': a shorter pattern repeated");
}

TEST(PasswordPolicyTest, AcceptsRepeatedUnitThatMeetsMinimumAlone) {
  EXPECT_EQ(failure("violetriver7violetriver7"), "ok");
  EXPECT_EQ(failure("violetriver7violetriver7", "alice", 15),
            "check 'password': a shorter pattern repeated");
}

TEST(PasswordPolicyTest, RejectsSimpleSequences) {
  const std::string expected =
      "check 'password': a simple sequence of letters, digits or keyboard keys";

  EXPECT_EQ(failure("1234567890ab"), expected);
  EXPECT_EQ(failure("abcdefghijkl"), expected);
  EXPECT_EQ(failure("ZYXWVUTSRQPO"), expected);
  EXPECT_EQ(failure("poiuytrewq12"), expected);
  EXPECT_EQ(failure("lkjhgfdsa987"), expected);
  EXPECT_EQ(failure("abcd1234efgh"), expected);
  EXPECT_EQ(failure("111222333444"), expected);
}

TEST(PasswordPolicyTest, AcceptsShortRunsInsideOtherwiseRandomText) {
  EXPECT_EQ(failure("abc-river-7-anchors"), "ok");
  EXPECT_EQ(failure("q7#Lm2pZ9wKe"), "ok");
}

TEST(PasswordPolicyTest, RejectsCommonPasswordsIgnoringCase) {
  EXPECT_EQ(failure("password1234"), "check 'password': a commonly used password");
  EXPECT_EQ(failure("PassWordPassWord"), "check 'password': a commonly used password");
  EXPECT_EQ(failure("welcome2024", "alice", 8), "check 'password': a commonly used password");
}

TEST(PasswordPolicyTest, RejectsCommonPasswordWithDigitsOrSymbolsAdded) {
  const std::string expected =
      "check 'password': a commonly used password with digits or symbols added";

  EXPECT_EQ(failure("Sunshine2024!"), expected);
  EXPECT_EQ(failure("2024!football"), expected);
  EXPECT_EQ(failure("!!Telehealth99"), expected);
}

TEST(PasswordPolicyTest, AcceptsCommonWordInsideLongerPassphrase) {
  EXPECT_EQ(failure("sunshine over the harbour"), "ok");
}

TEST(PasswordPolicyTest, RejectsPasswordContainingUsername) {
  EXPECT_EQ(failure("violet-Alice-anchors", "alice"), "check 'password': contains the username");
  EXPECT_EQ(failure("violet-alice-anchors", "ALICE"), "check 'password': contains the username");
}

TEST(PasswordPolicyTest, IgnoresUsernamesShorterThanThree) {
  EXPECT_EQ(failure("violet river 7 anchors", "er"), "ok");
  EXPECT_EQ(failure("violet river 7 anchors", ""), "ok");
  EXPECT_EQ(failure("violet river 7 anchors", "riv"), "check 'password': contains the username");
}

TEST(PasswordPolicyTest, UsernameLengthCountsCodePoints) {
  // Two code points in four bytes: below the threshold, so not checked.
  EXPECT_EQ(failure("violet \xC3\xA9\xC3\xB1 anchors 7", "\xC3\xA9\xC3\xB1"), "ok");
}

TEST(PasswordPolicyTest, MessagesNeverEchoThePassword) {
  const std::string passwords[] = {"hunter2", "hunter2hunter2", "hunter2\xff\x66oo bar",
                                   "HUNTER2-bob-HUNTER2", "zzzzzzzzzzzzzz"};
  for (const std::string& password : passwords) {
    const Status status = check_password_policy(password, "bob");

    ASSERT_FALSE(status.ok()) << password;
    EXPECT_EQ(status.error().message().find("hunter"), std::string::npos);
    EXPECT_EQ(status.error().message().find("zzz"), std::string::npos);
  }
}

}  // namespace
}  // namespace th::crypto
