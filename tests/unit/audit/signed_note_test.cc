#include "audit/signed_note.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/encoding.h"

namespace th::audit {
namespace {

// The example of Go's golang.org/x/mod/sumdb/note tests. Its private key
// string "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
// holds the type byte 0x01 and the 32-byte seed in its last field.
constexpr std::string_view kGoSeedField = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSignatureLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

std::string go_note() {
  return std::string(kGoText) + "\n" + std::string(kGoSignatureLine);
}

crypto::Ed25519Key go_key() {
  return crypto::Ed25519Key::from_raw_private(crypto::base64_decode(kGoSeedField)->substr(1))
      .value();
}

crypto::Ed25519Key fresh_key() {
  return crypto::Ed25519Key::generate().value();
}

std::string verifier_for(std::string_view name, const crypto::Ed25519Key& key) {
  return format_note_verifier_key(name, key.public_key_raw()).value();
}

TEST(SignedNoteTest, OpensTheGoReferenceNote) {
  const auto text = open_note(go_note(), kGoVerifierKey);

  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(*text, kGoText);
}

TEST(SignedNoteTest, ReproducesTheGoReferenceNoteByteForByte) {
  const crypto::Ed25519Key key = go_key();

  const auto note = sign_note(kGoText, "PeterNeumann", key);

  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, go_note());
  EXPECT_EQ(verifier_for("PeterNeumann", key), kGoVerifierKey);
  EXPECT_EQ(note_key_id("PeterNeumann", key.public_key_raw()), 0xc74f20a3u);
}

TEST(SignedNoteTest, RoundTripsWithAFreshKey) {
  const crypto::Ed25519Key key = fresh_key();
  const std::string text = "telehealth.example.org/audit\n3\nline\n\nafter a blank line\n";

  const auto note = sign_note(text, "telehealth.example.org/audit", key);
  ASSERT_TRUE(note.ok());
  const auto opened = open_note(*note, verifier_for("telehealth.example.org/audit", key));

  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(*opened, text);
}

TEST(SignedNoteTest, RejectsAChangedTextByte) {
  std::string note = go_note();
  note[3] = 'Y';

  const auto opened = open_note(note, kGoVerifierKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(opened.error().message(),
            "open signed note: signature by 'PeterNeumann' does not verify");
}

TEST(SignedNoteTest, RejectsEveryChangedSignatureCharacter) {
  const std::string note = go_note();
  const std::size_t signature_start =
      kGoText.size() + 1 + std::string_view("\xE2\x80\x94 PeterNeumann ").size();

  for (std::size_t i = signature_start; i + 2 < note.size(); ++i) {  // keep '=' and newline
    std::string altered = note;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';

    EXPECT_FALSE(open_note(altered, kGoVerifierKey).ok()) << "position " << i;
  }
}

TEST(SignedNoteTest, RejectsANoteSignedByAnotherKeyOfTheSameName) {
  const auto note = sign_note(kGoText, "PeterNeumann", fresh_key());
  ASSERT_TRUE(note.ok());

  const auto opened = open_note(*note, kGoVerifierKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(opened.error().message(), "open signed note: no signature by 'PeterNeumann'");
}

TEST(SignedNoteTest, IgnoresSignaturesFromUnknownKeys) {
  const auto witness_note = sign_note(kGoText, "witness.example.org", fresh_key()).value();
  const std::string witness_line = witness_note.substr(kGoText.size() + 1);

  const auto opened = open_note(go_note() + witness_line, kGoVerifierKey);
  const auto opened_reordered = open_note(
      std::string(kGoText) + "\n" + witness_line + std::string(kGoSignatureLine), kGoVerifierKey);

  EXPECT_TRUE(opened.ok());
  EXPECT_TRUE(opened_reordered.ok());
}

TEST(SignedNoteTest, RejectsANoteWhereOneOfTheKeysSignaturesFails) {
  // A second line claiming the same key, over different text.
  const auto other_text = sign_note("something else\n", "PeterNeumann", go_key()).value();
  const std::string bad_line = other_text.substr(std::string_view("something else\n\n").size());

  const auto opened = open_note(go_note() + bad_line, kGoVerifierKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kDataLoss);
}

TEST(SignedNoteTest, RejectsMalformedNotes) {
  const std::string text(kGoText);
  const std::string signature = std::string(kGoSignatureLine).substr(4);  // after the dash
  const std::string ascii_dash = text + "\n-- " + signature;
  const std::string no_blank_line = text + std::string(kGoSignatureLine);
  const std::string no_final_newline = go_note().substr(0, go_note().size() - 1);
  const std::string control_character = "bell \x07\n\n" + std::string(kGoSignatureLine);
  const std::string no_signatures = text + "\n";
  const std::string invalid_utf8 = "\xFF\n\n" + std::string(kGoSignatureLine);

  for (const std::string& note : {ascii_dash, no_blank_line, no_final_newline, control_character,
                                  no_signatures, invalid_utf8}) {
    const auto opened = open_note(note, kGoVerifierKey);

    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code(), ErrorCode::kInvalidArgument) << opened.error().message();
  }
}

TEST(SignedNoteTest, RefusesTooManySignatureLines) {
  std::string note = go_note();
  for (std::size_t i = 0; i < kMaxNoteSignatures; ++i) {
    note += kGoSignatureLine;
  }

  const auto opened = open_note(note, kGoVerifierKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code(), ErrorCode::kInvalidArgument);
}

TEST(SignedNoteTest, RejectsEveryManglingOfTheVerifierKey) {
  const std::string note = go_note();
  const std::string key(kGoVerifierKey);

  for (std::size_t begin = 0; begin < key.size(); ++begin) {
    for (std::size_t end = begin + 1; end <= key.size(); ++end) {
      if (begin == 0 && end == key.size()) {
        continue;
      }
      EXPECT_FALSE(open_note(note, key.substr(begin, end - begin)).ok())
          << key.substr(begin, end - begin);
    }
  }
  for (std::size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(open_note(note, mangled).ok()) << mangled;
  }
}

TEST(SignedNoteTest, SignRefusesInvalidNamesAndTexts) {
  const crypto::Ed25519Key key = fresh_key();

  EXPECT_EQ(sign_note("no newline", "name", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("", "name", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("tab\there\n", "name", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("text\n", "", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("text\n", "two words", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("text\n", "a+b", key).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign_note("text\n", "no\xE3\x80\x80space", key).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(SignedNoteTest, ValidatesKeyNames) {
  EXPECT_TRUE(is_valid_note_key_name("telehealth.example.org/audit"));
  EXPECT_TRUE(is_valid_note_key_name("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_note_key_name(""));
  EXPECT_FALSE(is_valid_note_key_name("a b"));
  EXPECT_FALSE(
      is_valid_note_key_name("a\xC2\xA0"
                             "b"));  // no-break space
  EXPECT_FALSE(is_valid_note_key_name("a+b"));
  EXPECT_FALSE(is_valid_note_key_name("a\x01"));
  EXPECT_FALSE(is_valid_note_key_name("\xC3"));
}

TEST(SignedNoteTest, FormatVerifierKeyRejectsBadInput) {
  EXPECT_EQ(format_note_verifier_key("a b", std::string(32, 'k')).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(format_note_verifier_key("name", "short").error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::audit
