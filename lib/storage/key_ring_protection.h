// KeyRingProtection: DataProtection backed by the key ring.
//
// Keys live in the data_keys table, each wrapped by a key-encryption key
// (KEK) that never touches the database; the KEK files come from the
// configuration (a file or a systemd credential). One key serves each
// purpose: field encryption, blind indexes, integrity tags. The first daemon
// to start on an empty database creates them; daemons racing to do so
// settle on one set through the table's uniqueness on purpose.
//
// At start every stored key is unwrapped, so a missing or wrong KEK is one
// clear error (kFailedPrecondition or kDataLoss naming the KEK id) instead
// of failures on every read. Thread-safe after open().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "crypto/integrity_tag.h"
#include "crypto/key_ring.h"
#include "storage/data_protection.h"
#include "storage/database.h"
#include "util/clock.h"

namespace th::storage {

struct KeyStatus {
  std::string current_kek_id;
  std::size_t keys_total = 0;
  std::size_t keys_under_current_kek = 0;
};

class KeyRingProtection final : public DataProtection {
 public:
  // kek_bytes: every KEK that may still wrap stored keys, the current one
  // last.
  static Result<std::unique_ptr<KeyRingProtection>> open(Database& database,
                                                         std::vector<std::string> kek_bytes,
                                                         const Clock& clock);

  Result<std::string> seal(std::string_view plaintext, const FieldRef& field) override;
  Result<std::string> open(std::string_view stored, const FieldRef& field) override;
  std::string blind_index(std::string_view purpose, std::string_view normalized) const override;
  std::string integrity_tag(std::string_view table, std::string_view row_id, std::int64_t version,
                            const StoredFields& fields) const override;
  bool verify_integrity(std::string_view table, std::string_view row_id, std::int64_t version,
                        const StoredFields& fields, std::string_view tag) const override;

  // Re-wraps every stored key under the current KEK (online KEK rotation:
  // field ciphertexts do not change). Returns how many were re-wrapped.
  Result<std::size_t> rewrap_all(Database& database);
  Result<KeyStatus> status(Database& database) const;

 private:
  explicit KeyRingProtection(crypto::KeyRing ring);
  Status load_or_create(Database& database, const Clock& clock);

  crypto::KeyRing ring_;
  std::unique_ptr<crypto::FieldCipher> cipher_;
  std::unique_ptr<crypto::BlindIndexer> indexer_;
  std::unique_ptr<crypto::IntegrityTagger> tagger_;
};

}  // namespace th::storage
