// The rules a new password must meet, after NIST SP 800-63B: a minimum
// length, a generous maximum, no composition rules (no "one digit, one
// symbol"), and a check against passwords that are known, guessable or tied
// to the account.
//
// Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

inline constexpr std::size_t kDefaultMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 128;
inline constexpr std::size_t kMinUsernameLengthForCheck = 3;

// Accepts password for the account `username`, or returns kInvalidArgument
// whose message names the rule that failed (never the password):
//  - it must be valid UTF-8 of min_length to kMaxPasswordLength code points
//    (so "é" counts once, not twice);
//  - it must not be one character repeated, nor a unit shorter than
//    min_length repeated ("abcabcabcabc", "hunter2hunter2");
//  - it must not be a simple sequence: made of at most three runs in which
//    each character repeats its predecessor or is next to it in the
//    alphabet, the digits or a keyboard row, in either direction
//    ("1234567890ab", "qwertyuiop12");
//  - it must not be, ignoring ASCII case, on the built-in list of common
//    passwords, nor such a password with only digits and symbols added
//    before or after ("Sunshine2024!");
//  - it must not contain the username, ignoring ASCII case, when the
//    username has at least kMinUsernameLengthForCheck code points.
// Unicode normalisation is not applied; the password is compared as given.
[[nodiscard]] Status check_password_policy(std::string_view password, std::string_view username,
                                           std::size_t min_length = kDefaultMinPasswordLength);

}  // namespace th::crypto
