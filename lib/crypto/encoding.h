// Text encodings of binary data: hex, base64 (RFC 4648 section 4), base64url
// (section 5) and base32 (section 6).
//
// Encoders never fail. Decoders are strict so that one text has exactly one
// meaning: they reject characters outside the alphabet (including whitespace),
// impossible lengths and non-zero bits left over after the last whole byte
// (RFC 4648 section 3.5), returning kInvalidArgument. Error messages name the
// encoding and the problem, never the input. All functions are pure and safe
// from any thread.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

// Lower-case hex, two digits per byte.
[[nodiscard]] std::string hex_encode(std::string_view bytes);
// Accepts upper- and lower-case digits; the length must be even.
[[nodiscard]] Result<std::string> hex_decode(std::string_view text);

// Standard alphabet (A-Z a-z 0-9 + /), padded with '=' to a multiple of 4.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
// Requires the padded form: length a multiple of 4, at most two '=' at the end.
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

// URL- and file-name-safe alphabet (A-Z a-z 0-9 - _), without padding.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// Requires the unpadded form; '=' is rejected like any other foreign character.
[[nodiscard]] Result<std::string> base64url_decode(std::string_view text);

// Upper-case alphabet (A-Z 2-7), without padding: the form authenticator apps
// expect for TOTP secrets.
[[nodiscard]] std::string base32_encode(std::string_view bytes);
// Case-insensitive. Padding is optional, but when present it must be complete
// (the length becomes a multiple of 8).
[[nodiscard]] Result<std::string> base32_decode(std::string_view text);

}  // namespace th::crypto
