#include "crypto/password_policy.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace th::crypto {
namespace {

// Widely reported most-used passwords (from published breach-corpus top
// lists) plus words tied to this service, lower case and sorted so lookup is
// a binary search. Short entries still matter: they are the bases that digits
// and symbols get appended to.
// clang-format off
constexpr std::string_view kCommonPasswords[] = {
    "000000", "00000000", "0987654321", "111111", "11111111", "1111111111", "112233", "121212",
    "123123", "123123123", "123321", "1234", "12341234", "12345", "123456", "1234567", "12345678",
    "123456789", "1234567890", "123456789a", "1234qwer", "123654", "123qwe", "147258369", "159753",
    "1q2w3e", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx", "1qaz2wsx3edc", "1qaz@wsx",
    "1qazxsw2", "654321", "666666", "696969", "741852963", "7777777", "888888", "987654321",
    "a123456789", "aa123456", "abc123", "abc12345", "abcd1234", "access", "admin", "admin123",
    "adminadmin", "administrator", "administrator1", "andrew", "angel", "anthony", "arsenal",
    "asdf1234", "asdfasdf", "asdfghjkl", "asdfghjkl123", "ashley", "autumn2024", "babygirl",
    "bailey", "banana", "barcelona", "baseball", "baseball1", "basketball", "batman", "batman123",
    "biteme", "blessed", "buster", "butterfly", "changeme", "changeme123", "charlie", "cheese",
    "chelsea", "chocolate", "clinic", "computer", "cookie", "correcthorsebatterystaple",
    "corvette", "dallas", "daniel", "default", "doctor", "donald", "dragon", "dragon123",
    "ferrari", "flower", "football", "football1", "freedom", "ginger", "google", "guest", "harley",
    "healthcare", "hello", "hello123", "hellohello", "helloworld", "hockey", "hospital", "hunter",
    "iloveu", "iloveyou", "iloveyou1", "iloveyou123", "internet", "jennifer", "jessica", "jesus",
    "jordan", "joshua", "killer", "letmein", "letmein1", "letmein123", "liverpool", "login",
    "love", "lovely", "loveme", "maggie", "master", "matrix", "matthew", "medical", "mercedes",
    "michael", "michelle", "minecraft", "monkey", "monkey123", "mustang", "mypassword",
    "mypassword123", "naruto", "newpassword", "nicole", "ninja", "nothing", "nurse", "orange",
    "p@ssw0rd", "p@ssw0rd123", "p@ssword", "pa$$word", "passw0rd", "passw0rd1", "password",
    "password!", "password1", "password1!", "password12", "password123", "password123!",
    "password1234", "password2024", "password2025", "password2026", "passwordpassword",
    "passwordqwerty", "patient", "pepper", "pikachu", "pokemon", "princess", "princess1", "purple",
    "q1w2e3r4t5y6", "qazwsx", "qwer1234", "qwerty", "qwerty1!", "qwerty123", "qwerty12345",
    "qwerty123456", "qwertyqwerty", "qwertyui", "qwertyuiop", "qwertyuiop123", "robert", "root",
    "rootroot", "samsung", "secret", "secret123", "shadow", "soccer", "spring2024", "starwars",
    "summer", "summer2024", "sunshine", "sunshine1", "superman", "superman123", "superstar",
    "taylor", "telehealth", "temp123", "temppassword", "test", "test123", "testing", "thomas",
    "thunder", "tigger", "toor", "trustno1", "trustno1trustno1", "welcome", "welcome1",
    "welcome1!", "welcome123", "welcome2024", "welcome2025", "whatever", "william", "winter",
    "winter2024", "yankees", "zaq12wsx", "zaq1xsw2", "zaq1zaq1", "zxcvbnm", "zxcvbnm123",
};
// clang-format on
static_assert(std::is_sorted(std::begin(kCommonPasswords), std::end(kCommonPasswords)),
              "kCommonPasswords must stay sorted for binary search");

// Rows of characters a person types in order. The digit row repeats 0 at the
// start so that both "890" and "012" count as runs.
constexpr std::string_view kSequences[] = {
    "abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
};

constexpr std::size_t kMaxSimpleRuns = 3;

Error policy_error(std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument, "check 'password': " + std::string(reason));
}

// What the first byte of a UTF-8 sequence says: how many bytes the sequence
// has, its payload bits, and the smallest value a sequence of
// that length may encode (anything less is an overlong form).
struct LeadByte {
  std::size_t length;
  char32_t bits;
  char32_t minimum;
};

std::optional<LeadByte> read_lead_byte(unsigned char lead) {
  if (lead < 0x80) {
    return LeadByte{1, lead, 0};
  }
  if ((lead & 0xe0) == 0xc0) {
    return LeadByte{2, static_cast<char32_t>(lead & 0x1f), 0x80};
  }
  if ((lead & 0xf0) == 0xe0) {
    return LeadByte{3, static_cast<char32_t>(lead & 0x0f), 0x800};
  }
  if ((lead & 0xf8) == 0xf0) {
    return LeadByte{4, static_cast<char32_t>(lead & 0x07), 0x10000};
  }
  return std::nullopt;
}

