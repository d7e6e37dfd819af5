#include "crypto/blind_index.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

TEST(BlindIndexTest, IsHexHmacOfPurposeNulAndValue) {
  using namespace std::string_literals;
  const std::string key(32, 'k');
  const BlindIndexer indexer(key);

  const std::string index = indexer.index("users.username", "alice");

  EXPECT_EQ(index, hex_encode(hmac_sha256(key, "users.username\0alice"s)));
  EXPECT_EQ(index.size(), 64u);
}

TEST(BlindIndexTest, IsDeterministic) {
  const std::string key = random_bytes(32);
  const BlindIndexer first(key);
  const BlindIndexer second(key);

  EXPECT_EQ(first.index("patients.mrn", "A123"), second.index("patients.mrn", "A123"));
}

TEST(BlindIndexTest, DependsOnKeyPurposeAndValue) {
  const BlindIndexer indexer(random_bytes(32));
  const BlindIndexer other_key(random_bytes(32));

  const std::string base = indexer.index("users.email", "a@example.org");

  EXPECT_NE(base, other_key.index("users.email", "a@example.org"));
  EXPECT_NE(base, indexer.index("patients.email", "a@example.org"));
  EXPECT_NE(base, indexer.index("users.email", "b@example.org"));
}

TEST(BlindIndexTest, PurposeAndValueCannotTradeBytes) {
  const BlindIndexer indexer(random_bytes(32));

  EXPECT_NE(indexer.index("ab", "c"), indexer.index("a", "bc"));
}

TEST(BlindIndexTest, NormalizeUsernameTrimsAndLowerCasesAscii) {
  EXPECT_EQ(normalize_username("  Alice.Smith\t\n"), "alice.smith");
  EXPECT_EQ(normalize_username("   "), "");
  EXPECT_EQ(normalize_username("J\xc3\x9cRGEN"), "j\xc3\x9crgen");  // non-ASCII kept
}

TEST(BlindIndexTest, NormalizeEmailTrimsAndLowerCases) {
  EXPECT_EQ(normalize_email(" Ada.Lovelace@Example.ORG "), "ada.lovelace@example.org");
}

TEST(BlindIndexTest, NormalizeMrnUpperCasesAndDropsSpacesAndDashes) {
  EXPECT_EQ(normalize_mrn("  ab-12 3\t"), "AB123");
  EXPECT_EQ(normalize_mrn("--"), "");
  EXPECT_EQ(normalize_mrn("x_1"), "X_1");
}

TEST(BlindIndexTest, NormalisedVariantsShareAnIndex) {
  const BlindIndexer indexer(random_bytes(32));

  EXPECT_EQ(indexer.index("patients.mrn", normalize_mrn("mrn-001 23")),
            indexer.index("patients.mrn", normalize_mrn(" MRN00123")));
}

TEST(BlindIndexDeathTest, AbortsOnWrongKeySizeOrBadPurpose) {
  using namespace std::string_literals;
  const BlindIndexer indexer(random_bytes(32));

  EXPECT_DEATH(BlindIndexer(std::string(16, 'k')), "32 bytes");
  EXPECT_DEATH((void)indexer.index("", "v"), "purpose");
  EXPECT_DEATH((void)indexer.index("a\0b"s, "v"), "purpose");
}

}  // namespace
}  // namespace th::crypto
