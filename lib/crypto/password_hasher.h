// Password storage with Argon2id (RFC 9106), the first choice of the OWASP
// Password Storage Cheat Sheet, through libargon2.
//
// Hashes are kept as PHC strings ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>")
// that carry their own parameters, so raising the parameters later needs no
// migration: verify with the stored string, then re-hash when
// password_hash_needs_upgrade says so.
//
// All functions are safe from any thread. Hashing deliberately costs
// memory_kib of memory and tens of milliseconds per call; callers on request
// paths should bound how many run at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

// Defaults are the OWASP minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
struct PasswordHashParams {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// Bounds on parameters accepted for hashing and, as a guard against a stored
// string that would make one verification exhaust the machine, for verifying.
inline constexpr std::uint32_t kMaxPasswordHashMemoryKib = 1024 * 1024;  // 1 GiB
inline constexpr std::uint32_t kMaxPasswordHashIterations = 64;
inline constexpr std::uint32_t kMaxPasswordHashParallelism = 16;
inline constexpr std::size_t kPasswordSaltBytes = 16;
inline constexpr std::size_t kPasswordHashBytes = 32;

// Hashes password with a fresh 16-byte random salt into a 32-byte Argon2id
// tag, returned as a PHC string. Fails with kInvalidArgument if the
// parameters are out of range (iterations and parallelism from 1, memory at
// least 8 KiB per lane, each at most its kMax constant), kResourceExhausted
// if the memory cannot be allocated.
[[nodiscard]] Result<std::string> hash_password(std::string_view password,
                                                const PasswordHashParams& params = {});

// True if password matches the PHC string `encoded`, false if it does not.
// The tag comparison is constant-time (libargon2). Fails with
// kInvalidArgument if encoded is not a well-formed argon2id PHC string or its
// parameters exceed the kMax limits, kResourceExhausted if memory runs out.
[[nodiscard]] Result<bool> verify_password(std::string_view password, std::string_view encoded);

// True if encoded should be replaced by a fresh hash_password(current): it is
// not argon2id version 19, cannot be parsed, any of its parameters is below
// the one in current, or its salt or tag is shorter than this module writes.
[[nodiscard]] bool password_hash_needs_upgrade(std::string_view encoded,
                                               const PasswordHashParams& current = {});

}  // namespace th::crypto
