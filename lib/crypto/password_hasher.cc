#include "crypto/password_hasher.h"

#include <argon2.h>

#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace th::crypto {
namespace {

constexpr std::string_view kAlgorithm = "argon2id";
constexpr std::uint32_t kMinMemoryKibPerLane = 8;  // RFC 9106 section 3.1: m >= 8 * p

// The fields of a PHC string as this module needs them.
struct StoredHash {
  std::string algorithm;
  std::uint32_t version = 0;
  PasswordHashParams params;
  std::size_t salt_bytes = 0;
  std::size_t hash_bytes = 0;
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// "<name>=<decimal u32>" with nothing else around it.
std::optional<std::uint32_t> parse_field(std::string_view text, std::string_view name) {
  if (!text.starts_with(name) || text.size() <= name.size() + 1 || text[name.size()] != '=') {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(name.size() + 1);
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

// PHC strings use the standard base64 alphabet without padding.
std::optional<std::size_t> decoded_length(std::string_view text) {
  std::string padded(text);
  padded.append((4 - padded.size() % 4) % 4, '=');
  const auto decoded = base64_decode(padded);
  if (!decoded.ok() || decoded->empty()) {
    return std::nullopt;
  }
  return decoded->size();
}

// Accepts "$alg$v=N$m=M,t=T,p=P$salt$hash" and the pre-1.3 form without the
// version field (which libargon2 reads as version 0x10).
std::optional<StoredHash> parse_stored_hash(std::string_view encoded) {
  std::vector<std::string_view> parts = split(encoded, '$');
  if (parts.size() == 5) {
    parts.insert(parts.begin() + 2, "v=16");
  }
  if (parts.size() != 6 || !parts[0].empty() || parts[1].empty()) {
    return std::nullopt;
  }

  StoredHash stored;
  stored.algorithm = std::string(parts[1]);
  const auto version = parse_field(parts[2], "v");
  const std::vector<std::string_view> costs = split(parts[3], ',');
  if (!version || costs.size() != 3) {
    return std::nullopt;
  }
  stored.version = *version;
  const auto memory = parse_field(costs[0], "m");
  const auto iterations = parse_field(costs[1], "t");
  const auto parallelism = parse_field(costs[2], "p");
  const auto salt_bytes = decoded_length(parts[4]);
  const auto hash_bytes = decoded_length(parts[5]);
  if (!memory || !iterations || !parallelism || !salt_bytes || !hash_bytes) {
    return std::nullopt;
  }
  stored.params = {*memory, *iterations, *parallelism};
  stored.salt_bytes = *salt_bytes;
  stored.hash_bytes = *hash_bytes;
  return stored;
}

bool within_limits(const PasswordHashParams& params) {
  return params.iterations >= 1 && params.iterations <= kMaxPasswordHashIterations &&
         params.parallelism >= 1 && params.parallelism <= kMaxPasswordHashParallelism &&
         params.memory_kib >= kMinMemoryKibPerLane * params.parallelism &&
         params.memory_kib <= kMaxPasswordHashMemoryKib;
}

Error argon2_failure(std::string_view action, int code) {
  std::string reason = argon2_error_message(code);
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  const ErrorCode category = code == ARGON2_MEMORY_ALLOCATION_ERROR ? ErrorCode::kResourceExhausted
                                                                    : ErrorCode::kInvalidArgument;
  return Error(category, std::string(action) + ": " + reason);
}

}  // namespace

Result<std::string> hash_password(std::string_view password, const PasswordHashParams& params) {
  if (!within_limits(params)) {
    return Error(ErrorCode::kInvalidArgument, "hash password: parameters out of range");
  }
  if (password.size() > ARGON2_MAX_PWD_LENGTH) {
    return Error(ErrorCode::kInvalidArgument, "hash password: password too long");
  }

  const std::string salt = random_bytes(kPasswordSaltBytes);
  std::string encoded(argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                        kPasswordSaltBytes, kPasswordHashBytes, Argon2_id),
                      '\0');
  const int code = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                         password.data(), password.size(), salt.data(), salt.size(),
                                         kPasswordHashBytes, encoded.data(), encoded.size());
  if (code != ARGON2_OK) {
    return argon2_failure("hash password", code);
  }
  // argon2_encodedlen counts the terminating NUL, which the string must not keep.
  encoded.resize(encoded.find('\0'));
  return encoded;
}

Result<bool> verify_password(std::string_view password, std::string_view encoded) {
  const auto stored = parse_stored_hash(encoded);
  if (!stored) {
    return Error(ErrorCode::kInvalidArgument, "verify password: malformed password hash");
  }
  if (stored->algorithm != kAlgorithm) {
    return Error(ErrorCode::kInvalidArgument,
                 "verify password: unsupported algorithm '" + stored->algorithm + "'");
  }
  if (!within_limits(stored->params)) {
    return Error(ErrorCode::kInvalidArgument,
                 "verify password: stored parameters exceed the allowed limits");
  }

  // libargon2 needs a NUL-terminated string; the copy also ends any doubt
  // about what the view points into.
  const std::string encoded_copy(encoded);
  const int code = argon2id_verify(encoded_copy.c_str(), password.data(), password.size());
  if (code == ARGON2_OK) {
    return true;
  }
  if (code == ARGON2_VERIFY_MISMATCH) {
    return false;
  }
  return argon2_failure("verify password", code);
}

bool password_hash_needs_upgrade(std::string_view encoded, const PasswordHashParams& current) {
  const auto stored = parse_stored_hash(encoded);
  if (!stored) {
    return true;
  }
  return stored->algorithm != kAlgorithm || stored->version != ARGON2_VERSION_13 ||
         stored->params.memory_kib < current.memory_kib ||
         stored->params.iterations < current.iterations ||
         stored->params.parallelism < current.parallelism ||
         stored->salt_bytes < kPasswordSaltBytes || stored->hash_bytes < kPasswordHashBytes;
}

}  // namespace th::crypto
