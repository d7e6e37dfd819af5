// IntegrityTagger: a MAC over a database row's stored fields, so that an
// alteration made outside the application (HIPAA 164.312(c)(2)) is detected
// when the row is read or checked.
//
// tag = hex(HMAC-SHA-256(key, encoding)), where the encoding is a label, then
// the table, the row id, the row version (8 bytes, big-endian) and the field
// count, then each (name, stored value) pair sorted by name (and by value for
// equal names): every string preceded by its length in 8 big-endian bytes.
// The encoding is unambiguous, so no other row, version or set of fields
// shares it. Tag the stored form of each field (ciphertext for sealed ones),
// so checking needs no decryption. The version stops an old copy of a row
// from being written back with its old, valid tag only when the caller also
// checks the version against one kept elsewhere (the audit log).
//
// The key is the ring's kIntegrity key (see crypto/key_ring.h): random,
// stored wrapped like a data key and separate from the encryption keys, so
// rotating the key-encryption key leaves every tag valid.
//
// A tagger is immutable after construction and safe to share between
// threads. It can be moved (a moved-from one may only be destroyed) but not
// copied or assigned, so its key exists once in memory; it is wiped when the
// object is destroyed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace th::crypto {

using TaggedFields = std::vector<std::pair<std::string, std::string>>;

class IntegrityTagger {
 public:
  // key32 must be 32 bytes, as every KeyRing key is; anything else is a
  // programming error and aborts.
  explicit IntegrityTagger(std::string key32);
  IntegrityTagger(IntegrityTagger&&) noexcept = default;
  IntegrityTagger& operator=(IntegrityTagger&&) = delete;
  IntegrityTagger(const IntegrityTagger&) = delete;
  IntegrityTagger& operator=(const IntegrityTagger&) = delete;
  ~IntegrityTagger();

  // 64 lower-case hex digits. The order of `fields` does not matter.
  [[nodiscard]] std::string tag(std::string_view table, std::string_view row_id,
                                std::int64_t version, const TaggedFields& fields) const;

  // True when `tag` is the tag of this row, compared in constant time. A tag
  // in upper case or of the wrong length is simply false.
  [[nodiscard]] bool verify(std::string_view table, std::string_view row_id, std::int64_t version,
                            const TaggedFields& fields, std::string_view tag) const;

 private:
  std::string key_;
};

}  // namespace th::crypto
