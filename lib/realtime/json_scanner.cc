#include "realtime/json_scanner.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

namespace th::realtime {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The four hex digits at `at` as a code unit, or -1.
long hex_quad(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) {
    return -1;
  }
  const char* first = text.data() + at;
  unsigned unit = 0;
  const auto [end, failure] = std::from_chars(first, first + 4, unit, 16);
  return failure == std::errc() && end == first + 4 ? static_cast<long>(unit) : -1;
}

bool is_high_surrogate(long unit) {
  return unit >= 0xD800 && unit <= 0xDBFF;
}

bool is_low_surrogate(long unit) {
  return unit >= 0xDC00 && unit <= 0xDFFF;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// The character a one-letter escape stands for (", \ and / for themselves).
char escaped_character(char kind) {
  constexpr std::string_view kLetters = "bfnrt";
  constexpr std::string_view kCharacters = "\b\f\n\r\t";
  const auto found = kLetters.find(kind);
  return found == std::string_view::npos ? kind : kCharacters[found];
}

// The length of the well-formed UTF-8 sequence starting at `at` (its first
// byte at least 0x80), or 0: no overlong forms, no surrogates, nothing past
// U+10FFFF (RFC 3629).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) {
    return i < text.size() ? static_cast<std::uint8_t>(text[i]) : std::uint8_t{0};
  };
  const std::uint8_t lead = byte(at);
  const auto continuation = [&](std::size_t i, std::uint8_t low = 0x80, std::uint8_t high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  if (lead >= 0xC2 && lead <= 0xDF) {
    return continuation(at + 1) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    const std::uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;
    const std::uint8_t high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const std::uint8_t low = lead == 0xF0 ? 0x90 : 0x80;
    const std::uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(at + 1, low, high) && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
  }
  return 0;
}

// Where the string whose opening quote is at `at` ends (one past its
// closing quote), in text already validated. memchr finds each quote; one
// after an odd number of backslashes is escaped and the search goes on.
std::size_t skip_valid_string(std::string_view text, std::size_t at) {
  std::size_t from = at + 1;
  while (true) {
    const void* found = std::memchr(text.data() + from, '"', text.size() - from);
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
    std::size_t backslashes = 0;
    while (quote - backslashes > at + 1 && text[quote - 1 - backslashes] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      return quote + 1;
    }
    from = quote + 1;
  }
}

// Where the value starting at `at` ends, in text already validated.
std::size_t skip_valid_value(std::string_view text, std::size_t at) {
  const char first = text[at];
  if (first == '"') {
    return skip_valid_string(text, at);
  }
  if (first != '{' && first != '[') {
    std::size_t i = at;
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
           !is_space(text[i])) {
      ++i;
    }
    return i;
  }
  int depth = 0;
  std::size_t i = at;
  while (true) {
    const char c = text[i];
    if (c == '"') {
      i = skip_valid_string(text, i);
      continue;
    }
    depth += (c == '{' || c == '[') ? 1 : (c == '}' || c == ']') ? -1 : 0;
    ++i;
    if (depth == 0) {
      return i;
    }
  }
}

JsonType type_of_valid(char first) {
  switch (first) {
    case '{':
      return JsonType::kObject;
    case '[':
      return JsonType::kArray;
    case '"':
      return JsonType::kString;
    case 't':
    case 'f':
      return JsonType::kBoolean;
    case 'n':
      return JsonType::kNull;
    default:
      return JsonType::kNumber;
  }
}

std::size_t skip_space(std::string_view text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) {
    ++at;
  }
  return at;
}

}  // namespace

// One pass of recursive descent over a text. Each step returns false once
// it found something wrong, having noted what and where.
class JsonScan {
 public:
  JsonScan(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  Result<JsonSpan> run() {
    pos_ = skip_space(text_, 0);
    const std::size_t start = pos_;
    JsonType type = JsonType::kNull;
    if (!value(0, type)) {
      return error();
    }
    const std::size_t end = pos_;
    pos_ = skip_space(text_, pos_);
    if (pos_ != text_.size()) {
      fail("unexpected text after the value");
      return error();
    }
    return JsonSpan(type, text_.substr(start, end - start));
  }

 private:
  bool fail(const char* what) {
    what_ = what;
    at_ = pos_;
    return false;
  }

  Error error() const {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what_) + " at byte " + std::to_string(at_));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  bool value(int depth, JsonType& type) {
    switch (peek()) {
      case '{':
        type = JsonType::kObject;
        return container(depth + 1, /*is_object=*/true);
      case '[':
        type = JsonType::kArray;
        return container(depth + 1, /*is_object=*/false);
      case '"':
        type = JsonType::kString;
        return string();
      case 't':
        type = JsonType::kBoolean;
        return literal("true");
      case 'f':
        type = JsonType::kBoolean;
        return literal("false");
      case 'n':
        type = JsonType::kNull;
        return literal("null");
      default:
        type = JsonType::kNumber;
        return number();
    }
  }

