// Hashes and message authentication codes over byte strings.
//
// Results are raw bytes (use crypto/encoding.h for text). The functions are
// pure and safe from any thread. They fail only if OpenSSL itself is broken
// (for example cannot allocate a context); there is no meaningful recovery,
// so that aborts the process instead of returning an error.
#pragma once

#include <string>
#include <string_view>

namespace th::crypto {

inline constexpr std::size_t kSha256Size = 32;
inline constexpr std::size_t kSha1Size = 20;

// SHA-256 of data: 32 bytes.
[[nodiscard]] std::string sha256(std::string_view data);

// SHA-1 of data: 20 bytes. Only where a protocol fixes it and no secrecy
// or collision resistance depends on it, such as the WebSocket opening
// handshake (RFC 6455 section 4.2.2).
[[nodiscard]] std::string sha1(std::string_view data);

// HMAC-SHA-256 (RFC 2104, RFC 4231) of data under key: 32 bytes. Any key
// length is allowed, including empty.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

// HMAC-SHA-1 of data under key: 20 bytes. Only for protocols that fix SHA-1,
// such as HOTP/TOTP (RFC 4226) and TURN REST credentials; HMAC-SHA-1 remains
// sound as a MAC even though SHA-1 collisions are practical.
[[nodiscard]] std::string hmac_sha1(std::string_view key, std::string_view data);

}  // namespace th::crypto
