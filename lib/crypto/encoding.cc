#include "crypto/encoding.h"

#include <array>
#include <cstdint>

namespace th::crypto {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

constexpr int kInvalid = -1;

// Maps each byte to its value in the alphabet, or kInvalid. With
// case_insensitive, lower-case letters map like their upper-case forms.
using DecodeTable = std::array<int, 256>;

constexpr DecodeTable make_decode_table(std::string_view alphabet, bool case_insensitive) {
  DecodeTable table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    const auto c = static_cast<unsigned char>(alphabet[i]);
    table[c] = static_cast<int>(i);
    if (case_insensitive && c >= 'A' && c <= 'Z') {
      table[c - 'A' + 'a'] = static_cast<int>(i);
    }
  }
  return table;
}

constexpr DecodeTable kBase64Table = make_decode_table(kBase64Alphabet, false);
constexpr DecodeTable kBase64UrlTable = make_decode_table(kBase64UrlAlphabet, false);
constexpr DecodeTable kBase32Table = make_decode_table(kBase32Alphabet, true);

Error decode_error(std::string_view encoding, std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument,
               "decode '" + std::string(encoding) + "': " + std::string(reason));
}

// Writes the bytes as groups of bits_per_char bits, most significant first;
// the last group is filled up with zero bits. No padding.
std::string encode_bits(std::string_view bytes, std::string_view alphabet, int bits_per_char) {
  const std::uint32_t mask = (1u << bits_per_char) - 1;
  std::string out;
  out.reserve((bytes.size() * 8 + bits_per_char - 1) / bits_per_char);

  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char byte : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(byte);
    bits += 8;
    while (bits >= bits_per_char) {
      bits -= bits_per_char;
      out.push_back(alphabet[(buffer >> bits) & mask]);
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) {
    out.push_back(alphabet[(buffer << (bits_per_char - bits)) & mask]);
  }
  return out;
}

// The inverse of encode_bits for text already stripped of padding. The
// caller has checked that the length can occur; this checks the characters
// and that the bits left over after the last whole byte are zero.
Result<std::string> decode_bits(std::string_view text, const DecodeTable& table, int bits_per_char,
                                std::string_view encoding) {
  std::string out;
  out.reserve(text.size() * bits_per_char / 8);

  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int value = table[static_cast<unsigned char>(text[i])];
    if (value == kInvalid) {
      return decode_error(encoding, "invalid character at offset " + std::to_string(i));
    }
    buffer = (buffer << bits_per_char) | static_cast<std::uint32_t>(value);
    bits += bits_per_char;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
    buffer &= (1u << bits) - 1;
  }
  if (buffer != 0) {
    return decode_error(encoding, "non-zero bits after the last byte");
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return kInvalid;
}

std::size_t count_trailing(std::string_view text, char c) {
  std::size_t count = 0;
  while (count < text.size() && text[text.size() - 1 - count] == c) {
    ++count;
  }
  return count;
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto b = static_cast<unsigned char>(byte);
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return decode_error("hex", "odd number of digits");
  }
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high == kInvalid || low == kInvalid) {
      const std::size_t offset = high == kInvalid ? i : i + 1;
      return decode_error("hex", "invalid character at offset " + std::to_string(offset));
    }
    out.push_back(static_cast<char>((high << 4) | low));
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out = encode_bits(bytes, kBase64Alphabet, 6);
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return decode_error("base64", "length is not a multiple of 4");
  }
  // A multiple-of-4 length with at most two '=' leaves a possible remainder;
  // any other '=' is caught by decode_bits as a foreign character.
  const std::size_t padding = count_trailing(text, '=');
  if (padding > 2) {
    return decode_error("base64", "too much padding");
  }
  return decode_bits(text.substr(0, text.size() - padding), kBase64Table, 6, "base64");
}

std::string base64url_encode(std::string_view bytes) {
  return encode_bits(bytes, kBase64UrlAlphabet, 6);
}

Result<std::string> base64url_decode(std::string_view text) {
  // One character carries only 6 bits, which cannot end a byte.
  if (text.size() % 4 == 1) {
    return decode_error("base64url", "truncated input");
  }
  return decode_bits(text, kBase64UrlTable, 6, "base64url");
}

std::string base32_encode(std::string_view bytes) {
  return encode_bits(bytes, kBase32Alphabet, 5);
}

Result<std::string> base32_decode(std::string_view text) {
  // Padding for each possible remainder of data characters modulo 8; -1 marks
  // remainders that no byte count produces.
  constexpr std::array<int, 8> kPaddingForRemainder = {0, -1, 6, -1, 4, 3, -1, 1};

  const std::size_t padding = count_trailing(text, '=');
  const std::string_view data = text.substr(0, text.size() - padding);
  const int expected_padding = kPaddingForRemainder[data.size() % 8];
  if (expected_padding < 0) {
    return decode_error("base32", "truncated input");
  }
  if (padding != 0 && padding != static_cast<std::size_t>(expected_padding)) {
    return decode_error("base32", "invalid padding");
  }
  return decode_bits(data, kBase32Table, 5, "base32");
}

}  // namespace th::crypto
