// KeyRing: the keys that protect data at rest (HIPAA 164.312(a)(2)(iv) and
// (c)(2)), arranged as envelope encryption.
//
// Key-encryption keys (KEKs) are 32-byte secrets kept outside the database,
// one per file (generate_kek_file, load_kek_file). They never encrypt data;
// they only wrap the keys that do. A KEK's id (kek_id_of) is 16 hex digits
// of SHA-256 over a fixed label and the key: stable, short, safe to show or
// store, and unlike a bare hash of the key it matches no digest of the key
// made for any other purpose. Records written before this scheme name their
// KEK by the first 8 hex digits of SHA-256 of the key alone; such legacy ids
// are still recognised, and rewrap() replaces them.
//
// Wrapped keys are random 32-byte keys with a random 16-hex-digit id, stored
// by the caller (a table) only in wrapped form: AES-256-GCM under a KEK, with
// associated data naming the key's purpose and id. Three purposes exist:
//
//  - kData: data-encryption keys (DEKs) used by FieldCipher. Several can be
//    loaded at once; the current one seals, any loaded one opens.
//  - kBlindIndex: the key of the keyed hashes in BlindIndexer.
//  - kIntegrity: the key of the row tags in IntegrityTagger.
//
// Why the index and integrity keys are wrapped random keys rather than
// derived from a KEK with HKDF: a derived key changes whenever the KEK
// rotates, which would invalidate every stored index and tag (or tie them to
// the first KEK forever). A wrapped key is independent of the KEK: rotating
// the KEK is a rewrap of a few small records, and the index, the tags and
// the field ciphertexts stay valid. Binding the purpose into the wrapping
// also keeps one key from ever serving two purposes.
//
// Rotation: give the new KEK last in the list (to create(), or to
// replace_keks() on a running ring), the old ones before it; rewrap() every
// stored record and save the results; once no record names an old KEK, drop
// it from the list. New DEKs (new_data_key) can be added at any time; old ones
// stay loadable for what they sealed.
//
// Thread-safety: all members are safe to call concurrently (a shared mutex:
// many readers, rare writers), except moving and destroying the ring. Loaded
// keys are never removed or replaced, so a string_view returned by a lookup
// stays valid for the lifetime of the ring; only the set of KEKs changes, and
// only through replace_keks(). Key bytes are wiped from memory when the ring
// is destroyed or a KEK is dropped. No error message contains key material.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th::crypto {

inline constexpr std::size_t kKeyRingKeySize = 32;

enum class KeyPurpose { kData, kBlindIndex, kIntegrity };

// "data", "blind_index" or "integrity": the text to store beside a record.
[[nodiscard]] std::string_view key_purpose_name(KeyPurpose purpose);
// The inverse of key_purpose_name; kInvalidArgument for any other text.
[[nodiscard]] Result<KeyPurpose> parse_key_purpose(std::string_view name);

// A key as stored: `wrapped` is raw bytes (nonce || ciphertext || tag, 60
// bytes), so encode it (crypto/encoding.h) for a TEXT column. Only `wrapped`
// is secret-derived; the ids are not secret. The purpose and id are
// authenticated by the wrapping, created_at is not: it only orders keys.
struct WrappedDataKey {
  std::string dek_id;
  std::string kek_id;
  std::string wrapped;
  std::int64_t created_at = 0;  // microseconds since the Unix epoch
  KeyPurpose purpose = KeyPurpose::kData;
};

// Writes a new KEK file: 32 random bytes as one line of base64, mode 0600
// from the first byte, written atomically. Refuses to replace an existing
// file (kAlreadyExists), because losing a KEK loses every record it wraps.
// Write failures are kUnavailable.
[[nodiscard]] Status generate_kek_file(const std::filesystem::path& path);

// Reads a KEK file written by generate_kek_file and returns the 32 raw bytes.
// Fails with kNotFound if the file does not exist, kPermissionDenied if it
// cannot be read, kFailedPrecondition if group or others may access it, and
// kInvalidArgument if it is not one line of base64 holding 32 bytes.
[[nodiscard]] Result<std::string> load_kek_file(const std::filesystem::path& path);

// The id of a KEK: the first 16 lower-case hex digits of
// SHA-256("telehealthd key-encryption key id v1" || 0x00 || kek).
[[nodiscard]] std::string kek_id_of(std::string_view kek);

// True for text that has the shape of a KEK id: 16 lower-case hex digits, or
// 8 for a legacy id.
[[nodiscard]] bool is_kek_id(std::string_view text);

// HKDF-SHA-256 (RFC 5869) with an empty salt: 32 bytes of key material
// derived from `secret` for the context `info`. For deriving a fixed subkey
// from high-entropy key material; KeyRing itself derives nothing (see above).
[[nodiscard]] std::string derive_key(std::string_view secret, std::string_view info);

class KeyRing {
 public:
  // A ring holding the given KEKs (raw 32-byte keys), the last one current.
  // Fails with kInvalidArgument if the list is empty, a key is not 32 bytes,
  // or two keys share an id (the same key given twice, or a collision).
  [[nodiscard]] static Result<KeyRing> create(std::vector<std::string> kek_bytes);