// Code points of well-formed UTF-8 (shortest form, no surrogates, at most
// U+10FFFF), or nullopt.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> code_points;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = read_lead_byte(static_cast<unsigned char>(text[i]));
    if (!lead || i + lead->length > text.size()) {
      return std::nullopt;
    }
    char32_t value = lead->bits;
    for (std::size_t k = 1; k < lead->length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) {
        return std::nullopt;
      }
      value = (value << 6) | (next & 0x3f);
    }
    if (value < lead->minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
      return std::nullopt;
    }
    code_points.push_back(value);
    i += lead->length;
  }
  return code_points;
}

char32_t ascii_lower(char32_t c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return lower;
}

bool is_repeated_unit(const std::vector<char32_t>& text, std::size_t unit) {
  if (unit >= text.size()) {
    return false;
  }
  for (std::size_t i = unit; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != ascii_lower(text[i - unit])) {
      return false;
    }
  }
  return true;
}

bool are_neighbours(char32_t a, char32_t b) {
  for (const std::string_view row : kSequences) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      const char32_t left = static_cast<unsigned char>(row[i]);
      const char32_t right = static_cast<unsigned char>(row[i + 1]);
      if ((a == left && b == right) || (a == right && b == left)) {
        return true;
      }
    }
  }
  return false;
}

// Number of maximal runs in which every character repeats or neighbours the
// one before it.
std::size_t count_simple_runs(const std::vector<char32_t>& text) {
  std::size_t runs = text.empty() ? 0 : 1;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char32_t previous = ascii_lower(text[i - 1]);
    const char32_t current = ascii_lower(text[i]);
    if (previous != current && !are_neighbours(previous, current)) {
      ++runs;
    }
  }
  return runs;
}

bool is_common(std::string_view lower) {
  return std::binary_search(std::begin(kCommonPasswords), std::end(kCommonPasswords), lower);
}

bool is_digit_or_symbol(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && u > ' ' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z');
}

// The password without digits and ASCII symbols at either end.
std::string_view strip_affixes(std::string_view text) {
  while (!text.empty() && is_digit_or_symbol(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_digit_or_symbol(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

Status check_length(const std::vector<char32_t>& code_points, std::size_t min_length) {
  if (code_points.size() < min_length) {
    return policy_error("shorter than " + std::to_string(min_length) + " characters");
  }
  if (code_points.size() > kMaxPasswordLength) {
    return policy_error("longer than " + std::to_string(kMaxPasswordLength) + " characters");
  }
  return ok_status();
}

// A unit shorter than the minimum length, repeated to reach it, adds
// almost nothing to what an attacker must guess.
Status check_patterns(const std::vector<char32_t>& code_points, std::size_t min_length) {
  if (is_repeated_unit(code_points, 1)) {
    return policy_error("a single character repeated");
  }
  const std::size_t longest_unit = std::min(code_points.size() / 2, min_length - 1);
  for (std::size_t unit = 2; unit <= longest_unit; ++unit) {
    if (is_repeated_unit(code_points, unit)) {
      return policy_error("a shorter pattern repeated");
    }
  }
  if (count_simple_runs(code_points) <= kMaxSimpleRuns) {
    return policy_error("a simple sequence of letters, digits or keyboard keys");
  }
  return ok_status();
}

Status check_common(std::string_view password) {
  const std::string lower = ascii_lower(password);
  if (is_common(lower)) {
    return policy_error("a commonly used password");
  }
  const std::string_view base = strip_affixes(lower);
  if (base.size() != lower.size() && is_common(base)) {
    return policy_error("a commonly used password with digits or symbols added");
  }
  return ok_status();
}

Status check_username(std::string_view password, std::string_view username) {
  const auto username_code_points = decode_utf8(username);
  const std::size_t username_length =
      username_code_points ? username_code_points->size() : username.size();
  if (username_length >= kMinUsernameLengthForCheck &&
      ascii_lower(password).find(ascii_lower(username)) != std::string::npos) {
    return policy_error("contains the username");
  }
  return ok_status();
}

}  // namespace

Status check_password_policy(std::string_view password, std::string_view username,
                             std::size_t min_length) {
  const auto code_points = decode_utf8(password);
  if (!code_points) {
    return policy_error("not valid UTF-8");
  }
  TH_RETURN_IF_ERROR(check_length(*code_points, min_length));
  TH_RETURN_IF_ERROR(check_common(password));
  TH_RETURN_IF_ERROR(check_patterns(*code_points, min_length));
  return check_username(password, username);
}

}  // namespace th::crypto
