// DataProtection: how stores keep personal fields unreadable at rest.
//
// Every personal value goes through seal() before it is written and open()
// after it is read; the ciphertext is bound to its table, column and row, so
// it cannot be moved elsewhere. Values that must be found by exact match
// (username, email, MRN) are also stored as a keyed blind index. Records of
// personal data carry an integrity tag over their stored fields, so tampering
// in the database is detected on read and by `thctl integrity check`.
//
// The production implementation (KeyRingProtection) uses AES-256-GCM under
// data keys wrapped by the key-encryption key. Implementations are
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace th::storage {

struct FieldRef {
  std::string_view table;
  std::string_view column;
  std::string_view row_id;
};

using StoredFields = std::vector<std::pair<std::string, std::string>>;

class DataProtection {
 public:
  virtual ~DataProtection() = default;

  // kInternal when encryption itself fails (it does not for valid keys).
  virtual Result<std::string> seal(std::string_view plaintext, const FieldRef& field) = 0;
  // kDataLoss when the stored text was altered or belongs to another field;
  // kFailedPrecondition when its key is not loaded.
  virtual Result<std::string> open(std::string_view stored, const FieldRef& field) = 0;

  // Keyed hash of an already normalised value; the same input always gives
  // the same output, so it can carry a UNIQUE constraint.
  virtual std::string blind_index(std::string_view purpose, std::string_view normalized) const = 0;

  // Tag over a record's stored (already sealed) fields.
  virtual std::string integrity_tag(std::string_view table, std::string_view row_id,
                                    std::int64_t version, const StoredFields& fields) const = 0;
  virtual bool verify_integrity(std::string_view table, std::string_view row_id,
                                std::int64_t version, const StoredFields& fields,
                                std::string_view tag) const = 0;
};

}  // namespace th::storage
