// One-time passwords for the second authentication factor: HOTP (RFC 4226)
// and TOTP (RFC 6238) with HMAC-SHA-1, the combination every authenticator
// app supports.
//
// Keys are raw bytes (not base32 text). All functions are pure and safe from
// any thread. Passing digits outside kMinOtpDigits..kMaxOtpDigits or a
// step_seconds below 1 is a programming error and aborts.
//
// Replay: a TOTP code stays valid for its whole time step (and the window
// around it). totp_match_step returns the step that matched so that callers
// can store it and refuse any later code from the same or an earlier step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace th::crypto {

inline constexpr int kMinOtpDigits = 6;  // RFC 4226 section 5.3
inline constexpr int kMaxOtpDigits = 8;
inline constexpr int kDefaultTotpStepSeconds = 30;
inline constexpr int kMaxTotpWindowSteps = 10;
inline constexpr std::size_t kTotpKeyBytes = 20;  // 160 bits, RFC 4226 section 4

// A fresh random key of kTotpKeyBytes for enrolling an authenticator.
[[nodiscard]] std::string new_totp_key();

// The HOTP value for counter, as exactly `digits` decimal digits with leading
// zeros kept.
[[nodiscard]] std::string hotp_code(std::string_view key, std::uint64_t counter,
                                    int digits = kMinOtpDigits);

// The time step containing unix_seconds: floor(unix_seconds / step_seconds),
// with T0 = 0.
[[nodiscard]] std::int64_t totp_step(std::int64_t unix_seconds,
                                     int step_seconds = kDefaultTotpStepSeconds);

// The TOTP value at unix_seconds: hotp_code for totp_step(unix_seconds).
[[nodiscard]] std::string totp_code(std::string_view key, std::int64_t unix_seconds,
                                    int step_seconds = kDefaultTotpStepSeconds,
                                    int digits = kMinOtpDigits);

// Checks code against the steps from window_steps before to window_steps
// after the one containing unix_seconds (window_steps is clamped to
// 0..kMaxTotpWindowSteps; steps before the epoch are skipped). Returns the
// matching step, or nullopt. The number of digits is the code's length; a
// code that is not kMinOtpDigits..kMaxOtpDigits decimal digits never matches.
//
// Every step in the window is computed and compared (in constant time), with
// no early exit, so the time taken does not depend on whether or where the
// code matched. If
// codes of several steps coincide, the earliest step is returned, which errs
// towards refusing a replay.
[[nodiscard]] std::optional<std::int64_t> totp_match_step(
    std::string_view key, std::string_view code, std::int64_t unix_seconds, int window_steps = 1,
    int step_seconds = kDefaultTotpStepSeconds);

// The provisioning URI authenticator apps read from a QR code:
// otpauth://totp/<issuer>:<account>?secret=<base32 key>&issuer=<issuer>
// &algorithm=SHA1&digits=6&period=30. Issuer and account are UTF-8 and
// percent-encoded (everything except letters, digits, "-._~" and "@").
// The URI contains the key: treat it as a secret and never log it.
[[nodiscard]] std::string otpauth_uri(std::string_view issuer, std::string_view account,
                                      std::string_view key);

}  // namespace th::crypto
