#include "crypto/integrity_tag.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "crypto/random.h"

namespace th::crypto {
namespace {

const TaggedFields kFields = {{"given_name_enc", "v1.aaaa.xyz"}, {"state", "CA"}};

class IntegrityTagTest : public ::testing::Test {
 protected:
  const IntegrityTagger tagger_{random_bytes(32)};
};

TEST_F(IntegrityTagTest, VerifiesItsOwnTag) {
  const std::string tag = tagger_.tag("patients", "row-1", 3, kFields);

  EXPECT_EQ(tag.size(), 64u);
  EXPECT_TRUE(tagger_.verify("patients", "row-1", 3, kFields, tag));
}

TEST_F(IntegrityTagTest, FieldOrderDoesNotMatter) {
  const TaggedFields reversed = {kFields[1], kFields[0]};

  EXPECT_EQ(tagger_.tag("patients", "row-1", 3, kFields),
            tagger_.tag("patients", "row-1", 3, reversed));
}

TEST_F(IntegrityTagTest, DetectsChangedValueNameTableRowOrVersion) {
  const std::string tag = tagger_.tag("patients", "row-1", 3, kFields);
  TaggedFields changed_value = kFields;
  changed_value[1].second = "NY";
  TaggedFields renamed = kFields;
  renamed[1].first = "status";

  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, changed_value, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, renamed, tag));
  EXPECT_FALSE(tagger_.verify("users", "row-1", 3, kFields, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-2", 3, kFields, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 4, kFields, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", -3, kFields, tag));
}

TEST_F(IntegrityTagTest, DetectsAddedOrRemovedField) {
  const std::string tag = tagger_.tag("patients", "row-1", 3, kFields);
  TaggedFields added = kFields;
  added.emplace_back("sex_enc", "");
  const TaggedFields removed = {kFields[0]};

  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, added, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, removed, tag));
}

TEST_F(IntegrityTagTest, EncodingIsUnambiguous) {
  // Bytes moved between neighbouring parts must change the tag.
  EXPECT_NE(tagger_.tag("ab", "c", 1, {}), tagger_.tag("a", "bc", 1, {}));
  EXPECT_NE(tagger_.tag("t", "r", 1, {{"ab", "c"}}), tagger_.tag("t", "r", 1, {{"a", "bc"}}));
}

TEST_F(IntegrityTagTest, RejectsTagOfAnotherKeyOrMalformedTag) {
  const IntegrityTagger other(random_bytes(32));
  const std::string tag = tagger_.tag("patients", "row-1", 3, kFields);
  std::string upper = tag;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }

  EXPECT_FALSE(other.verify("patients", "row-1", 3, kFields, tag));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, kFields, tag.substr(0, 63)));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, kFields, ""));
  EXPECT_FALSE(tagger_.verify("patients", "row-1", 3, kFields, upper));
}

TEST_F(IntegrityTagTest, SameKeyGivesSameTag) {
  const std::string key = random_bytes(32);
  const IntegrityTagger first(key);
  const IntegrityTagger second(key);

  EXPECT_EQ(first.tag("t", "r", 1, kFields), second.tag("t", "r", 1, kFields));
}

}  // namespace
}  // namespace th::crypto
