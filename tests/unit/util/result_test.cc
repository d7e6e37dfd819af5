#include "util/result.h"

#include <gtest/gtest.h>

namespace th {
namespace {

Result<int> parse_positive(int input) {
  if (input <= 0) {
    return Error(ErrorCode::kInvalidArgument, "must be positive");
  }
  return input;
}

Status check_twice(int a, int b) {
  TH_RETURN_IF_ERROR(parse_positive(a));
  TH_RETURN_IF_ERROR(parse_positive(b));
  return ok_status();
}

TEST(ResultTest, CarriesValueOrError) {
  const auto good = parse_positive(4);
  const auto bad = parse_positive(-1);

  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ResultTest, ReturnIfErrorStopsAtFirstFailure) {
  EXPECT_TRUE(check_twice(1, 2).ok());
  EXPECT_EQ(check_twice(1, 0).error().message(), "must be positive");
}

TEST(ResultTest, ContextIsPrefixed) {
  const Error error(ErrorCode::kUnavailable, "connection refused");

  EXPECT_EQ(error.with_context("open database").message(), "open database: connection refused");
  EXPECT_EQ(error_code_name(error.code()), "unavailable");
}

}  // namespace
}  // namespace th
