// Authenticated encryption with AES-256-GCM (NIST SP 800-38D) through
// OpenSSL's EVP interface: the one cipher used for data at rest.
//
// A sealed message is nonce (12 random bytes) || ciphertext || tag (16
// bytes), so it is exactly kAesGcmOverhead bytes longer than the plaintext.
// Associated data is authenticated but not stored: the reader must supply the
// same bytes, which is how a ciphertext is bound to its context.
//
// Nonces are random, so one key may seal at most about 2^32 messages before
// the chance of a repeated nonce stops being negligible (SP 800-38D section
// 8.3). Data keys are rotated long before that; nothing here counts.
//
// The functions are pure and safe from any thread. Opening never returns
// partial plaintext: any mismatch of key, nonce, ciphertext, tag or associated
// data is kDataLoss, with the same message whichever part was wrong.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kAesGcmNonceSize = 12;
inline constexpr std::size_t kAesGcmTagSize = 16;
inline constexpr std::size_t kAesGcmOverhead = kAesGcmNonceSize + kAesGcmTagSize;

// Encrypts plaintext under key32 with a fresh random nonce. Fails with
// kInvalidArgument if the key is not 32 bytes or an input exceeds 2 GiB, and
// with kInternal if OpenSSL fails (it does not for valid input).
[[nodiscard]] Result<std::string> aes256_gcm_seal(std::string_view key32,
                                                  std::string_view plaintext,
                                                  std::string_view associated_data);

// Decrypts and authenticates the output of aes256_gcm_seal. Fails with
// kInvalidArgument if the key is not 32 bytes, and kDataLoss if `sealed` is
// too short or does not authenticate under this key and associated data.
[[nodiscard]] Result<std::string> aes256_gcm_open(std::string_view key32, std::string_view sealed,
                                                  std::string_view associated_data);

namespace internal {

// aes256_gcm_seal with a caller-chosen 12-byte nonce, for known-answer tests
// only. Reusing a nonce under one key reveals the XOR of the plaintexts and
// lets anyone forge tags; production code never calls this.
[[nodiscard]] Result<std::string> aes256_gcm_seal_with_nonce(std::string_view key32,
                                                             std::string_view nonce,
                                                             std::string_view plaintext,
                                                             std::string_view associated_data);

}  // namespace internal
}  // namespace th::crypto
