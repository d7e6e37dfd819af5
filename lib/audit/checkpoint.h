// Checkpoint: the signed statement "the audit log had this many entries and
// this Merkle root at this time", in the text format of C2SP tlog-checkpoint.
//
// The body is four lines, each ending in a newline:
//
//   telehealth.example.org/audit                   origin: names the log
//   8                                              tree size, decimal
//   XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=   root hash, base64
//   timestamp 1733260000123                        our one extension line
//
// The extension line is "timestamp", one space, and the time the checkpoint
// was made in milliseconds since the Unix epoch (UTC), in decimal with no
// sign or leading zeros: the same quantity as the timestamp of an RFC 6962
// signed tree head. Generic checkpoint clients treat it as an opaque
// extension line; ours shows when the log was last seen at this size.
//
// The body is what gets signed (see signed_note.h): a checkpoint on disk or
// on the wire is sign_note(format_checkpoint_body(...)).
//
// The functions are pure and safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::audit {

struct Checkpoint {
  // Identifies the log; also the signing key's name. Non-empty UTF-8 without
  // spaces, control characters or '+' (the rules for a signed-note key name).
  std::string origin;
  std::uint64_t tree_size = 0;
  // The RFC 6962 root of the first tree_size leaves: 32 raw bytes.
  std::string root_hash;
  // When the checkpoint was made: Unix milliseconds, UTC, not negative.
  std::int64_t timestamp_millis = 0;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The four-line body above. Fails with kInvalidArgument if the origin breaks
// its rules, the root hash is not 32 bytes, or the timestamp is negative.
[[nodiscard]] Result<std::string> format_checkpoint_body(const Checkpoint& checkpoint);

// Parses a body produced by format_checkpoint_body, normally the text that
// open_note returned after checking its signature. Strict: exactly the four
// lines, each ending in a newline, a tree size and timestamp with no leading
// zeros that fit their types, and a root that is canonical base64 of 32 bytes.
// Anything else, including other extension lines, fails with
// kInvalidArgument.
[[nodiscard]] Result<Checkpoint> parse_checkpoint_body(std::string_view text);

// True if `origin` may be used as a checkpoint origin (see Checkpoint).
[[nodiscard]] bool is_valid_checkpoint_origin(std::string_view origin);

}  // namespace th::audit
