#include "audit/checkpoint.h"

#include <charconv>
#include <limits>
#include <optional>
#include <system_error>
#include <vector>

#include "audit/merkle_tree.h"
#include "audit/signed_note.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

constexpr std::string_view kTimestampPrefix = "timestamp ";
constexpr std::size_t kBodyLines = 4;

Error malformed(std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument, "parse checkpoint: " + std::string(reason));
}

// A decimal number as the format writes it: digits only, no leading zeros
// except for zero itself, and within the range of T.
template <typename T>
std::optional<T> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > std::numeric_limits<T>::digits10 + 1 ||
      (text.size() > 1 && text.front() == '0')) {
    return std::nullopt;
  }
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Splits text into lines, each of which must end in a newline.
std::optional<std::vector<std::string_view>> split_lines(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return std::nullopt;
  }
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline + 1);
  }
  return lines;
}

}  // namespace

bool is_valid_checkpoint_origin(std::string_view origin) {
  // The origin doubles as the signing key's name, so it takes that name's rules.
  return is_valid_note_key_name(origin);
}

Result<std::string> format_checkpoint_body(const Checkpoint& checkpoint) {
  if (!is_valid_checkpoint_origin(checkpoint.origin)) {
    return Error(ErrorCode::kInvalidArgument,
                 "format checkpoint: origin must be non-empty utf-8 without spaces, control "
                 "characters or '+'");
  }
  if (checkpoint.root_hash.size() != kMerkleHashSize) {
    return Error(ErrorCode::kInvalidArgument, "format checkpoint: root hash must be 32 bytes");
  }
  if (checkpoint.timestamp_millis < 0) {
    return Error(ErrorCode::kInvalidArgument, "format checkpoint: timestamp is negative");
  }

  return checkpoint.origin + '\n' + std::to_string(checkpoint.tree_size) + '\n' +
         crypto::base64_encode(checkpoint.root_hash) + '\n' + std::string(kTimestampPrefix) +
         std::to_string(checkpoint.timestamp_millis) + '\n';
}

Result<Checkpoint> parse_checkpoint_body(std::string_view text) {
  const auto lines = split_lines(text);
  if (!lines) {
    return malformed("body must end in a newline");
  }
  if (lines->size() != kBodyLines) {
    return malformed("expected 4 lines, found " + std::to_string(lines->size()));
  }

  Checkpoint checkpoint;
  checkpoint.origin = std::string((*lines)[0]);
  if (!is_valid_checkpoint_origin(checkpoint.origin)) {
    return malformed("origin is not a valid key name");
  }

  const auto tree_size = parse_decimal<std::uint64_t>((*lines)[1]);
  if (!tree_size) {
    return malformed("tree size is not a canonical decimal number");
  }
  checkpoint.tree_size = *tree_size;

  auto root_hash = crypto::base64_decode((*lines)[2]);
  if (!root_hash.ok() || root_hash->size() != kMerkleHashSize) {
    return malformed("root hash is not base64 of 32 bytes");
  }
  checkpoint.root_hash = std::move(root_hash).value();

  const std::string_view timestamp_line = (*lines)[3];
  if (!timestamp_line.starts_with(kTimestampPrefix)) {
    return malformed("fourth line is not a timestamp");
  }
  const auto timestamp =
      parse_decimal<std::int64_t>(timestamp_line.substr(kTimestampPrefix.size()));
  if (!timestamp) {
    return malformed("timestamp is not a canonical decimal number");
  }
  checkpoint.timestamp_millis = *timestamp;
  return checkpoint;
}

}  // namespace th::audit
