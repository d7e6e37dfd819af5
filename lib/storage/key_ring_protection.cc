#include "storage/key_ring_protection.h"

#include <algorithm>

#include "crypto/encoding.h"
#include "storage/row_values.h"

namespace th::storage {
namespace {

constexpr crypto::KeyPurpose kPurposes[] = {
    crypto::KeyPurpose::kData, crypto::KeyPurpose::kBlindIndex, crypto::KeyPurpose::kIntegrity};

// A row of data_keys: the record, its wrapping as stored, and when it was
// last re-wrapped.
struct StoredKey {
  crypto::WrappedDataKey key;
  std::string wrapped_text;
  UnixMicros rewrapped_at = 0;
};

Result<std::vector<StoredKey>> read_keys(soci::session& session) {
  std::vector<StoredKey> keys;
  soci::rowset<soci::row> rows =
      (session.prepare << "SELECT id, purpose, kek_id, wrapped, created_at, rewrapped_at "
                          "FROM data_keys ORDER BY purpose, created_at, id");
  for (const soci::row& row : rows) {
    StoredKey stored;
    crypto::WrappedDataKey& key = stored.key;
    key.dek_id = row.get<std::string>(0);
    stored.wrapped_text = row.get<std::string>(3);
    auto purpose = crypto::parse_key_purpose(row.get<std::string>(1));
    auto wrapped = crypto::base64_decode(stored.wrapped_text);
    if (!purpose.ok() || !wrapped.ok()) {
      return Error(ErrorCode::kDataLoss, "stored key " + key.dek_id + " is malformed");
    }
    key.purpose = *purpose;
    key.kek_id = row.get<std::string>(2);
    key.wrapped = std::move(*wrapped);
    key.created_at = column_int64(row, 4);
    stored.rewrapped_at = column_int64(row, 5);
    keys.push_back(std::move(stored));
  }
  return keys;
}

std::vector<crypto::WrappedDataKey> records_of(const std::vector<StoredKey>& stored) {
  std::vector<crypto::WrappedDataKey> records;
  for (const StoredKey& row : stored) {
    records.push_back(row.key);
  }
  return records;
}

void insert_key(soci::session& session, const crypto::WrappedDataKey& key) {
  const std::string purpose(crypto::key_purpose_name(key.purpose));
  const std::string wrapped = crypto::base64_encode(key.wrapped);
  const long long created_at = key.created_at;
  session << "INSERT INTO data_keys (id, purpose, kek_id, wrapped, created_at) "
             "VALUES (:id, :purpose, :kek, :wrapped, :created)",
      soci::use(key.dek_id), soci::use(purpose), soci::use(key.kek_id), soci::use(wrapped),
      soci::use(created_at);
}

// "'a', 'b' and 'c'", or with `quote` false "a, b and c".
std::string listed(const std::vector<std::string>& items, bool quote) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      text += i + 1 == items.size() ? " and " : ", ";
    }
    text += quote ? "'" + items[i] + "'" : items[i];
  }
  return text;
}

// One error naming every KEK the stored keys need and the ring lacks, with
// the keys each wraps and the KEKs the ring does hold, so that a daemon
// started with a missing or wrong KEK file says exactly what it needs.
Status check_keks_held(const crypto::KeyRing& ring, const std::vector<StoredKey>& stored) {
  std::vector<std::string> missing;
  std::vector<std::vector<std::string>> purposes;
  for (const StoredKey& row : stored) {
    if (ring.holds_kek(row.key.kek_id)) {
      continue;
    }
    auto found = std::find(missing.begin(), missing.end(), row.key.kek_id);
    if (found == missing.end()) {
      missing.push_back(row.key.kek_id);
      purposes.emplace_back();
      found = missing.end() - 1;
    }
    purposes[static_cast<std::size_t>(found - missing.begin())].emplace_back(
        crypto::key_purpose_name(row.key.purpose));
  }
  if (missing.empty()) {
    return ok_status();
  }
  std::string message;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    message += (i > 0 ? "; " : "") + std::string("the ") + listed(purposes[i], false) +
               (purposes[i].size() == 1 ? " key is" : " keys are") +
               " wrapped by key-encryption key '" + missing[i] + "'";
  }
  message += missing.size() == 1 ? ", which is not configured" : ", which are not configured";
  message += " (configured: " + listed(ring.kek_ids(), true) + " (current))";
  return Error(ErrorCode::kFailedPrecondition, message);
}

StoredKeyInfo info_of(const crypto::KeyRing& ring, const StoredKey& row) {
  StoredKeyInfo info;
  info.id = row.key.dek_id;
  info.purpose = row.key.purpose;
  info.kek_id = row.key.kek_id;
  info.created_at = row.key.created_at;
  info.rewrapped_at = row.rewrapped_at;
  info.under_current_kek = ring.is_current_kek(row.key.kek_id);
  info.kek_held = ring.holds_kek(row.key.kek_id);
  return info;
}

// The new wrapping is checked before it replaces the old one, and replaces
// it only if the row still holds what was read: true when it did.
Result<bool> rewrap_one(const crypto::KeyRing& ring, Database& database, const StoredKey& row,
                        UnixMicros now) {
  auto rewrapped = ring.rewrap(row.key);
  if (!rewrapped.ok()) {
    return rewrapped.error();
  }
  TH_RETURN_IF_ERROR(ring.verify_kek_matches(*rewrapped));
  const std::string wrapped = crypto::base64_encode(rewrapped->wrapped);
  const long long rewrapped_at = now;
  return database.run_write_transaction([&](soci::session& session) {
    soci::statement update =
        (session.prepare << "UPDATE data_keys SET kek_id = :kek, wrapped = :wrapped, "
                            "rewrapped_at = :now WHERE id = :id AND kek_id = :old_kek "
                            "AND wrapped = :old_wrapped",
         soci::use(rewrapped->kek_id), soci::use(wrapped), soci::use(rewrapped_at),
         soci::use(row.key.dek_id), soci::use(row.key.kek_id), soci::use(row.wrapped_text));
    update.execute(true);
    return update.get_affected_rows() == 1;
  });
}

}  // namespace

