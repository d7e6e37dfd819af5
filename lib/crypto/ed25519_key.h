// Ed25519Key: an Ed25519 private key (RFC 8032) for signing audit-log
// checkpoints, held by OpenSSL.
//
// The key lives in a PEM file holding an unencrypted PKCS#8 "PRIVATE KEY",
// the format `openssl genpkey -algorithm ed25519` writes. Because it can forge
// checkpoints, loading refuses a file that group or others may access, and
// generating writes one readable by its owner only.
//
// An Ed25519Key owns its OpenSSL key: it is move-only, and a moved-from key may
// only be destroyed or assigned to. Its const members are safe to call from
// several threads at once (OpenSSL 3 allows concurrent use of a key that is no
// longer modified). No member ever reveals the private key.
//
// Failures that only a broken OpenSSL or exhausted memory can cause (signing
// with a loaded key, exporting its public half) abort the process, as in
// crypto/digest.h; everything a caller can get wrong is a returned Error.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace th::crypto {

class Ed25519Key {
 public:
  static constexpr std::size_t kSeedSize = 32;
  static constexpr std::size_t kPublicKeySize = 32;
  static constexpr std::size_t kSignatureSize = 64;

  // Reads a PKCS#8 PEM private key. Fails with kNotFound if the file does not
  // exist, kPermissionDenied if it cannot be read, kFailedPrecondition if its
  // mode grants any access to group or others, and kInvalidArgument if it
  // does not hold an Ed25519 private key.
  [[nodiscard]] static Result<Ed25519Key> load_pem_file(const std::filesystem::path& path);

  // Creates a new random key and writes it to `path` as PKCS#8 PEM with mode
  // 0600 from the first byte, atomically (see crypto/atomic_file.h). Refuses
  // to replace an existing file, failing with kAlreadyExists; that check
  // precedes the write, so two generators racing for one new path could both
  // succeed, the last one's key winning. Write failures are kUnavailable.
  [[nodiscard]] static Status generate_pem_file(const std::filesystem::path& path);

  // A new random key held only in memory (tests, ephemeral signers).
  [[nodiscard]] static Result<Ed25519Key> generate();

  // The key whose 32-byte RFC 8032 private key (the seed) is `seed`. Fails
  // with kInvalidArgument if it is not 32 bytes. Meant for test vectors.
  [[nodiscard]] static Result<Ed25519Key> from_raw_private(std::string_view seed);

  Ed25519Key(Ed25519Key&&) noexcept = default;
  Ed25519Key& operator=(Ed25519Key&&) noexcept = default;
  Ed25519Key(const Ed25519Key&) = delete;
  Ed25519Key& operator=(const Ed25519Key&) = delete;
  ~Ed25519Key() = default;

  // The 32-byte RFC 8032 public key.
  std::string public_key_raw() const;

  // The public key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block.
  std::string public_key_pem() const;

  // The 64-byte signature of `message` (pure Ed25519, deterministic).
  std::string sign(std::string_view message) const;

  // True when `signature` is a valid signature of `message` under the 32-byte
  // `public_key_raw`. Wrong lengths and invalid keys are simply false.
  [[nodiscard]] static bool verify(std::string_view public_key_raw, std::string_view message,
                                   std::string_view signature);

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* pkey) const;
  };
  using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

  explicit Ed25519Key(PkeyPtr pkey) : pkey_(std::move(pkey)) {}

  PkeyPtr pkey_;
};

}  // namespace th::crypto
