#include "audit/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "audit/merkle_tree.h"
#include "audit/signed_note.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

constexpr std::string_view kOrigin = "telehealth.example.org/audit";

// The root of the eight-leaf RFC 6962 reference tree.
std::string reference_root() {
  return crypto::hex_decode("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
      .value();
}

Checkpoint sample_checkpoint() {
  return Checkpoint{std::string(kOrigin), 8, reference_root(), 1733260000123};
}

constexpr std::string_view kSampleBody =
    "telehealth.example.org/audit\n"
    "8\n"
    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "timestamp 1733260000123\n";

ErrorCode parse_error(std::string_view body) {
  const auto parsed = parse_checkpoint_body(body);
  EXPECT_FALSE(parsed.ok()) << body;
  return parsed.ok() ? ErrorCode::kInternal : parsed.error().code();
}

TEST(CheckpointTest, FormatsTheFourLineBody) {
  const auto body = format_checkpoint_body(sample_checkpoint());

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, kSampleBody);
}

TEST(CheckpointTest, FormatsTheEmptyTree) {
  const Checkpoint empty{std::string(kOrigin), 0, empty_tree_root(), 0};

  const auto body = format_checkpoint_body(empty);

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body,
            "telehealth.example.org/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
            "timestamp 0\n");
}

TEST(CheckpointTest, ParsesWhatItFormats) {
  const auto parsed = parse_checkpoint_body(kSampleBody);

  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, sample_checkpoint());
}

TEST(CheckpointTest, SurvivesSigningAndOpening) {
  const auto key = crypto::Ed25519Key::generate().value();
  const std::string verifier = format_note_verifier_key(kOrigin, key.public_key_raw()).value();

  const auto note = sign_note(format_checkpoint_body(sample_checkpoint()).value(), kOrigin, key);
  ASSERT_TRUE(note.ok());
  const auto text = open_note(*note, verifier);
  ASSERT_TRUE(text.ok());
  const auto parsed = parse_checkpoint_body(*text);

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, sample_checkpoint());
}

TEST(CheckpointTest, ParsesTheLargestValues) {
  const std::string body =
      "o\n18446744073709551615\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
      "timestamp 9223372036854775807\n";

  const auto parsed = parse_checkpoint_body(body);

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tree_size, 18446744073709551615u);
  EXPECT_EQ(parsed->timestamp_millis, 9223372036854775807);
}

TEST(CheckpointTest, RejectsBodiesThatBreakTheLineStructure) {
  const std::string body(kSampleBody);

  EXPECT_EQ(parse_error(body.substr(0, body.size() - 1)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body + "extra extension\n"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body.substr(0, body.find("timestamp"))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error("\n" + body.substr(body.find('\n') + 1)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(""), ErrorCode::kInvalidArgument);
}

TEST(CheckpointTest, RejectsNonCanonicalNumbers) {
  const std::string root_line = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
  const auto body = [&root_line](std::string_view size, std::string_view timestamp) {
    return "o\n" + std::string(size) + "\n" + root_line + "timestamp " + std::string(timestamp) +
           "\n";
  };

  EXPECT_TRUE(parse_checkpoint_body(body("8", "1")).ok());
  EXPECT_EQ(parse_error(body("08", "1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("+8", "1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("8 ", "1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("", "1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("18446744073709551616", "1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("8", "-1")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("8", "01")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("8", "9223372036854775808")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("8", "")), ErrorCode::kInvalidArgument);
}

TEST(CheckpointTest, RejectsRootsThatAreNotThirtyTwoBytes) {
  const auto body = [](std::string_view root) {
    return "o\n8\n" + std::string(root) + "\ntimestamp 1\n";
  };

  EXPECT_EQ(parse_error(body(crypto::base64_encode(std::string(31, 'r')))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error(body("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=")),
            ErrorCode::kInvalidArgument);  // non-zero padding bits
  EXPECT_EQ(parse_error(body("not base64")), ErrorCode::kInvalidArgument);
}

TEST(CheckpointTest, FormatRefusesWhatCannotBeParsedBack) {
  Checkpoint spaced = sample_checkpoint();
  spaced.origin = "two words";
  Checkpoint multiline = sample_checkpoint();
  multiline.origin = "a\nb";
  Checkpoint empty_origin = sample_checkpoint();
  empty_origin.origin.clear();
  Checkpoint short_root = sample_checkpoint();
  short_root.root_hash.pop_back();
  Checkpoint negative_time = sample_checkpoint();
  negative_time.timestamp_millis = -1;

  for (const Checkpoint& checkpoint :
       {spaced, multiline, empty_origin, short_root, negative_time}) {
    const auto body = format_checkpoint_body(checkpoint);

    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace th::audit