  // An object or an array: the same list of values between brackets,
  // each of an object's with a name before it.
  bool container(int depth, bool is_object) {
    if (depth > max_depth_) {
      return fail("nesting too deep");
    }
    const char close = is_object ? '}' : ']';
    pos_ = skip_space(text_, pos_ + 1);
    if (peek() == close) {
      ++pos_;
      return true;
    }
    while (true) {
      JsonType type = JsonType::kNull;
      if ((is_object && !member_name()) || !value(depth, type)) {
        return false;
      }
      pos_ = skip_space(text_, pos_);
      if (peek() == close) {
        ++pos_;
        return true;
      }
      if (peek() != ',') {
        return fail(is_object ? "expected ',' or '}' in an object"
                              : "expected ',' or ']' in an array");
      }
      pos_ = skip_space(text_, pos_ + 1);
    }
  }

  // A member's name and its colon, up to where its value starts.
  bool member_name() {
    if (peek() != '"') {
      return fail("expected a member name");
    }
    if (!string()) {
      return false;
    }
    pos_ = skip_space(text_, pos_);
    if (peek() != ':') {
      return fail("expected ':' after a member name");
    }
    pos_ = skip_space(text_, pos_ + 1);
    return true;
  }

  // Plain ASCII is the common case and is stepped over a byte at a time
  // with one comparison; escapes and UTF-8 sequences are checked in full.
  bool string() {
    ++pos_;  // the opening quote
    while (true) {
      if (at_end()) {
        return fail("unterminated string");
      }
      const auto c = static_cast<std::uint8_t>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!escape()) {
          return false;
        }
      } else if (c < 0x20) {
        return fail("control character in a string");
      } else if (c < 0x80) {
        ++pos_;
      } else {
        const std::size_t length = utf8_sequence_length(text_, pos_);
        if (length == 0) {
          return fail("invalid UTF-8 in a string");
        }
        pos_ += length;
      }
    }
  }

  bool escape() {
    ++pos_;  // the backslash
    const char kind = peek();
    if (kind == '"' || kind == '\\' || kind == '/' || kind == 'b' || kind == 'f' || kind == 'n' ||
        kind == 'r' || kind == 't') {
      ++pos_;
      return true;
    }
    if (kind != 'u') {
      return fail("invalid escape");
    }
    const long unit = hex_quad(text_, pos_ + 1);
    if (unit < 0) {
      return fail("invalid \\u escape");
    }
    pos_ += 5;
    if (is_low_surrogate(unit)) {
      return fail("unpaired surrogate escape");
    }
    if (!is_high_surrogate(unit)) {
      return true;
    }
    const bool paired = pos_ + 1 < text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u' &&
                        is_low_surrogate(hex_quad(text_, pos_ + 2));
    if (!paired) {
      return fail("unpaired surrogate escape");
    }
    pos_ += 6;
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number() {
    if (peek() == '-') {
      ++pos_;
    }
    if (peek() == '0') {
      ++pos_;
    } else if (is_digit(peek())) {
      digits();
    } else {
      return fail("expected a value");
    }
    if (peek() == '.') {
      ++pos_;
      if (!is_digit(peek())) {
        return fail("expected a digit after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') {
        ++pos_;
      }
      if (!is_digit(peek())) {
        return fail("expected a digit in an exponent");
      }
      digits();
    }
    return true;
  }

  void digits() {
    while (is_digit(peek())) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return fail("invalid literal");
    }
    pos_ += word.size();
    return true;
  }

  std::string_view text_;
  int max_depth_;
  std::size_t pos_ = 0;
  const char* what_ = "";
  std::size_t at_ = 0;
};

Result<JsonSpan> scan_json(std::string_view text, int max_depth) {
  return JsonScan(text, max_depth).run();
}

std::string JsonSpan::decoded_string() const {
  const std::string_view raw = raw_string();
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    const char kind = raw[++i];
    if (kind != 'u') {
      out.push_back(escaped_character(kind));
      continue;
    }
    auto code_point = static_cast<std::uint32_t>(hex_quad(raw, i + 1));
    i += 4;
    if (is_high_surrogate(code_point)) {
      const auto low = static_cast<std::uint32_t>(hex_quad(raw, i + 3));
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    }
    append_utf8(out, code_point);
  }
  return out;
}

bool JsonSpan::string_equals(std::string_view plain) const {
  if (type_ != JsonType::kString) {
    return false;
  }
  const std::string_view raw = raw_string();
  if (raw.find('\\') == std::string_view::npos) {
    return raw == plain;
  }
  return decoded_string() == plain;
}

JsonMemberReader::JsonMemberReader(const JsonSpan& object)
    : text_(object.text()), at_(object.type() == JsonType::kObject ? 1 : object.text().size()) {}

std::optional<JsonMember> JsonMemberReader::next() {
  at_ = skip_space(text_, at_);
  if (at_ >= text_.size() || text_[at_] == '}') {
    at_ = text_.size();
    return std::nullopt;
  }
  if (text_[at_] == ',') {
    at_ = skip_space(text_, at_ + 1);
  }
  const std::size_t name_end = skip_valid_string(text_, at_);
  const JsonSpan name(JsonType::kString, text_.substr(at_, name_end - at_));
  const std::size_t value_start = skip_space(text_, skip_space(text_, name_end) + 1);
  const std::size_t value_end = skip_valid_value(text_, value_start);
  at_ = value_end;
  return JsonMember{name, JsonSpan(type_of_valid(text_[value_start]),
                                   text_.substr(value_start, value_end - value_start))};
}

}  // namespace th::realtime
