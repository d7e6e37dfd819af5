#include "config/secret_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "scratch_dir.h"

namespace th {
namespace {

// Sets or clears CREDENTIALS_DIRECTORY for one test and restores it after.
class CredentialsDirectory {
 public:
  explicit CredentialsDirectory(const std::optional<std::string>& value) {
    if (const char* previous = std::getenv(kName)) {
      previous_ = previous;
    }
    apply(value);
  }
  ~CredentialsDirectory() { apply(previous_); }
  CredentialsDirectory(const CredentialsDirectory&) = delete;
  CredentialsDirectory& operator=(const CredentialsDirectory&) = delete;

 private:
  static constexpr const char* kName = "CREDENTIALS_DIRECTORY";

  static void apply(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(kName, value->c_str(), 1);
    } else {
      ::unsetenv(kName);
    }
  }

  std::optional<std::string> previous_;
};

TEST(SecretFileTest, ReadsFileWithoutOneTrailingNewline) {
  const test::ScratchDir dir;
  const auto path = dir.write("password", "hunter2\n\n");

  const auto secret = read_secret_file(path);

  ASSERT_TRUE(secret.ok()) << secret.error().message();
  EXPECT_EQ(*secret, "hunter2\n");
}

TEST(SecretFileTest, ReadsFileWithoutNewlineUnchanged) {
  const test::ScratchDir dir;
  const auto path = dir.write("password", "hunter2");

  EXPECT_EQ(*read_secret_file(path), "hunter2");
}

TEST(SecretFileTest, ResolvesCredentialUnderCredentialsDirectory) {
  const test::ScratchDir dir;
  dir.write("db-password", "from-systemd\n");
  const CredentialsDirectory env(dir.path());

  const auto secret = read_secret_file("credential:db-password");

  ASSERT_TRUE(secret.ok()) << secret.error().message();
  EXPECT_EQ(*secret, "from-systemd");
  EXPECT_EQ(*resolve_secret_path("credential:db-password"), dir.path() + "/db-password");
}

TEST(SecretFileTest, CredentialWithoutCredentialsDirectoryFails) {
  const CredentialsDirectory env(std::nullopt);

  const auto secret = read_secret_file("credential:tls-key");

  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(secret.error().message().find("CREDENTIALS_DIRECTORY is not set"), std::string::npos);
}

TEST(SecretFileTest, CredentialNameMayNotLeaveTheDirectory) {
  const test::ScratchDir dir;
  const CredentialsDirectory env(dir.path());

  EXPECT_EQ(read_secret_file("credential:../etc/shadow").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(read_secret_file("credential:..").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(read_secret_file("credential:").error().code(), ErrorCode::kInvalidArgument);
}

TEST(SecretFileTest, MissingFileErrorNamesPath) {
  const test::ScratchDir dir;
  const std::string path = dir.path() + "/absent";

  const auto secret = read_secret_file(path);

  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(secret.error().message(), "read secret file '" + path + "': No such file or directory");
}

TEST(SecretFileTest, OversizedFileIsRefusedWithoutQuotingIt) {
  const test::ScratchDir dir;
  const auto path = dir.write("huge", std::string(kMaxSecretFileBytes + 1, 'k'));

  const auto secret = read_secret_file(path);

  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(secret.error().message().find("kkkk"), std::string::npos);
}

TEST(SecretFileTest, PrivateMeansNoGroupOrOtherBits) {
  const test::ScratchDir dir;
  const auto owner_only = dir.write("a", "x", 0600);
  const auto group_readable = dir.write("b", "x", 0640);
  const auto other_readable = dir.write("c", "x", 0604);

  EXPECT_TRUE(secret_file_is_private(owner_only));
  EXPECT_FALSE(secret_file_is_private(group_readable));
  EXPECT_FALSE(secret_file_is_private(other_readable));
  EXPECT_FALSE(secret_file_is_private(dir.path() + "/absent"));
}

TEST(SecretFileTest, PrivacyCheckResolvesCredentials) {
  const test::ScratchDir dir;
  dir.write("tls-key", "x", 0400);
  const CredentialsDirectory env(dir.path());

  EXPECT_TRUE(secret_file_is_private("credential:tls-key"));
}

}  // namespace
}  // namespace th
