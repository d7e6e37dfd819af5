// Self-signed TLS server certificates for development, first start and
// closed networks, plus the few facts about a certificate file that the
// daemon and thctl report (expiry, fingerprint).
//
// A self-signed certificate gives encryption in transit (HIPAA 164.312(e))
// but no identity beyond the fingerprint; production deployments should use
// a certificate from a trusted CA. All functions are safe to call from any
// thread, but two generations into the same paths at once may pair one call's
// key with the other's certificate: serialise them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace th::crypto {

inline constexpr int kMaxCertificateValidDays = 3650;

// Creates a new EC P-256 key and an X.509 v3 certificate for it, signed with
// itself (ECDSA with SHA-256), and writes both as PEM: the certificate to
// cert_path (mode 0644), the PKCS#8 private key to key_path (mode 0600). Each
// file is replaced atomically; the key is written first.
//
// The certificate carries a random 128-bit serial number; subject and issuer
// CN set to the first DNS name (or IP address); subjectAltName with every DNS
// name and IP address (IPv4 or IPv6 text); basicConstraints CA:FALSE and
// keyUsage digitalSignature (both critical); extKeyUsage serverAuth; and
// subject/authority key identifiers. It is valid from five minutes ago (to
// absorb clock skew between machines) until valid_days from now.
//
// Fails with kInvalidArgument if no name is given, a DNS name or IP address is
// malformed, or valid_days is outside 1..kMaxCertificateValidDays; with
// kUnavailable if a file cannot be written; with kInternal if OpenSSL fails.
[[nodiscard]] Status generate_self_signed_certificate(const std::string& cert_path,
                                                      const std::string& key_path,
                                                      const std::vector<std::string>& dns_names,
                                                      const std::vector<std::string>& ip_addresses,
                                                      int valid_days);

// notAfter of the first certificate in a PEM file, in seconds since the Unix
// epoch (UTC). Fails with kNotFound if the file cannot be opened and
// kInvalidArgument if it holds no readable certificate.
[[nodiscard]] Result<std::int64_t> certificate_not_after_unix(const std::string& cert_path);

// SHA-256 over the DER encoding of the first certificate in a PEM file, as
// upper-case hex bytes separated by colons ("AB:01:...", 95 characters): the
// same text `openssl x509 -noout -fingerprint -sha256` and browsers show.
// Fails like certificate_not_after_unix.
[[nodiscard]] Result<std::string> certificate_sha256_fingerprint(const std::string& cert_path);

}  // namespace th::crypto
