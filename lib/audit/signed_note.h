// Signed notes (C2SP signed-note, the format of Go's sumdb and of
// transparency-log checkpoints) with Ed25519 signatures.
//
// A signed note is the text, which ends in a newline, then a blank line, then
// one or more signature lines:
//
//   <text ending in "\n">
//   "\n"
//   "— <key name> <base64(key ID || signature)>\n"      (one per signer)
//
// The dash is U+2014 EM DASH followed by one space. The key ID is 4 bytes,
// the first four of SHA-256(key name || 0x0A || 0x01 || 32-byte public key),
// and the signature is 64 bytes of Ed25519 over the text alone.
//
// A verifier is configured with a verifier key string:
//
//   <key name>+<key ID as 8 hex digits>+<base64(0x01 || 32-byte public key)>
//
// which is what thctl prints and what Go's note.NewVerifier accepts.
//
// Key names and texts follow the signed-note rules: a name is non-empty
// UTF-8 without Unicode spaces or '+'; a text is UTF-8 without control
// characters other than newline, and ends in a newline.
//
// The functions are pure and safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/ed25519_key.h"
#include "util/result.h"

namespace th::audit {

// The note signature type byte for Ed25519.
inline constexpr char kNoteEd25519Type = 0x01;

// True if `name` may be used as a note key name.
[[nodiscard]] bool is_valid_note_key_name(std::string_view name);

// The 4-byte key ID of an Ed25519 key, as a big-endian integer.
[[nodiscard]] std::uint32_t note_key_id(std::string_view name, std::string_view public_key_raw);

// The verifier key string for `name` and a 32-byte Ed25519 public key. Fails
// with kInvalidArgument for an invalid name or a key that is not 32 bytes.
[[nodiscard]] Result<std::string> format_note_verifier_key(std::string_view name,
                                                           std::string_view public_key_raw);

// `text` followed by the blank line and one signature line by `key` under
// `name`. Fails with kInvalidArgument if the name or the text breaks the
// rules above.
[[nodiscard]] Result<std::string> sign_note(std::string_view text, std::string_view name,
                                            const crypto::Ed25519Key& key);

// Checks `note` against the key described by `verifier_key` and returns the
// note's text. Signature lines from other keys (another name or key ID) are
// ignored, as the format requires; every line from this key must verify.
// Fails with kInvalidArgument if the verifier key or the note is malformed
// (bad UTF-8, control characters, no blank line, a signature line that does
// not parse, more than kMaxNoteSignatures lines), and with kDataLoss if a
// signature from this key does not verify or there is none.
[[nodiscard]] Result<std::string> open_note(std::string_view note, std::string_view verifier_key);

// Notes with more signature lines than this are refused as malformed. The
// format asks verifiers to accept at least 16.
inline constexpr std::size_t kMaxNoteSignatures = 100;

}  // namespace th::audit
