#include "crypto/ed25519_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/atomic_file.h"
#include "crypto/encoding.h"
#include "scratch_directory.h"

namespace th::crypto {
namespace {

std::string unhex(std::string_view text) {
  return hex_decode(text).value();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0;
}

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
constexpr std::string_view kTest1Seed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kTest1Public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kTest1Signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
    "b46bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view kTest2Seed =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kTest2Public =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view kTest2Signature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
    "1d8c387b2eaeb4302aeeb00d291612bb0c00";

TEST(Ed25519KeyTest, SignsRfc8032TestVectors) {
  const auto key1 = Ed25519Key::from_raw_private(unhex(kTest1Seed));
  const auto key2 = Ed25519Key::from_raw_private(unhex(kTest2Seed));
  ASSERT_TRUE(key1.ok());
  ASSERT_TRUE(key2.ok());

  EXPECT_EQ(hex_encode(key1->public_key_raw()), kTest1Public);
  EXPECT_EQ(hex_encode(key1->sign("")), kTest1Signature);
  EXPECT_EQ(hex_encode(key2->public_key_raw()), kTest2Public);
  EXPECT_EQ(hex_encode(key2->sign("\x72")), kTest2Signature);
}

TEST(Ed25519KeyTest, VerifiesOnlyTheSignedMessageUnderTheRightKey) {
  const std::string public1 = unhex(kTest1Public);
  const std::string signature = unhex(kTest1Signature);
  std::string altered = signature;
  altered[10] ^= 0x01;

  EXPECT_TRUE(Ed25519Key::verify(public1, "", signature));
  EXPECT_FALSE(Ed25519Key::verify(public1, "x", signature));
  EXPECT_FALSE(Ed25519Key::verify(public1, "", altered));
  EXPECT_FALSE(Ed25519Key::verify(unhex(kTest2Public), "", signature));
}

TEST(Ed25519KeyTest, VerifyTreatsWrongLengthsAsInvalid) {
  const std::string public1 = unhex(kTest1Public);
  const std::string signature = unhex(kTest1Signature);

  EXPECT_FALSE(Ed25519Key::verify(public1.substr(1), "", signature));
  EXPECT_FALSE(Ed25519Key::verify(public1, "", signature.substr(1)));
  EXPECT_FALSE(Ed25519Key::verify(public1, "", signature + "x"));
  EXPECT_FALSE(Ed25519Key::verify("", "", ""));
}

TEST(Ed25519KeyTest, RejectsRawPrivateKeyOfWrongLength) {
  const auto key = Ed25519Key::from_raw_private("short");

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Ed25519KeyTest, GeneratedKeysDifferAndSignVerifiably) {
  const auto first = Ed25519Key::generate();
  const auto second = Ed25519Key::generate();
  ASSERT_TRUE(first.ok() && second.ok());

  const std::string signature = first->sign("checkpoint");

  EXPECT_NE(first->public_key_raw(), second->public_key_raw());
  EXPECT_EQ(signature.size(), Ed25519Key::kSignatureSize);
  EXPECT_TRUE(Ed25519Key::verify(first->public_key_raw(), "checkpoint", signature));
}

TEST(Ed25519KeyTest, PublicKeyPemHoldsTheRawPublicKey) {
  const auto key = Ed25519Key::from_raw_private(unhex(kTest1Seed)).value();
  const std::string pem = key.public_key_pem();

  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* parsed = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  unsigned char raw[32];
  std::size_t raw_length = sizeof(raw);
  const bool extracted =
      parsed != nullptr && EVP_PKEY_get_raw_public_key(parsed, raw, &raw_length) == 1;
  EVP_PKEY_free(parsed);
  BIO_free(bio);

  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  ASSERT_TRUE(extracted);
  EXPECT_EQ(hex_encode(std::string(reinterpret_cast<char*>(raw), raw_length)), kTest1Public);
}

TEST(Ed25519KeyTest, GeneratedPemFileIsPrivateAndLoadsBack) {
  const ScratchDirectory dir;
  const std::string path = dir.file("checkpoint.key");

  const Status generated = Ed25519Key::generate_pem_file(path);
  const auto loaded = Ed25519Key::load_pem_file(path);

  ASSERT_TRUE(generated.ok()) << generated.error().message();
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_TRUE(read_text(path).starts_with("-----BEGIN PRIVATE KEY-----\n"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_TRUE(Ed25519Key::verify(loaded->public_key_raw(), "m", loaded->sign("m")));
}

TEST(Ed25519KeyTest, LoadsKeyWrittenByOtherTools) {
  // PKCS#8 as OpenSSL and other tools write an Ed25519 key (RFC 8410): a
  // fixed 16-byte prefix, then the seed, here RFC 8032's TEST 1 seed.
  const ScratchDirectory dir;
  const std::string path = dir.file("rfc8032.pem");
  const std::string der = unhex("302e020100300506032b657004220420") + unhex(kTest1Seed);
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\n" + base64_encode(der) + "\n-----END PRIVATE KEY-----\n";
  ASSERT_TRUE(write_file_atomically(path, pem, 0600).ok());

  const auto key = Ed25519Key::load_pem_file(path);

  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(hex_encode(key->public_key_raw()), kTest1Public);
  EXPECT_EQ(hex_encode(key->sign("")), kTest1Signature);
}

TEST(Ed25519KeyTest, GenerateRefusesToReplaceAnExistingFile) {
  const ScratchDirectory dir;
  const std::string path = dir.file("checkpoint.key");
  ASSERT_TRUE(write_file_atomically(path, "existing", 0600).ok());

  const Status generated = Ed25519Key::generate_pem_file(path);

  ASSERT_FALSE(generated.ok());
  EXPECT_EQ(generated.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(read_text(path), "existing");
}

TEST(Ed25519KeyTest, LoadRefusesFilesOthersCanRead) {
  const ScratchDirectory dir;
  const std::string path = dir.file("checkpoint.key");
  ASSERT_TRUE(Ed25519Key::generate_pem_file(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);

  const auto key = Ed25519Key::load_pem_file(path);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(key.error().message(),
            "load signing key '" + path + "': mode 0640 lets group or others read it; use 0600");
}

TEST(Ed25519KeyTest, LoadReportsMissingFile) {
  const ScratchDirectory dir;

  const auto key = Ed25519Key::load_pem_file(dir.file("absent.key"));

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code(), ErrorCode::kNotFound);
}

TEST(Ed25519KeyTest, LoadRejectsFilesWithoutAnEd25519PrivateKey) {
  const ScratchDirectory dir;
  const std::string garbage = dir.file("garbage.key");
  const std::string x25519 = dir.file("x25519.key");
  ASSERT_TRUE(write_file_atomically(garbage, "not a key\n", 0600).ok());
  EVP_PKEY* other = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, other, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* pem = nullptr;
  const long pem_length = BIO_get_mem_data(bio, &pem);
  ASSERT_TRUE(write_file_atomically(x25519, std::string(pem, pem_length), 0600).ok());
  BIO_free(bio);
  EVP_PKEY_free(other);

  const auto from_garbage = Ed25519Key::load_pem_file(garbage);
  const auto from_x25519 = Ed25519Key::load_pem_file(x25519);

  ASSERT_FALSE(from_garbage.ok());
  EXPECT_EQ(from_garbage.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(from_x25519.ok());
  EXPECT_EQ(from_x25519.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(from_x25519.error().message(), "load signing key '" + x25519 + "': key is not Ed25519");
}

TEST(Ed25519KeyTest, MovedKeyKeepsSigning) {
  auto original = Ed25519Key::from_raw_private(unhex(kTest1Seed)).value();

  const Ed25519Key moved = std::move(original);

  EXPECT_EQ(hex_encode(moved.sign("")), kTest1Signature);
}

}  // namespace
}  // namespace th::crypto
