#include "crypto/digest.h"

#include <gtest/gtest.h>

#include "crypto/encoding.h"

namespace th::crypto {
namespace {

TEST(DigestTest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(hex_encode(sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, Sha256HashesEmbeddedZeroBytes) {
  using namespace std::string_literals;

  EXPECT_NE(sha256("a\0b"s), sha256("a"));
  EXPECT_EQ(sha256("a\0b"s).size(), kSha256Size);
}

TEST(DigestTest, HmacSha256MatchesRfc4231) {
  // Test case 2, then test case 6 (a key longer than the block size).
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(DigestTest, HmacSha256AcceptsEmptyKeyAndData) {
  EXPECT_EQ(hex_encode(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(DigestTest, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hmac_sha1("k", "d").size(), kSha1Size);
}

TEST(DigestTest, HmacDependsOnKey) {
  EXPECT_NE(hmac_sha256("key1", "data"), hmac_sha256("key2", "data"));
}

}  // namespace
}  // namespace th::crypto
