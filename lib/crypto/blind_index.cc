#include "crypto/blind_index.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/key_ring.h"

namespace th::crypto {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) {
    return {};
  }
  const std::size_t end = text.find_last_not_of(kWhitespace);
  return text.substr(begin, end - begin + 1);
}

// Locale-independent on purpose: std::tolower would follow the C locale, and
// an index must not change with the process environment.
char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string lower_trimmed(std::string_view text) {
  std::string out(trim(text));
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "telehealth: fatal: blind indexer: %s\n", what);
  std::abort();
}

}  // namespace

BlindIndexer::BlindIndexer(std::string key32) : key_(std::move(key32)) {
  if (key_.size() != kKeyRingKeySize) {
    misuse("key must be 32 bytes");
  }
}

BlindIndexer::~BlindIndexer() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string BlindIndexer::index(std::string_view purpose, std::string_view value) const {
  if (purpose.empty() || purpose.find('\0') != std::string_view::npos) {
    misuse("purpose must be non-empty and free of NUL bytes");
  }
  std::string message(purpose);
  message.push_back('\0');
  message.append(value);
  std::string index = hex_encode(hmac_sha256(key_, message));
  OPENSSL_cleanse(message.data(), message.size());
  return index;
}

std::string normalize_username(std::string_view username) {
  return lower_trimmed(username);
}

std::string normalize_email(std::string_view email) {
  return lower_trimmed(email);
}

std::string normalize_mrn(std::string_view mrn) {
  std::string out;
  for (const char c : trim(mrn)) {
    if (c != ' ' && c != '-') {
      out.push_back(ascii_upper(c));
    }
  }
  return out;
}

}  // namespace th::crypto
