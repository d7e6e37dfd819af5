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
// clear error instead of failures on every read: kFailedPrecondition naming
// every KEK id the table needs and the configuration lacks, or kDataLoss
// naming the key that does not unwrap under the KEK with its id.
//
// KEK rotation is online. The data keys themselves never change, so no field
// is re-encrypted and every reader keeps working: rewrap_all() only replaces
// each key's wrapping with one under the current KEK. Daemons sharing the
// database keep working too, since they hold the unwrapped keys; one that
// restarts needs the new KEK in its configuration. replace_keks() swaps the
// KEKs of a running daemon (a reload) after checking that every stored key
// still unwraps under the new set.
//
// Thread-safe after open().
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

// One stored key as the status shows it: ids and times, never key bytes.
struct StoredKeyInfo {
  std::string id;
  crypto::KeyPurpose purpose = crypto::KeyPurpose::kData;
  std::string kek_id;
  UnixMicros created_at = 0;
  UnixMicros rewrapped_at = 0;     // 0 when it was never re-wrapped
  bool under_current_kek = false;  // wrapped as a rotation leaves it
  bool kek_held = false;           // this daemon holds the KEK that wraps it
};

// Where a rotation stands, from one daemon's point of view: its own current
// KEK, the KEKs it holds, and the keys of the shared table.
struct KeyStatus {
  std::string current_kek_id;
  std::vector<std::string> kek_ids;  // every KEK held, the current one last
  std::vector<StoredKeyInfo> keys;   // ordered by purpose
  std::size_t remaining = 0;         // keys not yet under the current KEK
};

// What one rewrap_all() did.
struct RotationResult {
  std::string current_kek_id;
  std::vector<std::string> from_kek_ids;  // the KEKs the re-wrapped keys were under
  std::size_t rewrapped = 0;
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

  // Re-wraps every stored key that is not under the current KEK, each in a
  // transaction of its own that replaces the row only if nobody changed it
  // meanwhile. Idempotent and resumable: keys already under the current KEK
  // are left alone, so running it again after an interruption (or alongside
  // another daemon doing the same) finishes the work. Every new wrapping is
  // unwrapped again before it is written. Fails with kFailedPrecondition
  // naming the KEK when a key is under one this daemon does not hold; the
  // message says how many keys were re-wrapped before the failure.
  Result<RotationResult> rewrap_all(Database& database, const Clock& clock);

  // The table as it is now, against this daemon's KEKs.
  Result<KeyStatus> status(Database& database) const;

  // Swaps the KEKs for kek_bytes (the current one last) once every stored
  // key has been checked to unwrap under them to the key in use; fails as
  // crypto::KeyRing::replace_keks does, leaving the KEKs unchanged.
  Status replace_keks(Database& database, std::vector<std::string> kek_bytes);

  [[nodiscard]] std::string current_kek_id() const { return ring_.current_kek_id(); }
  [[nodiscard]] std::vector<std::string> kek_ids() const { return ring_.kek_ids(); }

 private:
  explicit KeyRingProtection(crypto::KeyRing ring);
  Status load_or_create(Database& database, const Clock& clock);

  crypto::KeyRing ring_;
  std::unique_ptr<crypto::FieldCipher> cipher_;
  std::unique_ptr<crypto::BlindIndexer> indexer_;
  std::unique_ptr<crypto::IntegrityTagger> tagger_;
};

}  // namespace th::storage
