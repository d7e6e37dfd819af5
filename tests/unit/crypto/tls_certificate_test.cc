#include "crypto/tls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "scratch_directory.h"

namespace th::crypto {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;

Cert load_cert(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return nullptr;
  }
  Cert cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  return cert;
}

Key load_key(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return nullptr;
  }
  Key key(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  return key;
}

std::int64_t now_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return 0;
  }
  return info.st_mode & 07777;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TlsCertificateTest : public ::testing::Test {
 protected:
  Status generate(const std::vector<std::string>& dns, const std::vector<std::string>& ips,
                  int days = 90) {
    return generate_self_signed_certificate(cert_path_, key_path_, dns, ips, days);
  }

  ScratchDirectory dir_;
  std::string cert_path_ = dir_.file("server.crt");
  std::string key_path_ = dir_.file("server.key");
};

TEST_F(TlsCertificateTest, WritesMatchingP256KeyAndCertificate) {
  ASSERT_TRUE(generate({"localhost"}, {"127.0.0.1"}).ok());

  const Cert cert = load_cert(cert_path_);
  const Key key = load_key(key_path_);
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof(group), nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_NE(read_text(key_path_).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST_F(TlsCertificateTest, IsSelfSignedVersion3WithSha256) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());

  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
}

TEST_F(TlsCertificateTest, SubjectAltNameListsEveryDnsNameAndIpAddress) {
  ASSERT_TRUE(generate({"localhost", "th.example.org"}, {"127.0.0.1", "::1"}).ok());

  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "th.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.example.org", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);
}

TEST_F(TlsCertificateTest, IsALeafForServerAuthenticationOnly) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());

  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<std::uint32_t>(XKU_SSL_SERVER));
  int critical = -1;
  BASIC_CONSTRAINTS* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_EQ(constraints->ca, 0);
  EXPECT_EQ(critical, 1);
  BASIC_CONSTRAINTS_free(constraints);
}

TEST_F(TlsCertificateTest, VerifiesAsItsOwnTrustAnchorUnderStrictChecks) {
  ASSERT_TRUE(generate({"localhost"}, {"127.0.0.1"}).ok());
  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  X509_STORE* store = X509_STORE_new();
  ASSERT_EQ(X509_STORE_add_cert(store, cert.get()), 1);
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  ASSERT_EQ(X509_STORE_CTX_init(context, store, cert.get(), nullptr), 1);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_host(param, "localhost", 0);

  const int verified = X509_verify_cert(context);

  EXPECT_EQ(verified, 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(context));
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
}

TEST_F(TlsCertificateTest, SerialNumbersAreRandomAndLarge) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());
  const Cert first = load_cert(cert_path_);
  ASSERT_TRUE(generate({"localhost"}, {}).ok());
  const Cert second = load_cert(cert_path_);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);

  const ASN1_INTEGER* a = X509_get0_serialNumber(first.get());
  const ASN1_INTEGER* b = X509_get0_serialNumber(second.get());

  EXPECT_NE(ASN1_INTEGER_cmp(a, b), 0);
  // 128 random bits leave fewer than 15 bytes with probability 2^-16.
  EXPECT_GE(ASN1_STRING_length(a), 14);
  EXPECT_LE(ASN1_STRING_length(a), 16);
}

TEST_F(TlsCertificateTest, KeyFileIsPrivateAndCertificateIsReadable) {
  const mode_t old_umask = ::umask(0);

  const Status status = generate({"localhost"}, {});

  ::umask(old_umask);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(file_mode(key_path_), 0600u);
  EXPECT_EQ(file_mode(cert_path_), 0644u);
}

TEST_F(TlsCertificateTest, LeavesNoTemporaryFilesBehind) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());

  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    ++entries;
  }

  EXPECT_EQ(entries, 2u);
}

TEST_F(TlsCertificateTest, ReplacesExistingFiles) {
  ASSERT_TRUE(generate({"old.example.org"}, {}).ok());
  const std::string old_key = read_text(key_path_);

  ASSERT_TRUE(generate({"new.example.org"}, {}).ok());

  EXPECT_NE(read_text(key_path_), old_key);
  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "new.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_private_key(cert.get(), load_key(key_path_).get()), 1);
}

TEST_F(TlsCertificateTest, NotAfterIsValidDaysFromNow) {
  const std::int64_t before = now_seconds();
  ASSERT_TRUE(generate({"localhost"}, {}, 30).ok());
  const std::int64_t after = now_seconds();

  const auto not_after = certificate_not_after_unix(cert_path_);

  ASSERT_TRUE(not_after.ok()) << not_after.error().message();
  EXPECT_GE(*not_after, before + 30 * 86400);
  EXPECT_LE(*not_after, after + 30 * 86400);
}

