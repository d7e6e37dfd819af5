// A strict, validating JSON reader (RFC 8259) that finds where values are
// in a text without building anything: no allocation, no copy. It is the
// hub's fast path for messages it relays (a `signal` carries a browser's
// 3 KiB SDP that the daemon checks but never needs to look inside).
//
// scan_json() checks a whole text: one value with optional whitespace
// around it; objects, arrays, strings (every escape, surrogate pairs, no
// raw control characters, well-formed UTF-8), numbers in the RFC's grammar,
// true/false/null, and nesting no deeper than a limit. Lone surrogate
// escapes ("\ud800") are refused, as I-JSON (RFC 7493) does. A JsonSpan is
// only ever made by scan_json(), so whatever takes one may rely on its text
// being valid: JsonMemberReader walks the members of an object without
// checking again.
//
// Pure functions and small value types; safe from any thread. A JsonSpan
// points into the scanned text, which must outlive it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::realtime {

// Objects and arrays nested deeper than this are refused: a hostile message
// cannot make a reader recurse without end.
inline constexpr int kMaxJsonDepth = 64;

class JsonScan;  // the validator (json_scanner.cc)

enum class JsonType { kObject, kArray, kString, kNumber, kBoolean, kNull };

// A validated value: its type and its exact bytes (a string with its quotes).
class JsonSpan {
 public:
  JsonType type() const { return type_; }
  std::string_view text() const { return text_; }
  bool is_string() const { return type_ == JsonType::kString; }

  // A string's characters with the escapes still in (between the quotes).
  std::string_view raw_string() const { return text_.substr(1, text_.size() - 2); }
  // A string's value, escapes decoded (UTF-8).
  std::string decoded_string() const;
  // Whether this is a string whose value is `plain`, without decoding
  // anything when it holds no escape.
  bool string_equals(std::string_view plain) const;

 private:
  friend class JsonScan;
  friend class JsonMemberReader;
  JsonSpan(JsonType type, std::string_view text) : type_(type), text_(text) {}

  JsonType type_;
  std::string_view text_;
};

// One member of an object: its name (a string span) and its value.
struct JsonMember {
  JsonSpan name;
  JsonSpan value;
};

// Checks that `text` is one JSON value (whitespace around it allowed).
// kInvalidArgument naming what is wrong and the byte offset where
// ("invalid escape at byte 17", "nesting deeper than 64 at byte 130").
[[nodiscard]] Result<JsonSpan> scan_json(std::string_view text, int max_depth = kMaxJsonDepth);

// The members of a validated object, in the order they appear (duplicate
// names are listed as they come; deciding about them is the caller's).
//   JsonMemberReader members(object);
//   while (auto member = members.next()) { ... }
class JsonMemberReader {
 public:
  // `object` must be of type kObject; anything else has no members.
  explicit JsonMemberReader(const JsonSpan& object);
  std::optional<JsonMember> next();

 private:
  std::string_view text_;  // the object's bytes
  std::size_t at_;         // where the next member (or the end) begins
};

}  // namespace th::realtime
