#include "crypto/constant_time.h"

#include <gtest/gtest.h>

#include <string>

namespace th::crypto {
namespace {

TEST(ConstantTimeTest, EqualInputsCompareEqual) {
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(ConstantTimeTest, DifferenceAnywhereCompareUnequal) {
  EXPECT_FALSE(constant_time_equal("secret-token", "Secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
}

TEST(ConstantTimeTest, DifferentLengthsCompareUnequal) {
  EXPECT_FALSE(constant_time_equal("secret", "secret-token"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

TEST(ConstantTimeTest, ComparesBytesAfterEmbeddedZero) {
  using namespace std::string_literals;

  EXPECT_FALSE(constant_time_equal("ab\0c"s, "ab\0d"s));
  EXPECT_TRUE(constant_time_equal("ab\0c"s, "ab\0c"s));
}

}  // namespace
}  // namespace th::crypto
