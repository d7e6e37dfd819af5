// FieldCipher: encryption of single database fields (HIPAA
// 164.312(a)(2)(iv)) under the data keys of a KeyRing.
//
// A sealed field is ASCII text that fits a TEXT column:
//
//   v1.<dek id>.<base64url of AES-256-GCM nonce || ciphertext || tag>
//
// The associated data binds the format version, the data key id and the
// field's table, column and row id (each length-prefixed, so no two contexts
// encode alike). A ciphertext copied to another row or column, or relabelled
// with another key id, fails to open. Equal plaintexts give different texts
// (random nonces), so the stored text reveals only the plaintext's length.
//
// Thread-safety: seal and open are safe to call concurrently; the KeyRing is
// borrowed and must outlive the cipher. Errors name the table and column,
// never the plaintext or the key.
#pragma once

#include <string>
#include <string_view>

#include "crypto/key_ring.h"
#include "util/result.h"

namespace th::crypto {

// Where a field lives. The views only need to last for the call.
struct FieldContext {
  std::string_view table;
  std::string_view column;
  std::string_view row_id;
};

class FieldCipher {
 public:
  explicit FieldCipher(KeyRing& key_ring) : key_ring_(key_ring) {}

  // Seals plaintext (any bytes, empty allowed) under the ring's current data
  // key. Fails with kFailedPrecondition if the ring has no data key, and with
  // kInvalidArgument for plaintext beyond 2 GiB.
  [[nodiscard]] Result<std::string> seal(std::string_view plaintext, const FieldContext& field);

  // Opens text written by seal for the same field. Fails with kDataLoss if the
  // text is malformed, altered, or sealed for another field, and with
  // kFailedPrecondition (naming the key id) if its data key is not loaded.
  [[nodiscard]] Result<std::string> open(std::string_view stored, const FieldContext& field);

 private:
  KeyRing& key_ring_;
};

}  // namespace th::crypto