KeyRingProtection::KeyRingProtection(crypto::KeyRing ring) : ring_(std::move(ring)) {}

Result<std::unique_ptr<KeyRingProtection>> KeyRingProtection::open(
    Database& database, std::vector<std::string> kek_bytes, const Clock& clock) {
  // Two attempts: when another daemon creates the keys between our read and
  // our insert, our insert conflicts, and a fresh ring finds its keys.
  for (int attempt = 0;; ++attempt) {
    auto ring = crypto::KeyRing::create(kek_bytes);
    if (!ring.ok()) {
      return ring.error();
    }
    std::unique_ptr<KeyRingProtection> protection(new KeyRingProtection(std::move(*ring)));
    Status loaded = protection->load_or_create(database, clock);
    if (!loaded.ok()) {
      if (loaded.error().code() == ErrorCode::kConflict && attempt == 0) {
        continue;
      }
      return loaded.error();
    }
    auto index_key = protection->ring_.current_key(crypto::KeyPurpose::kBlindIndex);
    auto integrity_key = protection->ring_.current_key(crypto::KeyPurpose::kIntegrity);
    if (!index_key.ok() || !integrity_key.ok()) {
      return Error(ErrorCode::kFailedPrecondition, "the key table lacks an index or integrity key");
    }
    protection->cipher_ = std::make_unique<crypto::FieldCipher>(protection->ring_);
    protection->indexer_ = std::make_unique<crypto::BlindIndexer>(std::string(*index_key));
    protection->tagger_ = std::make_unique<crypto::IntegrityTagger>(std::string(*integrity_key));
    return protection;
  }
}

Status KeyRingProtection::load_or_create(Database& database, const Clock& clock) {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  TH_RETURN_IF_ERROR(check_keks_held(ring_, *stored));
  for (const StoredKey& row : *stored) {
    TH_RETURN_IF_ERROR(ring_.load_key(row.key));
  }
  std::vector<crypto::WrappedDataKey> missing;
  for (const crypto::KeyPurpose purpose : kPurposes) {
    if (ring_.current_key_id(purpose).empty()) {
      auto created = ring_.new_key(purpose);
      if (!created.ok()) {
        return created.error();
      }
      created->created_at = clock.now_micros();
      missing.push_back(*created);
    }
  }
  if (missing.empty()) {
    return ok_status();
  }
  return database.run_write_transaction([&](soci::session& session) {
    for (const auto& key : missing) {
      insert_key(session, key);
    }
  });
}

Result<std::string> KeyRingProtection::seal(std::string_view plaintext, const FieldRef& field) {
  return cipher_->seal(plaintext, {field.table, field.column, field.row_id});
}

Result<std::string> KeyRingProtection::open(std::string_view stored, const FieldRef& field) {
  return cipher_->open(stored, {field.table, field.column, field.row_id});
}

std::string KeyRingProtection::blind_index(std::string_view purpose,
                                           std::string_view normalized) const {
  return indexer_->index(purpose, normalized);
}

std::string KeyRingProtection::integrity_tag(std::string_view table, std::string_view row_id,
                                             std::int64_t version,
                                             const StoredFields& fields) const {
  return tagger_->tag(table, row_id, version, fields);
}

bool KeyRingProtection::verify_integrity(std::string_view table, std::string_view row_id,
                                         std::int64_t version, const StoredFields& fields,
                                         std::string_view tag) const {
  return tagger_->verify(table, row_id, version, fields, tag);
}

Result<RotationResult> KeyRingProtection::rewrap_all(Database& database, const Clock& clock) {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  RotationResult result;
  result.current_kek_id = ring_.current_kek_id();
  std::vector<const StoredKey*> pending;
  for (const StoredKey& row : *stored) {
    if (!ring_.is_current_kek(row.key.kek_id)) {
      pending.push_back(&row);
    }
  }

  for (const StoredKey* row : pending) {
    auto replaced = rewrap_one(ring_, database, *row, clock.now_micros());
    if (!replaced.ok()) {
      return replaced.error().with_context("rewrap stopped after " +
                                           std::to_string(result.rewrapped) + " of " +
                                           std::to_string(pending.size()) + " keys");
    }
    if (!*replaced) {
      continue;  // another daemon re-wrapped it meanwhile
    }
    ++result.rewrapped;
    const std::string& from = row->key.kek_id;
    if (std::find(result.from_kek_ids.begin(), result.from_kek_ids.end(), from) ==
        result.from_kek_ids.end()) {
      result.from_kek_ids.push_back(from);
    }
  }
  return result;
}

Result<KeyStatus> KeyRingProtection::status(Database& database) const {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  KeyStatus status;
  status.current_kek_id = ring_.current_kek_id();
  status.kek_ids = ring_.kek_ids();
  for (const StoredKey& row : *stored) {
    status.keys.push_back(info_of(ring_, row));
    if (!status.keys.back().under_current_kek) {
      ++status.remaining;
    }
  }
  return status;
}

Status KeyRingProtection::replace_keks(Database& database, std::vector<std::string> kek_bytes) {
  auto stored = database.run(read_keys);
  if (!stored.ok()) {
    return stored.error();
  }
  return ring_.replace_keks(std::move(kek_bytes), records_of(*stored));
}

}  // namespace th::storage