  KeyRing(KeyRing&&) noexcept;
  KeyRing& operator=(KeyRing&&) noexcept;
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;
  ~KeyRing();

  // The id of the KEK that wraps new and rewrapped keys.
  [[nodiscard]] std::string current_kek_id() const;

  // The ids of every KEK in the ring, in the order given, the current one
  // last.
  [[nodiscard]] std::vector<std::string> kek_ids() const;

  // Whether `kek_id` (an id or a legacy id) names a KEK in the ring.
  [[nodiscard]] bool holds_kek(std::string_view kek_id) const;

  // Whether a record naming `kek_id` is wrapped the way rewrap() would wrap
  // it: under the current KEK, named by its current id (not a legacy one).
  [[nodiscard]] bool is_current_kek(std::string_view kek_id) const;

  // Replaces the KEKs on a running ring (a configuration reload), the last
  // one becoming current. `stored` is every record that must stay readable:
  // each must unwrap under the new set to the very key loaded under its id
  // (if one is), or the ring is left unchanged. Fails like create() for a bad
  // list, with kFailedPrecondition naming the KEK id when a record's KEK is
  // not in the new set, and with kDataLoss when a record does not unwrap or
  // unwraps to another key. Loaded keys are untouched either way.
  [[nodiscard]] Status replace_keks(std::vector<std::string> kek_bytes,
                                    const std::vector<WrappedDataKey>& stored);

  // Generates a key of `purpose`, wraps it under the current KEK, loads it and
  // makes it current for that purpose. The caller stores the result; a key
  // that is not stored is lost at restart. Fails only with kInternal.
  [[nodiscard]] Result<WrappedDataKey> new_key(KeyPurpose purpose);

  // Unwraps a stored key and adds it to the ring under wrapped.purpose. It
  // becomes current for its purpose if none is, or if it is newer (created_at,
  // ties broken by the larger id), so loading a table in any order makes its
  // newest key current. Loading the same key again changes nothing. Fails
  // with kInvalidArgument for a malformed id, kFailedPrecondition naming the
  // KEK id if that KEK is not in the ring, kDataLoss if the record does not
  // unwrap (another key under a colliding id, or an altered record, id or
  // purpose), and kConflict if a different key with this id is loaded.
  [[nodiscard]] Status load_key(const WrappedDataKey& wrapped);

  // The id of the current key of `purpose`, or "" if none is loaded.
  [[nodiscard]] std::string current_key_id(KeyPurpose purpose) const;

  // The 32 bytes of a loaded key. kFailedPrecondition naming the id if no key
  // of that purpose and id is loaded.
  [[nodiscard]] Result<std::string_view> key(KeyPurpose purpose, std::string_view id) const;
  // The current key of `purpose`; kFailedPrecondition if there is none.
  [[nodiscard]] Result<std::string_view> current_key(KeyPurpose purpose) const;

  // The same key wrapped afresh under the current KEK, with the same id,
  // purpose and created_at, for KEK rotation without touching the data. Does
  // not load it. Fails like load_key (except kConflict), and with kDataLoss
  // if the key it unwraps is not the one loaded under that id.
  [[nodiscard]] Result<WrappedDataKey> rewrap(const WrappedDataKey& wrapped) const;

  // Checks that `wrapped` unwraps under the KEK it names, without loading
  // it: run at start on one stored record so that a wrong or missing KEK file
  // gives one clear error rather than failures on every read. Fails like
  // load_key (except kConflict).
  [[nodiscard]] Status verify_kek_matches(const WrappedDataKey& wrapped) const;

  // The kData forms of the members above.
  [[nodiscard]] Result<WrappedDataKey> new_data_key() { return new_key(KeyPurpose::kData); }
  [[nodiscard]] Status load_data_key(const WrappedDataKey& wrapped);
  [[nodiscard]] std::string current_dek_id() const { return current_key_id(KeyPurpose::kData); }
  [[nodiscard]] Result<std::string_view> data_key(std::string_view dek_id) const {
    return key(KeyPurpose::kData, dek_id);
  }

  // The kBlindIndex and kIntegrity forms. The load forms fail with
  // kInvalidArgument if the record has another purpose.
  [[nodiscard]] Result<WrappedDataKey> new_index_key() { return new_key(KeyPurpose::kBlindIndex); }
  [[nodiscard]] Status load_index_key(const WrappedDataKey& wrapped);
  [[nodiscard]] Result<WrappedDataKey> new_integrity_key() {
    return new_key(KeyPurpose::kIntegrity);
  }
  [[nodiscard]] Status load_integrity_key(const WrappedDataKey& wrapped);

 private:
  struct State;

  explicit KeyRing(std::unique_ptr<State> state);

  [[nodiscard]] Status load_key_as(KeyPurpose expected, const WrappedDataKey& wrapped);

  std::unique_ptr<State> state_;
};

}  // namespace th::crypto
