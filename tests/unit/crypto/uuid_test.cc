#include "crypto/uuid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace th::crypto {
namespace {

TEST(UuidTest, HasCanonicalVersion4Form) {
  const std::regex canonical("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  for (int i = 0; i < 200; ++i) {
    const std::string uuid = new_uuid_v4();

    ASSERT_TRUE(std::regex_match(uuid, canonical)) << uuid;
  }
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
