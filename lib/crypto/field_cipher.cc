#include "crypto/field_cipher.h"

#include <cstdint>

#include "crypto/aes_gcm.h"
#include "crypto/encoding.h"

namespace th::crypto {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr char kSeparator = '.';
constexpr std::size_t kDekIdDigits = 16;

// Appends the part's length as 8 big-endian bytes, then the part: with every
// part length-prefixed, different contexts can never encode to equal bytes.
void append_part(std::string& out, std::string_view part) {
  const auto size = static_cast<std::uint64_t>(part.size());
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out.append(part);
}

std::string associated_data(std::string_view dek_id, const FieldContext& field) {
  std::string out;
  for (const std::string_view part : {kVersion, dek_id, field.table, field.column, field.row_id}) {
    append_part(out, part);
  }
  return out;
}

std::string field_name(const FieldContext& field) {
  return std::string(field.table) + "." + std::string(field.column);
}

Error malformed(const FieldContext& field, std::string_view reason) {
  return Error(ErrorCode::kDataLoss,
               "open field '" + field_name(field) + "': " + std::string(reason));
}

bool is_lower_hex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::string> FieldCipher::seal(std::string_view plaintext, const FieldContext& field) {
  const std::string dek_id = key_ring_.current_dek_id();
  if (dek_id.empty()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "seal field '" + field_name(field) + "': no data key is loaded");
  }
  auto key = key_ring_.data_key(dek_id);
  if (!key.ok()) {
    return key.error();
  }

  auto sealed = aes256_gcm_seal(*key, plaintext, associated_data(dek_id, field));
  if (!sealed.ok()) {
    return sealed.error().with_context("seal field '" + field_name(field) + "'");
  }
  return std::string(kVersion) + kSeparator + dek_id + kSeparator + base64url_encode(*sealed);
}

Result<std::string> FieldCipher::open(std::string_view stored, const FieldContext& field) {
  // Split "v1.<dek id>.<payload>"; base64url has no '.', so the split is exact.
  const std::size_t first = stored.find(kSeparator);
  const std::size_t second =
      first == std::string_view::npos ? first : stored.find(kSeparator, first + 1);
  if (second == std::string_view::npos) {
    return malformed(field, "not a sealed field");
  }
  if (stored.substr(0, first) != kVersion) {
    return malformed(field, "unknown format version");
  }
  const std::string_view dek_id = stored.substr(first + 1, second - first - 1);
  if (dek_id.size() != kDekIdDigits || !is_lower_hex(dek_id)) {
    return malformed(field, "malformed data key id");
  }
  auto sealed = base64url_decode(stored.substr(second + 1));
  if (!sealed.ok()) {
    return malformed(field, "malformed ciphertext");
  }

  auto key = key_ring_.data_key(dek_id);
  if (!key.ok()) {
    return key.error().with_context("open field '" + field_name(field) + "'");
  }
  auto plaintext = aes256_gcm_open(*key, *sealed, associated_data(dek_id, field));
  if (!plaintext.ok()) {
    return malformed(field, "authentication failed (altered, or sealed for another field)");
  }
  return plaintext;
}

}  // namespace th::crypto
