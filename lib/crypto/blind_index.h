// BlindIndexer: keyed hashes that let a store find a record by an exact
// value (username, email, MRN) without keeping the value in the clear.
//
// index(purpose, value) = hex(HMAC-SHA-256(key, purpose || 0x00 || value)).
// The purpose ("users.username", "patients.mrn") keeps equal values of
// different kinds from sharing an index. Equal inputs always give equal
// outputs, so an index column can carry a UNIQUE constraint; in exchange,
// anyone holding the table sees which rows share a value. Normalise values
// first (the normalize_* functions below) so that " Alice" and "alice" meet.
//
// The key is the ring's kBlindIndex key (see crypto/key_ring.h): a random key
// stored wrapped, so rotating the key-encryption key leaves every index
// valid. Changing the index key itself means recomputing every index from
// the decrypted values.
//
// An indexer is immutable after construction and safe to share between
// threads. It can be moved (a moved-from one may only be destroyed) but not
// copied or assigned, so its key exists once in memory; it is wiped when the
// object is destroyed.
#pragma once

#include <string>
#include <string_view>

namespace th::crypto {

class BlindIndexer {
 public:
  // key32 must be 32 bytes, as every KeyRing key is; anything else is a
  // programming error and aborts.
  explicit BlindIndexer(std::string key32);
  BlindIndexer(BlindIndexer&&) noexcept = default;
  BlindIndexer& operator=(BlindIndexer&&) = delete;
  BlindIndexer(const BlindIndexer&) = delete;
  BlindIndexer& operator=(const BlindIndexer&) = delete;
  ~BlindIndexer();

  // 64 lower-case hex digits. `purpose` must not be empty or contain a NUL
  // byte (that would make the encoding ambiguous); purposes are constants, so
  // violating this is a programming error and aborts. `value` may hold any
  // bytes.
  [[nodiscard]] std::string index(std::string_view purpose, std::string_view value) const;

 private:
  std::string key_;
};

// Usernames: surrounding ASCII whitespace removed, ASCII letters lower-cased.
[[nodiscard]] std::string normalize_username(std::string_view username);

// Email addresses: surrounding ASCII whitespace removed, ASCII letters
// lower-cased (the local part too: no mail system in practice distinguishes
// case). Non-ASCII bytes are kept as they are.
[[nodiscard]] std::string normalize_email(std::string_view email);

// Medical record numbers: surrounding whitespace removed, ASCII letters
// upper-cased, and spaces and dashes removed anywhere ("ab-12 3" -> "AB123").
[[nodiscard]] std::string normalize_mrn(std::string_view mrn);

}  // namespace th::crypto
