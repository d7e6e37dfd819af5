#include "crypto/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace th::crypto {
namespace {

// 8-4-4-4-12 lower-case hex digits, version nibble 4, variant nibble 8-b.
bool is_canonical_v4(const std::string& uuid) {
  if (uuid.size() != 36 || uuid[14] != '4' ||
      std::string("89ab").find(uuid[19]) == std::string::npos) {
    return false;
  }
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const bool is_hex = (uuid[i] >= '0' && uuid[i] <= '9') || (uuid[i] >= 'a' && uuid[i] <= 'f');
    if (dash_position ? uuid[i] != '-' : !is_hex) {
      return false;
    }
  }
  return true;
}

TEST(UuidTest, HasCanonicalVersion4Form) {
  for (int i = 0; i < 200; ++i) {
    const std::string uuid = new_uuid_v4();

    ASSERT_TRUE(is_canonical_v4(uuid)) << uuid;
  }
}

TEST(UuidTest, CanonicalCheckRejectsOtherForms) {
  EXPECT_TRUE(is_canonical_v4("3f0c9a9e-6b1d-4c2e-9a57-0d8f3b2e1c44"));
  EXPECT_FALSE(is_canonical_v4("3F0C9A9E-6B1D-4C2E-9A57-0D8F3B2E1C44"));
  EXPECT_FALSE(is_canonical_v4("3f0c9a9e-6b1d-1c2e-9a57-0d8f3b2e1c44"));
  EXPECT_FALSE(is_canonical_v4("3f0c9a9e-6b1d-4c2e-7a57-0d8f3b2e1c44"));
  EXPECT_FALSE(is_canonical_v4("3f0c9a9e6b1d4c2e9a570d8f3b2e1c44"));
}

TEST(UuidTest, UuidsAreUnique) {
  std::set<std::string> uuids;
  for (int i = 0; i < 1000; ++i) {
    uuids.insert(new_uuid_v4());
  }

  EXPECT_EQ(uuids.size(), 1000u);
}

TEST(UuidTest, VariantNibbleTakesAllFourValues) {
  std::set<char> variants;
  for (int i = 0; i < 400; ++i) {
    variants.insert(new_uuid_v4()[19]);
  }

  EXPECT_EQ(variants, (std::set<char>{'8', '9', 'a', 'b'}));
}

}  // namespace
}  // namespace th::crypto