TEST_F(TlsCertificateTest, NotBeforeAllowsForClockSkew) {
  const std::int64_t before = now_seconds();
  ASSERT_TRUE(generate({"localhost"}, {}).ok());
  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);

  std::tm not_before{};
  ASSERT_EQ(ASN1_TIME_to_tm(X509_get0_notBefore(cert.get()), &not_before), 1);

  EXPECT_LE(timegm(&not_before), before - 60);
  EXPECT_GE(timegm(&not_before), before - 3600);
}

TEST_F(TlsCertificateTest, FingerprintIsColonSeparatedSha256OfDer) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());
  const Cert cert = load_cert(cert_path_);
  ASSERT_NE(cert, nullptr);
  unsigned char digest[32];
  unsigned int size = 0;
  ASSERT_EQ(X509_digest(cert.get(), EVP_sha256(), digest, &size), 1);
  char expected[4] = {};
  std::snprintf(expected, sizeof(expected), "%02X:", digest[0]);

  const auto fingerprint = certificate_sha256_fingerprint(cert_path_);

  ASSERT_TRUE(fingerprint.ok());
  EXPECT_EQ(fingerprint->size(), 95u);
  EXPECT_EQ(fingerprint->substr(0, 3), expected);
  for (std::size_t i = 2; i < fingerprint->size(); i += 3) {
    EXPECT_EQ((*fingerprint)[i], ':');
  }
  EXPECT_EQ(fingerprint->find_first_not_of("0123456789ABCDEF:"), std::string::npos);
}

TEST_F(TlsCertificateTest, FingerprintMatchesOpensslCommandLine) {
  ASSERT_TRUE(generate({"localhost"}, {}).ok());
  const std::string command = "openssl x509 -noout -fingerprint -sha256 -in '" + cert_path_ + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    GTEST_SKIP() << "openssl command not available";
  }
  char line[256] = {};
  const bool read = std::fgets(line, sizeof(line), pipe) != nullptr;
  const int exit_status = ::pclose(pipe);
  if (!read || exit_status != 0) {
    GTEST_SKIP() << "openssl command not available";
  }

  const auto fingerprint = certificate_sha256_fingerprint(cert_path_);

  ASSERT_TRUE(fingerprint.ok());
  std::string expected(line);
  expected = expected.substr(expected.find('=') + 1);
  expected.erase(expected.find_last_not_of("\r\n") + 1);
  EXPECT_EQ(*fingerprint, expected);
}

TEST_F(TlsCertificateTest, RejectsMissingNames) {
  const Status status = generate({}, {});

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(key_path_));
}

TEST_F(TlsCertificateTest, RejectsMalformedIpAddress) {
  const Status status = generate({"localhost"}, {"127.0.0.256"});

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message().find("IP address"), std::string::npos);
}

TEST_F(TlsCertificateTest, RejectsDnsNameThatCouldInjectEntries) {
  const Status status = generate({"localhost,IP:10.0.0.1"}, {});

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(cert_path_));
}

TEST_F(TlsCertificateTest, AcceptsWildcardDnsName) {
  ASSERT_TRUE(generate({"*.example.org"}, {}).ok());

  const Cert cert = load_cert(cert_path_);

  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "api.example.org", 0, 0, nullptr), 1);
}

TEST_F(TlsCertificateTest, RejectsValidityOutOfRange) {
  EXPECT_EQ(generate({"localhost"}, {}, 0).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(generate({"localhost"}, {}, kMaxCertificateValidDays + 1).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(generate({"localhost"}, {}, kMaxCertificateValidDays).ok());
}

TEST_F(TlsCertificateTest, ReportsUnwritableDirectory) {
  const Status status = generate_self_signed_certificate(
      dir_.file("missing/server.crt"), dir_.file("missing/server.key"), {"localhost"}, {}, 90);

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
}

TEST_F(TlsCertificateTest, ReadingMissingFileIsNotFound) {
  const auto not_after = certificate_not_after_unix(dir_.file("absent.crt"));
  const auto fingerprint = certificate_sha256_fingerprint(dir_.file("absent.crt"));

  ASSERT_FALSE(not_after.ok());
  EXPECT_EQ(not_after.error().code(), ErrorCode::kNotFound);
  ASSERT_FALSE(fingerprint.ok());
  EXPECT_EQ(fingerprint.error().code(), ErrorCode::kNotFound);
}

TEST_F(TlsCertificateTest, ReadingNonCertificateIsInvalidArgument) {
  std::ofstream(cert_path_) << "not a certificate\n";

  const auto not_after = certificate_not_after_unix(cert_path_);

  ASSERT_FALSE(not_after.ok());
  EXPECT_EQ(not_after.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::crypto
