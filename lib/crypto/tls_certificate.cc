#include "crypto/tls_certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>
#include <ctime>
#include <string_view>

#include "crypto/atomic_file.h"
#include "crypto/openssl_handle.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

constexpr std::size_t kSerialBytes = 16;
constexpr long kBackdateSeconds = 5L * 60;
constexpr std::size_t kMaxCommonNameLength = 64;  // ub-common-name, RFC 5280
constexpr std::size_t kMaxDnsNameLength = 253;
constexpr mode_t kCertificateMode = 0644;
constexpr mode_t kPrivateKeyMode = 0600;

Error generate_error(ErrorCode code, const std::string& cert_path, std::string_view reason) {
  return Error(code, "generate certificate '" + cert_path + "': " + std::string(reason));
}

// OpenSSL's own reason for the last failure, for kInternal errors. It
// describes the library state, never key material.
std::string openssl_reason(std::string_view step) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string reason(step);
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    reason += " (" + std::string(text) + ")";
  }
  return reason;
}

// Letters, digits, hyphens and dots, with an optional leading "*." wildcard
// label; enough to keep a typo or injected separator out of the certificate.
bool is_valid_dns_name(std::string_view name) {
  if (name.starts_with("*.")) {
    name.remove_prefix(2);
  }
  if (name.empty() || name.size() > kMaxDnsNameLength || name.front() == '.' ||
      name.back() == '.' || name.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

Status check_arguments(const std::string& cert_path, const std::vector<std::string>& dns_names,
                       const std::vector<std::string>& ip_addresses, int valid_days) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return generate_error(ErrorCode::kInvalidArgument, cert_path,
                          "at least one DNS name or IP address is required");
  }
  if (valid_days < 1 || valid_days > kMaxCertificateValidDays) {
    return generate_error(
        ErrorCode::kInvalidArgument, cert_path,
        "validity must be 1 to " + std::to_string(kMaxCertificateValidDays) + " days");
  }
  for (const std::string& name : dns_names) {
    if (!is_valid_dns_name(name)) {
      return generate_error(ErrorCode::kInvalidArgument, cert_path,
                            "invalid DNS name '" + name + "'");
    }
  }
  return ok_status();
}

// The subjectAltName value, built as a structure rather than from
// configuration text so that no input can smuggle in extra entries.
Result<GeneralNamesHandle> make_subject_alt_names(const std::string& cert_path,
                                                  const std::vector<std::string>& dns_names,
                                                  const std::vector<std::string>& ip_addresses) {
  GeneralNamesHandle names(sk_GENERAL_NAME_new_null());
  if (!names) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("allocate names"));
  }

  for (const std::string& dns_name : dns_names) {
    GeneralNameHandle name(GENERAL_NAME_new());
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (!name || text == nullptr ||
        ASN1_STRING_set(text, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
      ASN1_IA5STRING_free(text);
      return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add DNS name"));
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, text);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add DNS name"));
    }
    static_cast<void>(name.release());  // now owned by names
  }

  for (const std::string& ip_address : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip_address.c_str());
    if (octets == nullptr) {
      ERR_clear_error();
      return generate_error(ErrorCode::kInvalidArgument, cert_path,
                            "invalid IP address '" + ip_address + "'");
    }
    GeneralNameHandle name(GENERAL_NAME_new());
    if (!name) {
      ASN1_OCTET_STRING_free(octets);
      return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add IP address"));
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add IP address"));
    }
    static_cast<void>(name.release());  // now owned by names
  }
  return names;
}

Status set_serial_number(X509* cert, const std::string& cert_path) {
  // 128 random bits, read as a non-negative integer: unpredictable serials
  // are what the CA/Browser Forum asks of CAs, and cost nothing here.
  const std::string bytes = random_bytes(kSerialBytes);
  BigNumHandle number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()), nullptr));
  Asn1IntegerHandle serial(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("set serial number"));
  }
  return ok_status();
}

Status set_names_and_validity(X509* cert, const std::string& cert_path,
                              const std::string& common_name, int valid_days) {
  X509NameHandle name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_subject_name(cert, name.get()) != 1 || X509_set_issuer_name(cert, name.get()) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("set subject"));
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), valid_days, 0, nullptr) == nullptr) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("set validity"));
  }
  return ok_status();
}

// Adds an extension given in OpenSSL's configuration syntax. Only constant
// values from this file pass through here, never caller input.
Status add_extension(X509* cert, X509V3_CTX* context, int nid, const char* value,
                     const std::string& cert_path) {
  X509ExtensionHandle extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add extension"));
  }
  return ok_status();
}

