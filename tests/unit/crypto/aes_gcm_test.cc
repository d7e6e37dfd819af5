#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

std::string unhex(std::string_view text) {
  return hex_decode(text).value();
}

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test case
// 16: AES-256, 96-bit IV, 60-byte plaintext, 20-byte associated data.
constexpr std::string_view kKey =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr std::string_view kNonce = "cafebabefacedbaddecaf888";
constexpr std::string_view kPlaintext =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b5"
    "25b16aedf5aa0de657ba637b39";
constexpr std::string_view kAssociatedData = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr std::string_view kCiphertext =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
    "8838c5f61e6393ba7a0abcc9f662";
constexpr std::string_view kTag = "76fc6ece0f4e1768cddf8853bb2d551b";

class AesGcmTest : public ::testing::Test {
 protected:
  const std::string key_ = random_bytes(kAes256KeySize);
};

TEST_F(AesGcmTest, SealsMcGrewViegaTestCase16) {
  const auto sealed = internal::aes256_gcm_seal_with_nonce(
      unhex(kKey), unhex(kNonce), unhex(kPlaintext), unhex(kAssociatedData));

  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hex_encode(*sealed),
            std::string(kNonce) + std::string(kCiphertext) + std::string(kTag));
}

TEST_F(AesGcmTest, OpensMcGrewViegaTestCase16) {
  const std::string sealed =
      unhex(std::string(kNonce) + std::string(kCiphertext) + std::string(kTag));

  const auto opened = aes256_gcm_open(unhex(kKey), sealed, unhex(kAssociatedData));

  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(hex_encode(*opened), kPlaintext);
}

TEST_F(AesGcmTest, SealsMcGrewViegaTestCase14WithoutAssociatedData) {
  // Test case 14: all-zero key, nonce and one-block plaintext.
  const auto sealed = internal::aes256_gcm_seal_with_nonce(
      std::string(32, '\0'), std::string(12, '\0'), std::string(16, '\0'), "");

  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hex_encode(sealed->substr(kAesGcmNonceSize)),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST_F(AesGcmTest, RoundTripsWithOverheadOf28Bytes) {
  const auto sealed = aes256_gcm_seal(key_, "blood pressure 120/80", "patients:42");

  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), std::string_view("blood pressure 120/80").size() + kAesGcmOverhead);
  const auto opened = aes256_gcm_open(key_, *sealed, "patients:42");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "blood pressure 120/80");
}

TEST_F(AesGcmTest, RoundTripsEmptyPlaintextAndBinaryBytes) {
  using namespace std::string_literals;
  const std::string binary = "\0\xff\x01"s;

  const auto empty = aes256_gcm_seal(key_, "", "");
  const auto bytes = aes256_gcm_seal(key_, binary, binary);

  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(aes256_gcm_open(key_, *empty, "").value(), "");
  EXPECT_EQ(aes256_gcm_open(key_, *bytes, binary).value(), binary);
}

TEST_F(AesGcmTest, UsesFreshNonceForEachSeal) {
  const auto first = aes256_gcm_seal(key_, "same", "");
  const auto second = aes256_gcm_seal(key_, "same", "");

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->substr(0, kAesGcmNonceSize), second->substr(0, kAesGcmNonceSize));
  EXPECT_NE(*first, *second);
}

TEST_F(AesGcmTest, RejectsTamperingWithEveryPart) {
  const std::string sealed = aes256_gcm_seal(key_, "sixteen byte msg", "ad").value();
  // The first nonce byte, the first ciphertext byte and the last tag byte.
  const std::size_t positions[] = {0, kAesGcmNonceSize, sealed.size() - 1};

  for (const std::size_t position : positions) {
    std::string altered = sealed;
    altered[position] = static_cast<char>(altered[position] ^ 0x01);

    const auto opened = aes256_gcm_open(key_, altered, "ad");

    ASSERT_FALSE(opened.ok()) << "byte " << position;
    EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
    EXPECT_EQ(opened.error().message(), "open sealed data: authentication failed");
  }
}

TEST_F(AesGcmTest, RejectsWrongAssociatedData) {
  const std::string sealed = aes256_gcm_seal(key_, "payload", "row:1").value();

  const auto opened = aes256_gcm_open(key_, sealed, "row:2");
  const auto missing = aes256_gcm_open(key_, sealed, "");

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kDataLoss);
}

TEST_F(AesGcmTest, RejectsWrongKey) {
  const std::string sealed = aes256_gcm_seal(key_, "payload", "").value();

  const auto opened = aes256_gcm_open(random_bytes(kAes256KeySize), sealed, "");

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
}

TEST_F(AesGcmTest, RejectsTruncatedInput) {
  const std::string sealed = aes256_gcm_seal(key_, "payload", "").value();

  const auto shorter = aes256_gcm_open(key_, sealed.substr(0, sealed.size() - 1), "");
  const auto too_short = aes256_gcm_open(key_, sealed.substr(0, kAesGcmOverhead - 1), "");

  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.error().code(), ErrorCode::kDataLoss);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().code(), ErrorCode::kDataLoss);
}

TEST_F(AesGcmTest, RejectsKeysThatAreNot32Bytes) {
  const auto sealed = aes256_gcm_seal(std::string(16, 'k'), "payload", "");
  const auto opened = aes256_gcm_open(std::string(33, 'k'), std::string(40, 'x'), "");

  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(AesGcmTest, RejectsNonceThatIsNot12Bytes) {
  const auto sealed = internal::aes256_gcm_seal_with_nonce(key_, "short", "payload", "");

  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::crypto
