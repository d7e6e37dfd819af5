#include "audit/signed_note.h"

#include <optional>

#include "audit/utf8.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr std::size_t kKeyIdSize = 4;
constexpr std::size_t kKeyIdHexDigits = 8;

// The Ed25519 verifier a verifier key string describes.
struct NoteVerifier {
  std::string name;
  std::uint32_t key_id = 0;
  std::string public_key;
};

Error malformed(std::string_view what, std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument,
               "open signed note: " + std::string(what) + " " + std::string(reason));
}

std::uint32_t read_big_endian_32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < kKeyIdSize; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

std::string write_big_endian_32(std::uint32_t value) {
  std::string bytes(kKeyIdSize, '\0');
  for (std::size_t i = 0; i < kKeyIdSize; ++i) {
    bytes[i] = static_cast<char>((value >> (8 * (kKeyIdSize - 1 - i))) & 0xFF);
  }
  return bytes;
}

// Valid UTF-8 with no control character other than newline: the rule for a
// whole note, text and signatures alike.
bool is_valid_note_text(std::string_view text) {
  if (!is_valid_utf8(text)) {
    return false;
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return false;
    }
  }
  return true;
}

Result<NoteVerifier> parse_verifier_key(std::string_view verifier_key) {
  // "<name>+<hex key ID>+<base64 key>": the name has no '+', so the first two
  // split the fields; base64 may contain further '+' characters.
  const std::size_t first_plus = verifier_key.find('+');
  const std::size_t second_plus =
      first_plus == std::string_view::npos ? first_plus : verifier_key.find('+', first_plus + 1);
  if (second_plus == std::string_view::npos) {
    return malformed("verifier key", "is not <name>+<key id>+<key>");
  }

  NoteVerifier verifier;
  verifier.name = std::string(verifier_key.substr(0, first_plus));
  const std::string_view id_hex = verifier_key.substr(first_plus + 1, second_plus - first_plus - 1);
  const auto id_bytes = crypto::hex_decode(id_hex);
  const auto key_bytes = crypto::base64_decode(verifier_key.substr(second_plus + 1));
  if (!is_valid_note_key_name(verifier.name) || id_hex.size() != kKeyIdHexDigits ||
      !id_bytes.ok() || !key_bytes.ok()) {
    return malformed("verifier key", "is not <name>+<key id>+<key>");
  }
  if (key_bytes->size() != 1 + crypto::Ed25519Key::kPublicKeySize ||
      (*key_bytes)[0] != kNoteEd25519Type) {
    return malformed("verifier key", "is not an Ed25519 key");
  }

  verifier.key_id = read_big_endian_32(*id_bytes);
  verifier.public_key = key_bytes->substr(1);
  if (note_key_id(verifier.name, verifier.public_key) != verifier.key_id) {
    return malformed("verifier key", "has a key id that does not match its key");
  }
  return verifier;
}

// One "— <name> <base64>" line, without its newline.
struct SignatureLine {
  std::string_view name;
  std::uint32_t key_id = 0;
  std::string signature;
};

Result<SignatureLine> parse_signature_line(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return malformed("signature line", "does not start with an em dash and a space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return malformed("signature line", "has no signature after the key name");
  }

  SignatureLine parsed;
  parsed.name = line.substr(0, space);
  auto blob = crypto::base64_decode(line.substr(space + 1));
  if (!is_valid_note_key_name(parsed.name) || !blob.ok() || blob->size() <= kKeyIdSize) {
    return malformed("signature line", "is not '<name> <base64 key id and signature>'");
  }
  parsed.key_id = read_big_endian_32(*blob);
  parsed.signature = blob->substr(kKeyIdSize);
  return parsed;
}

}  // namespace

bool is_valid_note_key_name(std::string_view name) {
  if (name.empty() || !is_valid_utf8(name)) {
    return false;
  }
  std::size_t pos = 0;
  while (pos < name.size()) {
    const char32_t code_point = *decode_utf8(name, pos);
    if (code_point < 0x20 || code_point == U'+' || is_unicode_space(code_point)) {
      return false;
    }
  }
  return true;
}

std::uint32_t note_key_id(std::string_view name, std::string_view public_key_raw) {
  std::string hashed(name);
  hashed += '\n';
  hashed += kNoteEd25519Type;
  hashed += public_key_raw;
  return read_big_endian_32(crypto::sha256(hashed));
}

Result<std::string> format_note_verifier_key(std::string_view name,
                                             std::string_view public_key_raw) {
  if (!is_valid_note_key_name(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "format verifier key: name must be non-empty utf-8 without spaces, control "
                 "characters or '+'");
  }
  if (public_key_raw.size() != crypto::Ed25519Key::kPublicKeySize) {
    return Error(ErrorCode::kInvalidArgument, "format verifier key: public key must be 32 bytes");
  }

  std::string typed_key(1, kNoteEd25519Type);
  typed_key += public_key_raw;
  return std::string(name) + '+' +
         crypto::hex_encode(write_big_endian_32(note_key_id(name, public_key_raw))) + '+' +
         crypto::base64_encode(typed_key);
}

Result<std::string> sign_note(std::string_view text, std::string_view name,
                              const crypto::Ed25519Key& key) {
  if (!is_valid_note_key_name(name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "sign note: key name must be non-empty utf-8 without spaces, control "
                 "characters or '+'");
  }
  if (text.empty() || text.back() != '\n' || !is_valid_note_text(text)) {
    return Error(ErrorCode::kInvalidArgument,
                 "sign note: text must be utf-8 without control characters other than newline, "
                 "ending in a newline");
  }

  const std::string blob =
      write_big_endian_32(note_key_id(name, key.public_key_raw())) + key.sign(text);
  std::string note(text);
  note += '\n';
  note += kSignaturePrefix;
  note += name;
  note += ' ';
  note += crypto::base64_encode(blob);
  note += '\n';
  return note;
}

Result<std::string> open_note(std::string_view note, std::string_view verifier_key) {
  auto verifier = parse_verifier_key(verifier_key);
  if (!verifier.ok()) {
    return verifier.error();
  }
  if (!is_valid_note_text(note)) {
    return malformed("note", "is not utf-8 free of control characters");
  }

  // The text ends at the last blank line; everything after it is signatures.
  const std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return malformed("note", "has no blank line before its signatures");
  }
  const std::string_view text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  if (signatures.empty() || signatures.back() != '\n') {
    return malformed("note", "has no signature lines ending in a newline");
  }

  std::size_t line_count = 0;
  bool verified = false;
  while (!signatures.empty()) {
    if (++line_count > kMaxNoteSignatures) {
      return malformed("note", "has too many signatures");
    }
    const std::size_t newline = signatures.find('\n');
    auto line = parse_signature_line(signatures.substr(0, newline));
    signatures.remove_prefix(newline + 1);
    if (!line.ok()) {
      return line.error();
    }

    // Only a line naming this key by both name and ID is this key's to check.
    if (line->name != verifier->name || line->key_id != verifier->key_id) {
      continue;
    }
    if (!crypto::Ed25519Key::verify(verifier->public_key, text, line->signature)) {
      return Error(ErrorCode::kDataLoss,
                   "open signed note: signature by '" + verifier->name + "' does not verify");
    }
    verified = true;
  }

  if (!verified) {
    return Error(ErrorCode::kDataLoss,
                 "open signed note: no signature by '" + verifier->name + "'");
  }
  return std::string(text);
}

}  // namespace th::audit
