#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/random.h"

namespace th::crypto {
namespace {

struct Rfc4648Vector {
  std::string bytes;
  std::string base64;
  std::string base32;
};

// RFC 4648 section 10.
const Rfc4648Vector kVectors[] = {
    {"", "", ""},
    {"f", "Zg==", "MY======"},
    {"fo", "Zm8=", "MZXQ===="},
    {"foo", "Zm9v", "MZXW6==="},
    {"foob", "Zm9vYg==", "MZXW6YQ="},
    {"fooba", "Zm9vYmE=", "MZXW6YTB"},
    {"foobar", "Zm9vYmFy", "MZXW6YTBOI======"},
};

std::string all_byte_values() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
  }
  return bytes;
}

std::string strip_padding(std::string text) {
  text.erase(text.find_last_not_of('=') + 1);
  return text;
}

void expect_invalid(const Result<std::string>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
}

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(hex_encode("\x01\xab\xff"), "01abff");
}

TEST(HexTest, DecodesEitherCase) {
  EXPECT_EQ(*hex_decode("01abff"), "\x01\xab\xff");
  EXPECT_EQ(*hex_decode("01ABFF"), "\x01\xab\xff");
  EXPECT_EQ(*hex_decode(""), "");
}

TEST(HexTest, RoundTripsEveryByteValue) {
  const std::string bytes = all_byte_values();

  EXPECT_EQ(*hex_decode(hex_encode(bytes)), bytes);
}

TEST(HexTest, RejectsOddLengthAndForeignCharacters) {
  expect_invalid(hex_decode("abc"));
  expect_invalid(hex_decode("0g"));
  expect_invalid(hex_decode("g0"));
  expect_invalid(hex_decode("0 "));
}

TEST(HexTest, ErrorNamesOffsetNotInput) {
  const auto result = hex_decode("00secret");

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(), "decode 'hex': invalid character at offset 2");
}

TEST(Base64Test, MatchesRfc4648Vectors) {
  for (const auto& vector : kVectors) {
    EXPECT_EQ(base64_encode(vector.bytes), vector.base64);
    EXPECT_EQ(*base64_decode(vector.base64), vector.bytes);
  }
}

TEST(Base64Test, RoundTripsEveryByteValueAndRandomData) {
  const std::string bytes = all_byte_values();
  const std::string random = random_bytes(1001);

  EXPECT_EQ(*base64_decode(base64_encode(bytes)), bytes);
  EXPECT_EQ(*base64_decode(base64_encode(random)), random);
}

TEST(Base64Test, UsesPlusAndSlash) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64Test, RejectsMissingOrExcessPadding) {
  expect_invalid(base64_decode("Zg"));
  expect_invalid(base64_decode("Zg="));
  expect_invalid(base64_decode("Z==="));
  expect_invalid(base64_decode("===="));
  expect_invalid(base64_decode("Zg==Zg=="));
}

TEST(Base64Test, RejectsNonCanonicalTrailingBits) {
  expect_invalid(base64_decode("Zh=="));
  expect_invalid(base64_decode("Zm9="));
}

TEST(Base64Test, RejectsWhitespaceAndUrlAlphabet) {
  expect_invalid(base64_decode("Zm9v\n"));
  expect_invalid(base64_decode("Zm 9"));
  expect_invalid(base64_decode("-_8="));
}

TEST(Base64UrlTest, EncodesWithoutPaddingUsingUrlAlphabet) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  for (const auto& vector : kVectors) {
    EXPECT_EQ(base64url_encode(vector.bytes), strip_padding(vector.base64));
  }
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  const std::string random = random_bytes(64);
  for (std::size_t length = 0; length <= random.size(); ++length) {
    const std::string bytes = random.substr(0, length);

    EXPECT_EQ(*base64url_decode(base64url_encode(bytes)), bytes);
  }
}

TEST(Base64UrlTest, RejectsPaddingStandardAlphabetAndTruncation) {
  expect_invalid(base64url_decode("Zg=="));
  expect_invalid(base64url_decode("+/8"));
  expect_invalid(base64url_decode("Zm9vY"));
  expect_invalid(base64url_decode("Zh"));
}

TEST(Base32Test, EncodesRfc4648VectorsWithoutPadding) {
  for (const auto& vector : kVectors) {
    EXPECT_EQ(base32_encode(vector.bytes), strip_padding(vector.base32));
  }
}

TEST(Base32Test, DecodesWithOrWithoutPadding) {
  for (const auto& vector : kVectors) {
    EXPECT_EQ(*base32_decode(vector.base32), vector.bytes);
    EXPECT_EQ(*base32_decode(strip_padding(vector.base32)), vector.bytes);
  }
}

TEST(Base32Test, DecodesLowerCase) {
  EXPECT_EQ(*base32_decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(*base32_decode("GEZDGNBVGY3TQOJQgezdgnbvgy3tqojq"), "12345678901234567890");
}

TEST(Base32Test, RoundTripsEveryLength) {
  const std::string random = random_bytes(40);
  for (std::size_t length = 0; length <= random.size(); ++length) {
    const std::string bytes = random.substr(0, length);

    EXPECT_EQ(*base32_decode(base32_encode(bytes)), bytes);
  }
}

TEST(Base32Test, RejectsImpossibleLengthsAndPartialPadding) {
  expect_invalid(base32_decode("M"));
  expect_invalid(base32_decode("MZX"));
  expect_invalid(base32_decode("MZXW6Y"));
  expect_invalid(base32_decode("MY==="));
  expect_invalid(base32_decode("MZXW6YTB========"));
}

TEST(Base32Test, RejectsForeignCharacters) {
  expect_invalid(base32_decode("MZXW6YT1"));
  expect_invalid(base32_decode("MZXW 6YTB"));
  expect_invalid(base32_decode("MZ=W6YTB"));
}

TEST(Base32Test, RejectsNonCanonicalTrailingBits) {
  expect_invalid(base32_decode("MZ"));
}

}  // namespace
}  // namespace th::crypto
