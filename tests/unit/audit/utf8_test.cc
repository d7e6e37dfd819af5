#include "audit/utf8.h"

#include <gtest/gtest.h>

namespace th::audit {
namespace {

TEST(Utf8Test, DecodesOneToFourByteSequences) {
  const std::string_view text = "a\xC3\xB6\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::size_t pos = 0;

  const auto a = decode_utf8(text, pos);
  const auto o_umlaut = decode_utf8(text, pos);
  const auto euro = decode_utf8(text, pos);
  const auto emoji = decode_utf8(text, pos);

  EXPECT_EQ(a, U'a');
  EXPECT_EQ(o_umlaut, U'\u00F6');
  EXPECT_EQ(euro, U'\u20AC');
  EXPECT_EQ(emoji, U'\U0001F600');
  EXPECT_EQ(pos, text.size());
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));       // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));                  // stray continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));                  // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // five-byte form
  EXPECT_FALSE(is_valid_utf8("\xC3x"));                 // continuation missing
}

// Long ASCII runs are checked eight bytes at a time: a bad byte anywhere in
// or after such a run, and a sequence straddling a run's end, still count.
TEST(Utf8Test, ChecksEveryByteAroundLongAsciiRuns) {
  const std::string ascii(23, 'a');
  EXPECT_TRUE(is_valid_utf8(ascii));
  for (std::size_t at = 0; at <= ascii.size(); ++at) {
    std::string stray = ascii;
    stray.insert(at, "\x80");
    EXPECT_FALSE(is_valid_utf8(stray)) << "stray continuation byte at " << at;

    std::string euro = ascii;
    euro.insert(at, "\xE2\x82\xAC");
    EXPECT_TRUE(is_valid_utf8(euro)) << "euro sign at " << at;

    std::string truncated = ascii.substr(0, at) + "\xE2\x82";
    EXPECT_FALSE(is_valid_utf8(truncated)) << "truncated sequence after " << at;
  }
}

TEST(Utf8Test, LeavesPositionAloneOnFailure) {
  std::size_t pos = 1;

  const auto decoded = decode_utf8("a\xC3", pos);

  EXPECT_FALSE(decoded.has_value());
  EXPECT_EQ(pos, 1u);
}

TEST(Utf8Test, RecognisesUnicodeSpaces) {
  for (const char32_t space :
       {U' ', U'\t', U'\n', U'\r', U'\v', U'\f', U'\u0085', U'\u00A0', U'\u1680', U'\u2000',
        U'\u200A', U'\u2028', U'\u2029', U'\u202F', U'\u205F', U'\u3000'}) {
    EXPECT_TRUE(is_unicode_space(space)) << static_cast<std::uint32_t>(space);
  }
  EXPECT_FALSE(is_unicode_space(U'a'));
  EXPECT_FALSE(is_unicode_space(U'+'));
  EXPECT_FALSE(is_unicode_space(U'\u200B'));  // zero width space is not white space
}

}  // namespace
}  // namespace th::audit
