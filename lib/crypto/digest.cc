#include "crypto/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

namespace th::crypto {
namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "telehealth: fatal: %s failed inside OpenSSL\n", what);
  std::abort();
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  // A null key pointer means "reuse the previous key" in OpenSSL's HMAC
  // interfaces, so an empty key must still point at something.
  static const unsigned char kEmpty = 0;
  const auto* key_bytes =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());

  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  if (HMAC(md, key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &out_size) == nullptr) {
    die("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

std::string digest(const EVP_MD* md, const char* name, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &out_size, md, nullptr) != 1) {
    die(name);
  }
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

}  // namespace

std::string sha256(std::string_view data) {
  return digest(EVP_sha256(), "SHA-256", data);
}

std::string sha1(std::string_view data) {
  return digest(EVP_sha1(), "SHA-1", data);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  return hmac(EVP_sha1(), key, data);
}

}  // namespace th::crypto
