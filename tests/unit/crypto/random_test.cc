#include "crypto/random.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/encoding.h"

namespace th::crypto {
namespace {

TEST(RandomTest, ReturnsRequestedNumberOfBytes) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(4096).size(), 4096u);
}

TEST(RandomTest, SuccessiveCallsDiffer) {
  EXPECT_NE(random_bytes(16), random_bytes(16));
}

TEST(RandomTest, UsesEveryByteValue) {
  // 64 KiB of uniform bytes misses a given value with probability ~e^-256.
  const std::string bytes = random_bytes(65536);
  std::set<unsigned char> seen(bytes.begin(), bytes.end());

  EXPECT_EQ(seen.size(), 256u);
}

TEST(RandomTokenTest, Is43UrlSafeCharactersCarrying32Bytes) {
  const std::string token = random_token();

  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  const auto decoded = base64url_decode(token);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->size(), 32u);
}

TEST(RandomTokenTest, TokensAreUnique) {
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) {
    tokens.insert(random_token());
  }

  EXPECT_EQ(tokens.size(), 1000u);
}

}  // namespace
}  // namespace th::crypto
