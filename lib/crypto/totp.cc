#include "crypto/totp.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "crypto/constant_time.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

constexpr std::array<std::uint32_t, kMaxOtpDigits + 1> kPowersOfTen = {
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000};

void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "telehealth: fatal: %s\n", what);
    std::abort();
  }
}

bool is_decimal(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_uri_safe(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '@';
}

std::string percent_encode(std::string_view text) {
  constexpr std::string_view kUpperHex = "0123456789ABCDEF";
  std::string out;
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if (is_uri_safe(c)) {
      out.push_back(byte);
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace

std::string new_totp_key() {
  return random_bytes(kTotpKeyBytes);
}

std::string hotp_code(std::string_view key, std::uint64_t counter, int digits) {
  require(digits >= kMinOtpDigits && digits <= kMaxOtpDigits, "hotp_code: digits out of range");

  std::string message(8, '\0');
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<char>(counter & 0xff);
    counter >>= 8;
  }
  const std::string mac = hmac_sha1(key, message);

  // Dynamic truncation (RFC 4226 section 5.3): the low nibble of the last
  // byte picks four bytes, read big-endian without the sign bit.
  const std::size_t offset = static_cast<unsigned char>(mac.back()) & 0x0f;
  const auto byte = [&mac, offset](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + i]));
  };
  const std::uint32_t binary =
      ((byte(0) & 0x7f) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);

  std::string code = std::to_string(binary % kPowersOfTen[static_cast<std::size_t>(digits)]);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::int64_t totp_step(std::int64_t unix_seconds, int step_seconds) {
  require(step_seconds >= 1, "totp_step: step_seconds must be positive");
  // Floor division, so that a time just before the epoch is not in step 0.
  std::int64_t step = unix_seconds / step_seconds;
  if (unix_seconds % step_seconds < 0) {
    --step;
  }
  return step;
}

std::string totp_code(std::string_view key, std::int64_t unix_seconds, int step_seconds,
                      int digits) {
  return hotp_code(key, static_cast<std::uint64_t>(totp_step(unix_seconds, step_seconds)), digits);
}

std::optional<std::int64_t> totp_match_step(std::string_view key, std::string_view code,
                                            std::int64_t unix_seconds, int window_steps,
                                            int step_seconds) {
  const std::int64_t current = totp_step(unix_seconds, step_seconds);
  const int digits = static_cast<int>(code.size());
  // The length and the digit check concern only the submitted code, so
  // returning early here reveals nothing about the key.
  if (digits < kMinOtpDigits || digits > kMaxOtpDigits || !is_decimal(code)) {
    return std::nullopt;
  }
  const int window = std::clamp(window_steps, 0, kMaxTotpWindowSteps);

  std::optional<std::int64_t> matched;
  for (std::int64_t step = current - window; step <= current + window; ++step) {
    if (step < 0) {
      continue;
    }
    const bool equal =
        constant_time_equal(hotp_code(key, static_cast<std::uint64_t>(step), digits), code);
    if (equal && !matched.has_value()) {
      matched = step;
    }
  }
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view key) {
  const std::string encoded_issuer = percent_encode(issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + percent_encode(account) +
         "?secret=" + base32_encode(key) + "&issuer=" + encoded_issuer +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace th::crypto
