// Cryptographically secure randomness. Every random value in the project
// (keys, salts, tokens, identifiers, serial numbers) comes from here, and
// through here from OpenSSL's RAND_bytes.
//
// Both functions are safe to call from any thread.
//
// Failure policy: RAND_bytes fails only when the operating system cannot
// supply entropy or the library is broken. Carrying on would mean handing out
// predictable secrets, and no caller could do anything sensible with an error,
// so these functions abort the process instead of returning one.
#pragma once

#include <cstddef>
#include <string>

namespace th::crypto {

// Returns n random bytes (n may be zero). Aborts if no randomness is available.
[[nodiscard]] std::string random_bytes(std::size_t n);

// Returns a fresh bearer token: 32 random bytes (256 bits) in base64url
// without padding, always 43 characters from [A-Za-z0-9_-].
[[nodiscard]] std::string random_token();

}  // namespace th::crypto
