#include "storage/postgresql_array.h"

#include <gtest/gtest.h>

namespace th::storage {
namespace {

TEST(PostgresqlArrayTest, QuotesEveryElementAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(postgresql_text_array({"plain", "a,b", "say \"hi\"", "back\\slash"}),
            R"({"plain","a,b","say \"hi\"","back\\slash"})");
}

TEST(PostgresqlArrayTest, KeepsEmptyTextAndTheWordNullAsText) {
  EXPECT_EQ(postgresql_text_array({"", "NULL", "{}"}), R"({"","NULL","{}"})");
}

TEST(PostgresqlArrayTest, WritesEmptyArrays) {
  EXPECT_EQ(postgresql_text_array({}), "{}");
  EXPECT_EQ(postgresql_integer_array({}), "{}");
}

TEST(PostgresqlArrayTest, WritesIntegersIncludingNegativeAndLarge) {
  EXPECT_EQ(postgresql_integer_array({0, -1, 9'223'372'036'854'775'807LL}),
            "{0,-1,9223372036854775807}");
}

}  // namespace
}  // namespace th::storage
