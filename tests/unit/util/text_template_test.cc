#include "util/text_template.h"

#include <gtest/gtest.h>

namespace th {
namespace {

constexpr std::string_view kNames[] = {"to", "body"};

TEST(TextTemplateTest, ReplacesPlaceholdersAndKeepsOtherBraces) {
  const auto parsed = TextTemplate::parse(R"({"to": {to}, "text": {body}})", kNames);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();

  const std::string rendered = parsed->render({{"to", "A"}, {"body", "B"}});

  EXPECT_EQ(rendered, R"({"to": A, "text": B})");
  EXPECT_EQ(parsed->placeholders(), (std::vector<std::string>{"to", "body"}));
}

TEST(TextTemplateTest, UnknownPlaceholderIsAnErrorNamingIt) {
  const auto parsed = TextTemplate::parse("Hello {name}", kNames);

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(),
            "unknown placeholder {name}; this template may use {to}, {body}");
}

TEST(TextTemplateTest, EncoderAppliesToValuesOnly) {
  const auto parsed = TextTemplate::parse("[{to}]", kNames);
  ASSERT_TRUE(parsed.ok());

  const std::string rendered = parsed->render(
      {{"to", "x"}}, [](std::string_view value) { return "<" + std::string(value) + ">"; });

  EXPECT_EQ(rendered, "[<x>]");
}

TEST(TextTemplateTest, MissingValueRendersEmpty) {
  const auto parsed = TextTemplate::parse("a{to}b", kNames);
  ASSERT_TRUE(parsed.ok());

  EXPECT_EQ(parsed->render({}), "ab");
}

TEST(TextTemplateTest, SingleLineTurnsEveryControlCharacterIntoASpace) {
  EXPECT_EQ(single_line("Ann\r\nBcc: x\tY\x1b[0m\x7f"), "Ann  Bcc: x Y [0m ");
  EXPECT_EQ(single_line("Zoë O'Neil"), "Zoë O'Neil");
}

}  // namespace
}  // namespace th
