#include "crypto/field_cipher.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"
#include "crypto/key_ring.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

constexpr FieldContext kGivenName{"patients", "given_name_enc", "row-1"};

class FieldCipherTest : public ::testing::Test {
 protected:
  FieldCipherTest() : ring_(KeyRing::create({kek_}).value()), cipher_(ring_) {
    dek_ = ring_.new_data_key().value();
  }

  std::string seal(std::string_view plaintext, const FieldContext& field = kGivenName) {
    return cipher_.seal(plaintext, field).value();
  }

  const std::string kek_ = random_bytes(kKeyRingKeySize);
  KeyRing ring_;
  FieldCipher cipher_;
  WrappedDataKey dek_;
};

TEST_F(FieldCipherTest, RoundTrips) {
  const std::string stored = seal("Ada");

  const auto opened = cipher_.open(stored, kGivenName);

  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(*opened, "Ada");
}

TEST_F(FieldCipherTest, StoredTextIsVersionKeyIdAndBase64Url) {
  const std::string stored = seal("Ada");

  const std::string prefix = "v1." + dek_.dek_id + ".";
  ASSERT_EQ(stored.substr(0, prefix.size()), prefix);
  const auto sealed = base64url_decode(stored.substr(prefix.size()));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 3u + 28u);
}

TEST_F(FieldCipherTest, EmptyPlaintextRoundTrips) {
  const std::string stored = seal("");

  EXPECT_EQ(cipher_.open(stored, kGivenName).value(), "");
}

TEST_F(FieldCipherTest, EqualPlaintextsGiveDifferentTexts) {
  EXPECT_NE(seal("Ada"), seal("Ada"));
}

TEST_F(FieldCipherTest, CiphertextMovedToAnotherRowFails) {
  const std::string stored = seal("Ada");

  const auto opened = cipher_.open(stored, {"patients", "given_name_enc", "row-2"});

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
}

TEST_F(FieldCipherTest, CiphertextMovedToAnotherColumnOrTableFails) {
  const std::string stored = seal("Ada");

  const auto column = cipher_.open(stored, {"patients", "family_name_enc", "row-1"});
  const auto table = cipher_.open(stored, {"users", "given_name_enc", "row-1"});

  ASSERT_FALSE(column.ok());
  EXPECT_EQ(column.error().code(), ErrorCode::kDataLoss);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.error().code(), ErrorCode::kDataLoss);
}

TEST_F(FieldCipherTest, ContextPartsCannotBeShiftedAcrossBoundaries) {
  // Without length prefixes ("ab", "c") and ("a", "bc") would encode alike.
  const std::string stored = seal("x", {"ab", "c", "1"});

  const auto opened = cipher_.open(stored, {"a", "bc", "1"});

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
}

TEST_F(FieldCipherTest, UnknownDataKeyIsFailedPrecondition) {
  KeyRing other_ring = KeyRing::create({kek_}).value();
  FieldCipher other(other_ring);
  ASSERT_TRUE(other_ring.new_data_key().ok());
  const std::string stored = seal("Ada");

  const auto opened = other.open(stored, kGivenName);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(opened.error().message().find(dek_.dek_id), std::string::npos);
}

TEST_F(FieldCipherTest, OpensWithAnOlderLoadedDataKey) {
  const std::string stored = seal("Ada");
  ASSERT_TRUE(ring_.new_data_key().ok());

  const auto opened = cipher_.open(stored, kGivenName);

  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "Ada");
  EXPECT_NE(seal("Ada").substr(3, 16), dek_.dek_id);
}

TEST_F(FieldCipherTest, CorruptedTextIsDataLoss) {
  const std::string stored = seal("Ada");
  std::string flipped = stored;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  std::string relabelled = stored;
  relabelled[0] = 'x';
  const std::string cases[] = {
      flipped,
      relabelled,
      "",
      "v1",
      "v1." + dek_.dek_id,
      "v1." + dek_.dek_id + ".",
      "v1." + dek_.dek_id + ".not base64!",
      "v1.ABCDEF0123456789." + stored.substr(20),
      "v2." + stored.substr(3),
  };

  for (const std::string& text : cases) {
    const auto opened = cipher_.open(text, kGivenName);

    ASSERT_FALSE(opened.ok()) << text;
    EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss) << text;
    EXPECT_EQ(opened.error().message().find("Ada"), std::string::npos);
  }
}

TEST_F(FieldCipherTest, SealWithoutDataKeyIsFailedPrecondition) {
  KeyRing empty_ring = KeyRing::create({kek_}).value();
  FieldCipher cipher(empty_ring);

  const auto sealed = cipher.seal("Ada", kGivenName);

  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(sealed.error().message().find("patients.given_name_enc"), std::string::npos);
}

}  // namespace
}  // namespace th::crypto
