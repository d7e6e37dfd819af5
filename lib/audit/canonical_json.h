// Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): one byte
// sequence for one JSON value, so an audit event hashes the same wherever it
// is serialized and re-serialized.
//
// The rules applied:
//   - no insignificant whitespace;
//   - object members sorted by their keys compared as UTF-16 code units
//     (not as UTF-8 bytes: the two orders differ for characters above U+FFFF);
//   - strings written as UTF-8 with only the escapes \" \\ \b \f \n \r \t and
//     \u00xx (lower-case hex) for the other control characters below U+0020;
//   - numbers written as ECMAScript's Number.prototype.toString writes the
//     IEEE 754 double they denote: -0 as "0", 1e21 as "1e+21", 1e-7 as "1e-7".
//
// What this implementation refuses, with kInvalidArgument, instead of
// guessing:
//   - NaN and the infinities (JSON has no spelling for them);
//   - integers outside the safe range +/-(2^53 - 1): JCS would silently round
//     them to the nearest double, and an audit record must not change a value;
//     send such identifiers as strings;
//   - strings and keys that are not valid UTF-8;
//   - values nested deeper than kMaxCanonicalJsonDepth;
//   - Poco::Dynamic::Var contents other than those listed below.
//
// Accepted Var contents: empty (null), bool, std::string, the integer and
// floating-point types, Poco::JSON::Object (by value or Ptr) and
// Poco::JSON::Array (by value or Ptr), nested freely. This is what
// Poco::JSON::Parser produces and what our audit-event builders store.
//
// The functions are pure and safe to call from any thread, provided no other
// thread mutates the value being serialized.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <string>

#include "util/result.h"

namespace th::audit {

// Objects and arrays nested deeper than this are refused.
inline constexpr std::size_t kMaxCanonicalJsonDepth = 64;

// Canonical UTF-8 bytes of `value`. Fails with kInvalidArgument as described
// above; the message names the offending member path, never its value.
[[nodiscard]] Result<std::string> canonical_json(const Poco::Dynamic::Var& value);

// Same for an object; a null Ptr fails with kInvalidArgument.
[[nodiscard]] Result<std::string> canonical_json(const Poco::JSON::Object::Ptr& object);

// The ECMAScript Number.prototype.toString form of `value` (RFC 8785 section
// 3.2.2.3). Fails with kInvalidArgument for NaN and the infinities.
[[nodiscard]] Result<std::string> canonical_number(double value);

}  // namespace th::audit