Status add_extensions(X509* cert, const std::string& cert_path,
                      const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses) {
  auto names = make_subject_alt_names(cert_path, dns_names, ip_addresses);
  if (!names.ok()) {
    return names.error();
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names->get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("add subjectAltName"));
  }

  // Self-signed: the certificate is its own issuer. The subject key
  // identifier must exist before the authority key identifier refers to it.
  X509V3_CTX context;
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  TH_RETURN_IF_ERROR(
      add_extension(cert, &context, NID_basic_constraints, "critical,CA:FALSE", cert_path));
  TH_RETURN_IF_ERROR(
      add_extension(cert, &context, NID_key_usage, "critical,digitalSignature", cert_path));
  TH_RETURN_IF_ERROR(add_extension(cert, &context, NID_ext_key_usage, "serverAuth", cert_path));
  TH_RETURN_IF_ERROR(add_extension(cert, &context, NID_subject_key_identifier, "hash", cert_path));
  return add_extension(cert, &context, NID_authority_key_identifier, "keyid:always", cert_path);
}

std::string common_name_for(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) {
  const std::string& first = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  return first.size() <= kMaxCommonNameLength ? first : "telehealthd";
}

Result<X509Handle> build_certificate(EVP_PKEY* key, const std::string& cert_path,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses, int valid_days) {
  X509Handle cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("create certificate"));
  }
  TH_RETURN_IF_ERROR(set_serial_number(cert.get(), cert_path));
  TH_RETURN_IF_ERROR(set_names_and_validity(cert.get(), cert_path,
                                            common_name_for(dns_names, ip_addresses), valid_days));
  TH_RETURN_IF_ERROR(add_extensions(cert.get(), cert_path, dns_names, ip_addresses));
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("sign certificate"));
  }
  return cert;
}

// PEM text of a memory BIO's contents.
std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

Status write_private_key(EVP_PKEY* key, const std::string& cert_path, const std::string& key_path) {
  // Secure memory is cleared when freed, so the PEM does not linger on the
  // heap; the copy handed to write() is cleared by hand below.
  BioHandle bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("encode private key"));
  }
  std::string pem = bio_contents(bio.get());
  Status written = write_file_atomically(key_path, pem, kPrivateKeyMode);
  OPENSSL_cleanse(pem.data(), pem.size());
  return written;
}

Status write_certificate(X509* cert, const std::string& cert_path) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("encode certificate"));
  }
  return write_file_atomically(cert_path, bio_contents(bio.get()), kCertificateMode);
}

Result<X509Handle> read_certificate(const std::string& cert_path) {
  BioHandle bio(BIO_new_file(cert_path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    return Error(ErrorCode::kNotFound, "read certificate '" + cert_path + "': cannot open file");
  }
  X509Handle cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return Error(ErrorCode::kInvalidArgument,
                 "read certificate '" + cert_path + "': no PEM certificate found");
  }
  return cert;
}

}  // namespace

Status generate_self_signed_certificate(const std::string& cert_path, const std::string& key_path,
                                        const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses,
                                        int valid_days) {
  TH_RETURN_IF_ERROR(check_arguments(cert_path, dns_names, ip_addresses, valid_days));

  EvpPkeyHandle key(EVP_EC_gen("P-256"));
  if (!key) {
    return generate_error(ErrorCode::kInternal, cert_path, openssl_reason("generate key"));
  }
  auto cert = build_certificate(key.get(), cert_path, dns_names, ip_addresses, valid_days);
  if (!cert.ok()) {
    return cert.error();
  }

  // Key first: a crash between the two renames then leaves a new key beside
  // the old certificate, which fails loudly at startup, rather than a new
  // certificate whose key was never saved.
  TH_RETURN_IF_ERROR(write_private_key(key.get(), cert_path, key_path));
  return write_certificate(cert->get(), cert_path);
}

Result<std::int64_t> certificate_not_after_unix(const std::string& cert_path) {
  auto cert = read_certificate(cert_path);
  if (!cert.ok()) {
    return cert.error();
  }
  std::tm not_after{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert->get()), &not_after) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kInvalidArgument,
                 "read certificate '" + cert_path + "': unreadable notAfter time");
  }
  // ASN1_TIME_to_tm yields UTC fields; timegm reads them as UTC too.
  return static_cast<std::int64_t>(timegm(&not_after));
}

Result<std::string> certificate_sha256_fingerprint(const std::string& cert_path) {
  auto cert = read_certificate(cert_path);
  if (!cert.ok()) {
    return cert.error();
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (X509_digest(cert->get(), EVP_sha256(), digest, &digest_size) != 1) {
    return Error(ErrorCode::kInternal,
                 "fingerprint certificate '" + cert_path + "': " + openssl_reason("digest"));
  }

  constexpr std::string_view kUpperHex = "0123456789ABCDEF";
  std::string text;
  for (unsigned int i = 0; i < digest_size; ++i) {
    if (i > 0) {
      text.push_back(':');
    }
    text.push_back(kUpperHex[digest[i] >> 4]);
    text.push_back(kUpperHex[digest[i] & 0x0f]);
  }
  return text;
}

}  // namespace th::crypto
